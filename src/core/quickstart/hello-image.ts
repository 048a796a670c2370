/**
 * The image `aims quickstart` deploys, built on the machine itself so a first run needs no registry:
 * busybox's httpd serving one page. With a static busybox on the machine (Debian's busybox-static) the
 * image is FROM scratch with that binary; without one it is FROM busybox (the engine pulls it).
 */
import {tarArchive, type TarEntry} from './tar.js'

export const QUICKSTART_IMAGE = 'aims-quickstart/hello:1'
/** Set on the image so `aims quickstart down` removes only an image it built. */
export const QUICKSTART_IMAGE_LABEL = 'aims.quickstart'
export const QUICKSTART_PLUG = 'hello'
export const QUICKSTART_TENANT = 'quickstart'
/** Pinned, for machines without a static busybox (the engine pulls it from Docker Hub). */
export const BUSYBOX_BASE = 'busybox:1.37.0'

const APPLETS = ['sh', 'httpd', 'cat', 'echo', 'printf', 'sed', 'mkdir', 'ls', 'wget', 'sleep', 'env', 'ps']

/** Starts the web server; the page shows GREETING (HTML-escaped by sed). */
const START = `#!/bin/sh
PORT="\${PORT:-8080}"
greeting="$(printf '%s' "\${GREETING:-Hello from aims}" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g')"
{ cat /www/page.head; printf '%s' "$greeting"; cat /www/page.tail; } > /www/index.html
printf 'ok\\n' > /www/health
echo "hello: listening on :$PORT"
exec httpd -f -vv -p "$PORT" -h /www
`

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aims quickstart</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}
code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}</style></head>
<body><h1>@GREETING@</h1>
<p>This page is served by a container aims deployed, health-checked and labelled on this machine.</p>
<p>Next: <code>aims ps</code>, <code>aims plug logs quickstart/hello</code>, <code>aims dock</code>;
take it down with <code>aims quickstart down</code>.</p>
</body></html>
`

/** The Docker build context (a tar): Dockerfile + rootfs/. `busybox`: a static busybox binary, or none. */
export function helloBuildContext(busybox: Buffer | undefined): Buffer {
  const rootfs: TarEntry[] = [
    {type: 'dir', path: 'rootfs'},
    {type: 'dir', path: 'rootfs/bin'},
    {type: 'dir', path: 'rootfs/www'},
    {type: 'dir', path: 'rootfs/tmp', mode: 0o1777},
    {type: 'file', path: 'rootfs/bin/hello', content: START, mode: 0o755},
    {type: 'file', path: 'rootfs/www/page.head', content: PAGE.slice(0, PAGE.indexOf('@GREETING@'))},
    {type: 'file', path: 'rootfs/www/page.tail', content: PAGE.slice(PAGE.indexOf('@GREETING@') + 10)},
  ]
  if (busybox) {
    rootfs.push({type: 'file', path: 'rootfs/bin/busybox', content: busybox, mode: 0o755})
    for (const applet of APPLETS) rootfs.push({type: 'symlink', path: `rootfs/bin/${applet}`, target: 'busybox'})
  }
  const dockerfile = [
    busybox ? 'FROM scratch' : `FROM ${BUSYBOX_BASE}`,
    'COPY rootfs/ /',
    'ENV PATH=/bin',
    'EXPOSE 8080',
    `LABEL ${QUICKSTART_IMAGE_LABEL}=1`,
    'CMD ["/bin/hello"]',
    '',
  ].join('\n')
  return tarArchive([{type: 'file', path: 'Dockerfile', content: dockerfile}, ...rootfs])
}

/**
 * Whether an ELF binary is statically linked (no PT_INTERP program header), so it runs in an empty image.
 * Anything that is not a 64- or 32-bit little-endian ELF counts as not static.
 */
export function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[5] !== 1) return false
  const is64 = bytes[4] === 2
  const phoff = is64 ? Number(bytes.readBigUInt64LE(32)) : bytes.readUInt32LE(28)
  const phentsize = bytes.readUInt16LE(is64 ? 54 : 42)
  const phnum = bytes.readUInt16LE(is64 ? 56 : 44)
  if (phoff + phentsize * phnum > bytes.length) return false
  for (let index = 0; index < phnum; index++) {
    if (bytes.readUInt32LE(phoff + index * phentsize) === 3) return false
  }
  return phnum > 0
}
