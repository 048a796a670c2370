/**
 * The running aims, packed for the warden's image: the package's own files (package.json "files")
 * and its production dependencies, resolved from package.json the way Node resolves them, as one
 * gzipped tar (tar(1) does the packing). The build id changes whenever the package's files do, so
 * `warden install` knows when the warden on a host runs other code than this CLI.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {packageRoot} from './package-root.js'

interface PackageJson {
  version?: string
  files?: string[]
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}

const readPackage = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson

function listFiles(dir: string, into: string[]): void {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) listFiles(path, into)
    else into.push(path)
  }
}

/** This aims' version and build id (a hash of its files' names, sizes and mtimes). */
export function packageBuild(): {version: string; build: string} {
  const root = packageRoot()
  const pkg = readPackage(root)
  const hash = createHash('sha256').update(readFileSync(join(root, 'package.json')))
  const files: string[] = []
  for (const entry of pkg.files ?? []) {
    const path = join(root, entry)
    if (!existsSync(path)) continue
    if (statSync(path).isDirectory()) listFiles(path, files)
    else files.push(path)
  }
  for (const file of files.sort()) {
    const stat = statSync(file)
    hash.update(`${relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`)
  }
  const version = pkg.version ?? '0.0.0'
  return {version, build: `${version}-${hash.digest('hex').slice(0, 12)}`}
}

/** Directories of the production dependencies, relative to the package root. */
export function productionDependencies(root = packageRoot()): string[] {
  const found = new Set<string>()
  const visit = (fromDir: string, pkg: PackageJson) => {
    for (const name of Object.keys({...pkg.dependencies, ...pkg.optionalDependencies})) {
      for (let dir = fromDir; ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', name)
        if (existsSync(join(candidate, 'package.json'))) {
          if (!found.has(candidate)) {
            found.add(candidate)
            visit(candidate, readPackage(candidate))
          }
          break
        }
        if (dir === root || dirname(dir) === dir) break
      }
    }
  }
  visit(root, readPackage(root))
  const dirs = [...found].map((dir) => relative(root, dir)).sort()
  // A dependency nested inside another's directory comes with it.
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && dir.startsWith(`${other}/`)))
}

/** The gzipped tar of the package and its production dependencies. */
export async function packWarden(): Promise<Buffer> {
  const root = packageRoot()
  const pkg = readPackage(root)
  const entries = ['package.json', ...(pkg.files ?? []).filter((entry) => existsSync(join(root, entry)))]
  const args = [
    'czf',
    '-',
    '--exclude=*.map',
    '--exclude=*.d.ts',
    '--exclude=*.d.mts',
    '--exclude=*.d.cts',
    '-C',
    root,
    ...entries,
    ...productionDependencies(root),
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {stdio: ['ignore', 'pipe', 'pipe']})
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`packing aims failed: ${stderr.trim()}`)),
    )
  })
}
