/**
 * Reads a source directory the way a build context is sent: `.dockerignore` honoured (plus the
 * stack's defaults), version-control dirs left out, symlinks kept as links, and a size limit
 * checked while walking, so a mistaken `aims build ~` fails fast with nothing sent.
 */
import {lstat, readdir, readFile, readlink, realpath} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join, relative, sep} from 'node:path'
import {CONTEXT_LIMIT_BYTES, isIgnored, parseIgnoreFile} from '../core/build/context-rules.js'
import type {TarEntry} from '../core/build/tar.js'
import {AimsError} from '../core/errors.js'
import {formatBytes} from '../core/names.js'
import type {SourceDir, SourceFiles} from '../services/build-ports.js'

/** A directory that must never be sent whole. */
function refusedRoot(path: string): string | undefined {
  if (path === '/') return 'the root directory'
  if (path === homedir() || path === process.env.HOME) return 'your home directory'
  return undefined
}

export async function openSourceDir(path: string): Promise<SourceDir> {
  let root: string
  try {
    root = await realpath(path)
  } catch {
    throw new AimsError('usage', `${path}: no such directory`, {hint: 'pass the directory of your app'})
  }
  const info = await lstat(root)
  if (!info.isDirectory())
    throw new AimsError('usage', `${path} is not a directory`, {hint: 'pass the directory of your app'})
  const refused = refusedRoot(root)
  if (refused)
    throw new AimsError('usage', `refusing to send ${refused} (${root}) as a build context`, {
      hint: "pass your app's own directory",
    })
  return {
    root,
    async names() {
      const found: string[] = []
      for (const name of await readdir(root)) found.push(name)
      return new Set(found)
    },
    async readSmall(name) {
      try {
        const file = join(root, name)
        const stat = await lstat(file)
        return stat.isFile() && stat.size < 1024 * 1024 ? await readFile(file, 'utf8') : undefined
      } catch {
        return undefined
      }
    },
    read: (options) => readTree(root, options),
  }
}

async function readTree(root: string, options: {extraIgnore: string[]; limitBytes?: number}): Promise<SourceFiles> {
  const limit = options.limitBytes ?? CONTEXT_LIMIT_BYTES
  let ignoreText = ''
  try {
    ignoreText = await readFile(join(root, '.dockerignore'), 'utf8')
  } catch {
    // no .dockerignore
  }
  const rules = parseIgnoreFile([...options.extraIgnore, ignoreText].join('\n'))
  const entries: TarEntry[] = []
  let bytes = 0
  let ignored = 0
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort()
    for (const name of names) {
      const file = join(dir, name)
      const path = relative(root, file).split(sep).join('/')
      if (isIgnored(path, rules)) {
        ignored++
        continue
      }
      const stat = await lstat(file)
      const mtime = Math.floor(stat.mtimeMs / 1000)
      if (stat.isSymbolicLink()) {
        entries.push({path, type: 'symlink', mode: 0o777, mtime, linkTarget: await readlink(file)})
      } else if (stat.isDirectory()) {
        entries.push({path, type: 'dir', mode: stat.mode & 0o7777, mtime})
        await walk(file)
      } else if (stat.isFile()) {
        bytes += stat.size
        if (bytes > limit)
          throw new AimsError('usage', `${root} holds more than ${formatBytes(limit)} to send (reached at ${path})`, {
            hint: 'list what the app does not need (node_modules, build output, data) in .dockerignore',
          })
        entries.push({path, type: 'file', mode: stat.mode & 0o7777, mtime, content: await readFile(file)})
      }
    }
  }
  await walk(root)
  return {entries, bytes, ignored}
}
