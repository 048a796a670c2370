/**
 * Upgrades, rollbacks, releases, backups and restores as lines for people. Pure: a result and a
 * style in, text out. Image names and env values come from the engine: sanitized.
 */
import type {BackupRecord} from '../../core/backup/backup.js'
import {formatBytes} from '../../core/names.js'
import type {Release} from '../../core/releases/releases.js'
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {BackupResult, RestoreResult} from '../../services/backup.js'
import type {ReleasesResult, UpgradeResult} from '../../services/upgrade.js'
import {describeSchedule, type ScheduleResult} from '../../services/backup-schedule.js'
import type {OutdatedResult} from '../../services/registry.js'
import type {Style} from '../style.js'
import {dryRunLine} from './lifecycle.js'
import {renderTable} from './table.js'

const clean = (text: string) => sanitizeUntrusted(text)

export function renderUpgrade(result: UpgradeResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const what = Object.entries(result.to)
    .map(([service, image]) => `${service} ${clean(result.from[service] ?? '?')} → ${clean(image)}`)
    .join(', ')
  const verb = result.action === 'upgrade' ? 'upgraded' : 'rolled back'
  const snapshot = result.backup ? ` (snapshot ${result.backup})` : ''
  return `${style.green('✓')} ${result.instance} ${verb}: ${what}; release ${result.release?.id ?? '?'}${snapshot}.`
}

function releaseImages(release: Release): string {
  const services = Object.entries(release.services)
  if (services.length === 0) return release.reason ? clean(release.reason).slice(0, 60) : '-'
  return services.map(([service, spec]) => `${service}=${clean(spec.image)}`).join(' ')
}

export function renderReleases(result: ReleasesResult, style: Style): string {
  if (result.releases.length === 0) return `${result.instance} has no recorded releases yet.`
  const rows = [...result.releases].reverse().map((release) => [
    String(release.id),
    release.status === 'active'
      ? style.green('active')
      : release.status === 'failed'
        ? style.red('failed')
        : 'previous',
    release.action,
    release.at.replace(/\.\d+Z$/, 'Z'),
    releaseImages(release),
    Object.values(release.services)
      .map((spec) => (spec.digest ? clean(spec.digest.split('@')[1] ?? '').slice(0, 19) : '-'))
      .join(' ') || '-',
    release.backup ?? '-',
  ])
  return renderTable(['RELEASE', 'STATUS', 'ACTION', 'AT', 'IMAGES', 'DIGEST', 'SNAPSHOT'], rows)
}

export function renderBackup(result: BackupResult, style: Style): string {
  if (result.status === 'dry-run' || !result.backup) return dryRunLine(style)
  const backup = result.backup
  const where = result.out ? `to ${result.out}` : 'on the host'
  return (
    `${style.green('✓')} ${result.instance} backed up ${where}: ${backup.id}, ${formatBytes(backup.bytes)}, ` +
    `sha256 ${backup.sha256} (${backup.consistency === 'hook' ? 'backup hook' : backup.consistency}).`
  )
}

export function renderBackups(backups: BackupRecord[], instance: string, schedule?: string): string {
  const lines: string[] = []
  if (backups.length === 0) lines.push(`${instance} has no backups on the host.`)
  else
    lines.push(
      renderTable(
        ['ID', 'CREATED', 'SIZE', 'REASON', 'CONSISTENCY', 'SHA256'],
        [...backups]
          .reverse()
          .map((backup) => [
            backup.id,
            backup.createdAt.replace(/\.\d+Z$/, 'Z'),
            formatBytes(backup.bytes),
            backup.reason,
            backup.consistency,
            backup.sha256.slice(0, 16),
          ]),
      ),
    )
  if (schedule) lines.push('', schedule)
  return lines.join('\n')
}

export function renderRestore(result: RestoreResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const health = result.health ? (result.health.ok ? ', healthy' : `, not healthy: ${clean(result.health.detail)}`) : ''
  return `${style.green('✓')} ${result.instance} restored from ${clean(result.from)} (sha256 verified)${health}.`
}

export function renderSchedule(result: ScheduleResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  return `${style.green('✓')} ${result.instance}: ${describeSchedule(result.schedule)}.`
}

export function renderOutdated(result: OutdatedResult, subject: string, style: Style): string {
  if (result.rows.length === 0) return 'Nothing to check.'
  const short = (digest: string | undefined) => (digest ? digest.slice(0, 19) : '-')
  return renderTable(
    [subject, 'SERVICE', 'IMAGE', 'DIGEST', 'NEWER', 'LATEST', 'LATEST DIGEST'],
    result.rows.map((row) => [
      clean(row.subject),
      row.service,
      clean(row.image),
      short(row.digest),
      row.error ? style.red(clean(row.error)) : row.newer.length > 0 ? row.newer.map(clean).join(' ') : 'up to date',
      row.latest ? clean(row.latest.tag) : '-',
      short(row.latest?.digest),
    ]),
  )
}
