/**
 * A minimal ustar writer (pure: entries in, bytes out), enough for a Docker build context or an image rootfs:
 * regular files, directories and symbolic links, owned by root, with a fixed mtime so the same input gives the
 * same bytes.
 */

export type TarEntry =
  | {type: 'file'; path: string; content: Buffer | string; mode?: number}
  | {type: 'dir'; path: string; mode?: number}
  | {type: 'symlink'; path: string; target: string}

const BLOCK = 512
/** 2020-01-01T00:00:00Z: a fixed time keeps the archive (and the build cache key) stable. */
const MTIME = 1_577_836_800

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function splitPath(path: string): {name: string; prefix: string} {
  if (Buffer.byteLength(path) <= 100) return {name: path, prefix: ''}
  const cut = path.lastIndexOf('/', 155)
  const name = path.slice(cut + 1)
  const prefix = path.slice(0, cut)
  if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155)
    throw new Error(`tar: path too long: ${path}`)
  return {name, prefix}
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK, 0)
  const path = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path
  const {name, prefix} = splitPath(path)
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644))
  block.write(name, 0, 100, 'utf8')
  block.write(octal(mode, 8), 100, 8, 'ascii')
  block.write(octal(0, 8), 108, 8, 'ascii')
  block.write(octal(0, 8), 116, 8, 'ascii')
  block.write(octal(size, 12), 124, 12, 'ascii')
  block.write(octal(MTIME, 12), 136, 12, 'ascii')
  block.write('        ', 148, 8, 'ascii')
  block.write(entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2', 156, 1, 'ascii')
  if (entry.type === 'symlink') block.write(entry.target, 157, 100, 'utf8')
  block.write('ustar\0', 257, 6, 'ascii')
  block.write('00', 263, 2, 'ascii')
  block.write('root', 265, 32, 'ascii')
  block.write('root', 297, 32, 'ascii')
  block.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 8, 'ascii')
  return block
}

/** The archive: each entry's header and content padded to 512 bytes, then two zero blocks. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const content =
      entry.type === 'file'
        ? typeof entry.content === 'string'
          ? Buffer.from(entry.content, 'utf8')
          : entry.content
        : Buffer.alloc(0)
    parts.push(header(entry, content.length), content)
    const pad = (BLOCK - (content.length % BLOCK)) % BLOCK
    if (pad) parts.push(Buffer.alloc(pad, 0))
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0))
  return Buffer.concat(parts)
}
