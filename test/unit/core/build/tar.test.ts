import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {packTar} from '../../../../src/core/build/tar.js'

describe('packTar', () => {
  it('writes an archive GNU tar reads back: files, modes, dirs, links and long names', () => {
    const long = `${'deep/'.repeat(30)}file.txt`
    const archive = packTar([
      {path: 'src', type: 'dir', mode: 0o755, mtime: 1_700_000_000},
      {path: 'src/run.sh', type: 'file', mode: 0o755, mtime: 1_700_000_000, content: Buffer.from('#!/bin/sh\n')},
      {path: long, type: 'file', mode: 0o644, mtime: 1_700_000_000, content: Buffer.from('long\n')},
      {path: 'link', type: 'symlink', mode: 0o777, mtime: 1_700_000_000, linkTarget: 'src/run.sh'},
      {path: 'empty', type: 'file', mode: 0o600, mtime: 1_700_000_000, content: Buffer.alloc(0)},
    ])
    expect(archive.length % 512).toBe(0)
    const dir = mkdtempSync(join(tmpdir(), 'aims-tar-'))
    writeFileSync(join(dir, 'a.tar'), archive)
    execFileSync('tar', ['-xf', 'a.tar'], {cwd: dir})
    expect(readFileSync(join(dir, 'src/run.sh'), 'utf8')).toBe('#!/bin/sh\n')
    expect(statSync(join(dir, 'src/run.sh')).mode & 0o777).toBe(0o755)
    expect(readFileSync(join(dir, long), 'utf8')).toBe('long\n')
    expect(readlinkSync(join(dir, 'link'))).toBe('src/run.sh')
    expect(statSync(join(dir, 'empty')).size).toBe(0)
    expect(statSync(join(dir, 'src/run.sh')).mtimeMs).toBe(1_700_000_000_000)
  })
})
