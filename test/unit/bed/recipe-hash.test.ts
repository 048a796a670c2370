/**
 * The bed keys each image it builds by a hash of that image's own recipe
 * (test/bed/lib/*.sh): editing another part of the bed must not rebuild the
 * shared fixture or base images under every worktree's feet, and editing a
 * recipe must. Runs the bed's real hash functions in a copy of test/bed.
 */
import {execFileSync} from 'node:child_process'
import {appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ROOT} from '../../support/aims.js'

let copy: string

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'aims-bed-hash-'))
  cpSync(join(ROOT, 'test', 'bed'), copy, {recursive: true})
})
afterEach(() => rmSync(copy, {recursive: true, force: true}))

function hashes(): {fixture: string; debian: string; node: string; python: string} {
  const out = execFileSync(
    'bash',
    [
      '-c',
      'set -euo pipefail; for f in common registry images fixtures base-images; do source "lib/$f.sh"; done; ' +
        'echo "$(fixture_hash) $(debian_hash) $(node_hash) $(python_hash)"',
    ],
    {cwd: copy, encoding: 'utf8'},
  )
  const [fixture, debian, node, python] = out.trim().split(' ')
  return {fixture: fixture!, debian: debian!, node: node!, python: python!}
}

function edit(file: string, from: string, to: string): void {
  const path = join(copy, file)
  const text = readFileSync(path, 'utf8')
  expect(text).toContain(from)
  writeFileSync(path, text.replace(from, to))
}

describe('bed recipe hashes', () => {
  it('are 16 hex digits and stable across runs', () => {
    const first = hashes()
    for (const value of Object.values(first)) expect(value).toMatch(/^[0-9a-f]{16}$/)
    expect(hashes()).toEqual(first)
  })

  it('do not change when another part of the bed changes', () => {
    const before = hashes()
    appendFileSync(join(copy, 'setup.sh'), '\n# an unrelated edit\nlog "more"\n')
    appendFileSync(join(copy, 'swarm.sh'), '\n# an unrelated edit\n')
    edit('lib/registry.sh', 'REGISTRY_USER=aims-bed', 'REGISTRY_USER=aims-bed # edited')
    edit('lib/images.sh', 'BED_IMAGE_LABEL=aims.bed-hash', 'BED_IMAGE_LABEL=aims.bed-hash # edited')
    expect(hashes()).toEqual(before)
  })

  it('change the fixture hash, and only it, when a fixture recipe changes', () => {
    const before = hashes()
    edit('lib/fixtures.sh', 'echo "fixture sick: starting"', 'echo "fixture sick: starting up"')
    const after = hashes()
    expect(after.fixture).not.toBe(before.fixture)
    expect({...after, fixture: before.fixture}).toEqual(before)
  })

  it('change node:22-slim, and only it, when its Dockerfile or pinned Node changes', () => {
    const before = hashes()
    edit('base-images/node/Dockerfile', 'CMD ["node"]', 'CMD ["node", "--version"]')
    const dockerfile = hashes()
    expect(dockerfile.node).not.toBe(before.node)
    expect({...dockerfile, node: before.node}).toEqual(before)
    edit('lib/base-images.sh', 'NODE_VERSION=22.23.5', 'NODE_VERSION=22.23.6')
    expect(hashes().node).not.toBe(dockerfile.node)
  })

  it('change every base image when the Debian rootfs recipe changes, and no fixture', () => {
    const before = hashes()
    edit('lib/base-images.sh', "printf 'localhost\\n'", "printf 'debian\\n'")
    const after = hashes()
    expect(after.fixture).toBe(before.fixture)
    expect(after.debian).not.toBe(before.debian)
    expect(after.node).not.toBe(before.node)
    expect(after.python).not.toBe(before.python)
  })
})
