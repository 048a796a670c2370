/**
 * A tar archive (POSIX ustar, with pax headers for long names), built in memory: the build context
 * the engine's build API reads, and the release a site upload unpacks. Pure.
 */

export interface TarEntry {
  /** Relative path with "/" separators. */
  path: string
  type: 'file' | 'dir' | 'symlink'
  mode: number
  /** Seconds since the epoch. */
  mtime: number
  content?: Buffer
  linkTarget?: string
}

const BLOCK = 512

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header(fields: {
  name: string
  mode: number
  size: number
  mtime: number
  type: string
  link?: string
}): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(fields.name, 0, 100, 'utf8')
  block.write(octal(fields.mode & 0o7777, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(fields.size, 12), 124, 'ascii')
  block.write(octal(Math.max(0, Math.floor(fields.mtime)), 12), 136, 'ascii')
  block.write('        ', 148, 'ascii')
  block.write(fields.type, 156, 'ascii')
  if (fields.link) block.write(fields.link, 157, 100, 'utf8')
  block.write('ustar\0', 257, 'ascii')
  block.write('00', 263, 'ascii')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 'ascii')
  return block
}

const pad = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)

/** A pax extended header carrying a long path (or link target). */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body)
  return Buffer.from(`${length}${body}`, 'utf8')
}

export function packTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const name = entry.type === 'dir' ? `${entry.path.replace(/\/$/, '')}/` : entry.path
    const records: Buffer[] = []
    if (Buffer.byteLength(name) > 99) records.push(paxRecord('path', name))
    if (entry.linkTarget && Buffer.byteLength(entry.linkTarget) > 99)
      records.push(paxRecord('linkpath', entry.linkTarget))
    if (records.length > 0) {
      const pax = Buffer.concat(records)
      parts.push(header({name: 'PaxHeader', mode: 0o644, size: pax.length, mtime: entry.mtime, type: 'x'}), pax)
      parts.push(pad(pax.length))
    }
    const size = entry.type === 'file' ? (entry.content?.length ?? 0) : 0
    parts.push(
      header({
        name: Buffer.byteLength(name) > 99 ? name.slice(0, 99) : name,
        mode: entry.mode,
        size,
        mtime: entry.mtime,
        type: entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2',
        ...(entry.linkTarget ? {link: entry.linkTarget.slice(0, 99)} : {}),
      }),
    )
    if (size > 0) parts.push(entry.content!, pad(size))
  }
  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}
