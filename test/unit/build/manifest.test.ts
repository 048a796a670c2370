/**
 * oclif.manifest.json is generated (npm run build) and committed; oclif reads
 * it instead of loading every command. This fails when the committed copy is
 * stale: it compiles the current sources into a scratch package, generates
 * the manifest there with oclif, and compares it with the copy git has
 * (index, i.e. what would be committed). It never looks at the working-tree
 * file, which a build has just rewritten: on a CI clone, that would always match.
 */
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'aims-manifest-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function committedManifest(): string {
  try {
    return execFileSync('git', ['show', ':oclif.manifest.json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString()
  } catch {
    // Not a git checkout (a tarball): the shipped file is what counts.
    return readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')
  }
}

function generatedManifest(): string {
  copyFileSync(join(ROOT, 'package.json'), join(scratch, 'package.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'))
  const node = process.execPath
  execFileSync(
    node,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(scratch, 'dist'),
    ],
    {stdio: 'pipe'},
  )
  // cwd matters: `oclif manifest` first deletes ./oclif.manifest.json, relative to the cwd.
  execFileSync(node, [join(ROOT, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest', scratch], {
    cwd: scratch,
    stdio: 'pipe',
    env: {...process.env, NODE_ENV: 'production'},
  })
  return readFileSync(join(scratch, 'oclif.manifest.json'), 'utf8')
}

describe('oclif.manifest.json', () => {
  it('is what the current sources generate (run npm run build and commit oclif.manifest.json)', () => {
    const generated = JSON.parse(generatedManifest())
    const committed = JSON.parse(committedManifest())
    expect(Object.keys(generated.commands).sort(), 'commands').toEqual(Object.keys(committed.commands).sort())
    expect(committed).toEqual(generated)
  }, 60_000)
})
