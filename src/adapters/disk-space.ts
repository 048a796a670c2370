/**
 * Free and total disk from what the OS answers, for both adapters. The field
 * names are the libraries' own, as recorded from the real calls in
 * test/fixtures/recorded/ssh2/ (never guessed): ssh2's SFTP statvfs answers
 * `f_bavail`, `f_frsize`, `f_bsize`, `f_blocks` (numbers, or bigints beyond
 * 2^53); Node's fs.statfs answers `bavail`, `bsize`, `blocks`. Anything that
 * does not make a finite, non-negative number is "the host cannot say"
 * (undefined), never NaN: a NaN compared with a limit passes every check.
 */
export interface DiskSpace {
  freeBytes: number
  totalBytes: number
}

const count = (value: unknown): number | undefined => {
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number.NaN
  return Number.isFinite(number) && number >= 0 ? number : undefined
}

function space(blocksFree: unknown, blocksTotal: unknown, ...units: unknown[]): DiskSpace | undefined {
  const free = count(blocksFree)
  const total = count(blocksTotal)
  const unit = units.map(count).find((value) => value !== undefined && value > 0)
  if (free === undefined || total === undefined || unit === undefined) return undefined
  return {freeBytes: free * unit, totalBytes: total * unit}
}

/** ssh2 `sftp.ext_openssh_statvfs(path, cb)`: blocks are in f_frsize units (POSIX statvfs), f_bsize when that is 0. */
export function diskSpaceFromStatvfs(answer: unknown): DiskSpace | undefined {
  if (!answer || typeof answer !== 'object') return undefined
  const stats = answer as Record<string, unknown>
  return space(stats.f_bavail, stats.f_blocks, stats.f_frsize, stats.f_bsize)
}

/** node:fs `statfs(path)`: blocks are in bsize units. */
export function diskSpaceFromStatfs(answer: unknown): DiskSpace | undefined {
  if (!answer || typeof answer !== 'object') return undefined
  const stats = answer as Record<string, unknown>
  return space(stats.bavail, stats.blocks, stats.bsize)
}
