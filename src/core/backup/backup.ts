/**
 * Backups of an instance's volumes: one gzip'd tar with `manifest.json` first and each volume's
 * contents under `volumes/NAME/`, kept on the host in /var/lib/aims/backups/TENANT/INSTANCE/ID.tar.gz
 * beside ID.json (the manifest, the archive's sha256 and size). Pure: ids, paths, manifests and the
 * tar command lines (argv, never a shell string).
 */
import {AimsError} from '../errors.js'

export interface BackupVolume {
  /** The volume's name in the plug (`data`), the same in every instance of it. */
  name: string
  /** The engine's volume (`aims-TENANT-INSTANCE-data`). */
  volume: string
}

export interface BackupManifest {
  version: 1
  id: string
  tenant: string
  instance: string
  plug: string
  createdAt: string
  createdBy: string
  /** How the copy was made consistent. */
  consistency: 'hook' | 'pause' | 'stopped'
  reason: 'manual' | 'pre-upgrade' | 'scheduled'
  volumes: BackupVolume[]
  images: Record<string, string>
}

export interface BackupRecord extends BackupManifest {
  sha256: string
  bytes: number
  /** The archive on the host. */
  file: string
}

export const backupsDir = (stateDir: string, tenant: string, instance: string) =>
  `${stateDir}/backups/${tenant}/${instance}`

export const BACKUP_ID = /^\d{8}T\d{6}Z-[a-z0-9]{4,12}$/

/** 20261203T094500Z-ab12: sorts by time. */
export function backupId(now: Date, suffix: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${suffix
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12)
    .padEnd(4, '0')}`
}

/** The volume's short name: `aims-acme-blog-data` → `data`. */
export function volumeShortName(volume: string, tenant: string, instance: string): string {
  const prefix = `aims-${tenant}-${instance}-`
  return volume.startsWith(prefix) ? volume.slice(prefix.length) : volume
}

const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\,]/g, '\\$&')

/**
 * The engine keeps volume V at ROOT/V/_data: tar runs from ROOT so every volume of the instance goes
 * into one archive, renamed to volumes/NAME/ (GNU tar --transform).
 */
export function volumesRoot(mountpoints: Array<{volume: string; mountpoint: string | undefined}>): string {
  let root: string | undefined
  for (const {volume, mountpoint} of mountpoints) {
    const suffix = `/${volume}/_data`
    if (!mountpoint?.endsWith(suffix))
      throw new AimsError('remote', `volume ${volume} is not a local volume (mountpoint ${mountpoint ?? 'unknown'})`, {
        hint: 'aims backs up volumes of the local driver only',
      })
    const here = mountpoint.slice(0, -suffix.length)
    if (root !== undefined && root !== here)
      throw new AimsError('remote', `the instance's volumes are under different roots (${root}, ${here})`)
    root = here
  }
  if (root === undefined) throw new AimsError('validation', 'the instance has no volumes to back up')
  return root
}

/** tar arguments writing the archive (to `output`, `-` for stdout): manifest first, then every volume. */
export function tarCreateArgv(input: {
  output: string
  manifestDir: string
  root: string
  volumes: BackupVolume[]
  compress: boolean
}): string[] {
  return [
    'tar',
    input.compress ? '-czf' : '-cf',
    input.output,
    '--numeric-owner',
    ...input.volumes.map((volume) => `--transform=s,^${escapeRegex(volume.volume)}/_data,volumes/${volume.name},`),
    '-C',
    input.manifestDir,
    'manifest.json',
    '-C',
    input.root,
    ...input.volumes.map((volume) => `${volume.volume}/_data`),
  ]
}

/**
 * Empties the target volumes before an extract: `sh -c SCRIPT sh ROOT VOLUME...` (arguments are
 * positional, never pasted into the script). Exit 3: a volume has no directory under ROOT.
 */
export const EMPTY_VOLUMES_SCRIPT = [
  'set -e',
  'root=$1; shift',
  'for volume in "$@"; do',
  '  [ -d "$root/$volume/_data" ] || { echo "volume $volume has no directory under $root" >&2; exit 3; }',
  '  find "$root/$volume/_data" -mindepth 1 -maxdepth 1 -exec rm -rf {} +',
  'done',
].join('\n')

/** tar arguments extracting an archive's volumes into the target volumes (already emptied). */
export function tarExtractArgv(input: {
  archive: string
  root: string
  mapping: Array<{from: string; to: string}>
  compress: boolean
}): string[] {
  return [
    'tar',
    input.compress ? '-xzf' : '-xf',
    input.archive,
    '--numeric-owner',
    '--same-permissions',
    '-C',
    input.root,
    ...input.mapping.map(
      (entry) => `--transform=s,^volumes/${escapeRegex(entry.from)}\\(/\\|$\\),${entry.to}/_data\\1,`,
    ),
    ...input.mapping.map((entry) => `volumes/${entry.from}`),
  ]
}

/** Which of the archive's volumes go into which volumes of the target instance (by plug volume name). */
export function restoreMapping(
  manifest: Pick<BackupManifest, 'volumes'>,
  target: BackupVolume[],
): Array<{from: string; to: string}> {
  const missing = manifest.volumes.filter((volume) => !target.some((candidate) => candidate.name === volume.name))
  if (missing.length > 0)
    throw new AimsError(
      'validation',
      `the backup holds volume${missing.length > 1 ? 's' : ''} ${missing.map((v) => v.name).join(', ')} ` +
        `that the target instance does not have`,
      {hint: 'restore into an instance of the same plug'},
    )
  return manifest.volumes.map((volume) => ({
    from: volume.name,
    to: target.find((candidate) => candidate.name === volume.name)!.volume,
  }))
}

/** `--every 1d`, `12h`, `30m`, `1w` → milliseconds (at least 5 minutes). */
export function parseEvery(value: string): number {
  const match = /^(\d{1,4})(m|h|d|w)$/.exec(value.trim())
  const unit = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
  const ms = match ? Number(match[1]) * unit[match[2] as keyof typeof unit] : Number.NaN
  if (!Number.isFinite(ms) || ms < 5 * 60_000)
    throw new AimsError('validation', `--every ${value}: not an interval of at least 5 minutes`, {
      hint: 'e.g. --every 1d, --every 12h, --every 30m, --every 1w',
    })
  return ms
}

/** Retention: the newest `keep` backups of the schedule stay; the rest, oldest first, go. */
export function pruneList<T extends {id: string}>(backups: T[], keep: number): T[] {
  const sorted = [...backups].sort((a, b) => a.id.localeCompare(b.id))
  return sorted.slice(0, Math.max(0, sorted.length - keep))
}
