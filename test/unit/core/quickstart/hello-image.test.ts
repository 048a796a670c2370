import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BUSYBOX_BASE, helloBuildContext, isStaticElf} from '../../../../src/core/quickstart/hello-image.js'
import {tarArchive} from '../../../../src/core/quickstart/tar.js'

/** GNU tar's own reading of an archive: "mode owner size path[ -> target]" per entry. */
function listWithTar(archive: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'aims-tar-'))
  writeFileSync(join(dir, 'a.tar'), archive)
  return execFileSync('tar', ['-tvf', join(dir, 'a.tar')], {encoding: 'utf8'})
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, size, , , ...rest] = line.split(/\s+/)
      return `${mode} ${owner} ${size} ${rest.join(' ')}`
    })
}

describe('tarArchive', () => {
  it('writes files, directories and symlinks GNU tar reads back with their modes, sizes and owners', () => {
    const long = `${'d'.repeat(90)}/${'f'.repeat(60)}`
    const archive = tarArchive([
      {type: 'dir', path: 'bin'},
      {type: 'file', path: 'bin/run', content: '#!/bin/sh\necho hi\n', mode: 0o755},
      {type: 'symlink', path: 'bin/sh', target: 'busybox'},
      {type: 'dir', path: 'tmp', mode: 0o1777},
      {type: 'file', path: long, content: Buffer.alloc(1000, 7)},
    ])
    expect(archive.length % 512).toBe(0)
    expect(listWithTar(archive)).toEqual([
      'drwxr-xr-x root/root 0 bin/',
      '-rwxr-xr-x root/root 18 bin/run',
      'lrwxrwxrwx root/root 0 bin/sh -> busybox',
      'drwxrwxrwt root/root 0 tmp/',
      `-rw-r--r-- root/root 1000 ${long}`,
    ])
    const dir = mkdtempSync(join(tmpdir(), 'aims-tar-x-'))
    execFileSync('tar', ['-xf', '-', '-C', dir], {input: archive})
    expect(readFileSync(join(dir, 'bin/run'), 'utf8')).toBe('#!/bin/sh\necho hi\n')
  })

  it('gives the same bytes for the same entries (a stable build context)', () => {
    const entries = [{type: 'file', path: 'a', content: 'x'}] as const
    expect(tarArchive(entries).equals(tarArchive(entries))).toBe(true)
  })
})

describe('the hello build context', () => {
  it('with a static busybox: FROM scratch, the binary and its applets', () => {
    const context = helloBuildContext(Buffer.from('fake busybox'))
    const listing = listWithTar(context)
    expect(listing).toContain('-rwxr-xr-x root/root 12 rootfs/bin/busybox')
    expect(listing).toContain('lrwxrwxrwx root/root 0 rootfs/bin/httpd -> busybox')
    expect(listing).toContain(
      '-rwxr-xr-x root/root ' + Buffer.byteLength(extract(context, 'rootfs/bin/hello')) + ' rootfs/bin/hello',
    )
    const dockerfile = extract(context, 'Dockerfile')
    expect(dockerfile).toMatch(/^FROM scratch\n/)
    expect(dockerfile).toMatch(/LABEL aims\.quickstart=1/)
    expect(dockerfile).toMatch(/CMD \["\/bin\/hello"\]/)
  })

  it('without one: FROM the pinned busybox image, no binary of ours', () => {
    const context = helloBuildContext(undefined)
    expect(extract(context, 'Dockerfile')).toMatch(new RegExp(`^FROM ${BUSYBOX_BASE.replace(/\./g, '\\.')}\\n`))
    expect(listWithTar(context).some((line) => line.includes('rootfs/bin/busybox'))).toBe(false)
  })

  it("the start script HTML-escapes GREETING (run by this machine's sh)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-hello-'))
    execFileSync('tar', ['-xf', '-', '-C', dir], {input: helloBuildContext(undefined)})
    const script = readFileSync(join(dir, 'rootfs/bin/hello'), 'utf8')
      .replaceAll('/www/', `${dir}/rootfs/www/`)
      .replace(/^exec httpd.*$/m, 'exit 0')
    execFileSync('sh', ['-c', script], {env: {PATH: process.env.PATH, GREETING: 'Hi <b>&</b> you'}})
    const page = readFileSync(join(dir, 'rootfs/www/index.html'), 'utf8')
    expect(page).toContain('<h1>Hi &lt;b&gt;&amp;&lt;/b&gt; you</h1>')
    expect(readFileSync(join(dir, 'rootfs/www/health'), 'utf8')).toBe('ok\n')
  })
})

describe('isStaticElf', () => {
  it("tells this machine's static busybox from Node (dynamically linked) and from a script", () => {
    expect(isStaticElf(readFileSync('/bin/busybox'))).toBe(true)
    expect(isStaticElf(readFileSync(process.execPath))).toBe(false)
    expect(isStaticElf(Buffer.from('#!/bin/sh\necho not elf\n'))).toBe(false)
    expect(isStaticElf(Buffer.alloc(10))).toBe(false)
  })
})

function extract(archive: Buffer, path: string): string {
  return execFileSync('tar', ['-xOf', '-', path], {input: archive, encoding: 'utf8'})
}
