/** `aims warden status|policy`, `aims alerts ls`, `aims health --history`: results → lines. Pure. */
import type {AlertChannel} from '../../core/warden/alerts.js'
import {redactTarget} from '../../core/warden/alerts.js'
import type {HistoryEvent} from '../../core/warden/history.js'
import {policyRows, type WardenPolicy} from '../../core/warden/policy.js'
import {formatBytes} from '../../core/names.js'
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {WardenStatus} from '../../services/warden/install.js'
import {renderTable} from './table.js'

const ago = (seconds: number) =>
  seconds < 90
    ? `${Math.round(seconds)} s ago`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min ago`
      : `${Math.round(seconds / 3600)} h ago`

export function wardenStatusLines(status: WardenStatus): string {
  if (!status.installed) return `The warden is not installed on ${status.host}: aims warden install`
  const beat = status.heartbeat
  const lines = [
    `warden on ${status.host}: ${status.running ? 'running' : (status.state ?? 'not running')}` +
      `${status.stale ? ' — STALE (no recent heartbeat)' : ''}`,
    `  version ${status.version ?? '?'} (build ${status.build ?? '?'})` +
      `${status.skew ? `; this aims is ${status.cliBuild}: run aims warden install to update it` : ''}`,
  ]
  if (beat) {
    const uptime = (Date.parse(beat.at) - Date.parse(beat.startedAt)) / 1000
    lines.push(
      `  up ${ago(uptime).replace(' ago', '')}, heartbeat ${ago(status.heartbeatAgeSeconds ?? 0)}, ` +
        `interval ${beat.intervalSeconds} s`,
      `  last sweep ${beat.lastSweepAt ?? 'not yet'}${beat.sweepMs !== undefined ? ` in ${beat.sweepMs} ms` : ''}, ` +
        `${beat.instances} instances, ${beat.probesPerMinute} probes/min`,
      `  CPU ${beat.cpuPercent} %, memory ${formatBytes(beat.rssBytes)}, queued alerts ${beat.queuedAlerts}`,
    )
    const rows = Object.entries(beat.states).map(([ref, state]) => [
      ref,
      state.state,
      state.lastAction
        ? sanitizeUntrusted(`${state.lastAction.step} ${state.lastAction.outcome} ${state.lastAction.at}`)
        : '-',
    ])
    if (rows.length > 0) lines.push('', renderTable(['INSTANCE', 'STATE', 'LAST ACTION'], rows))
  } else lines.push('  no heartbeat yet')
  return lines.join('\n')
}

export function policyLines(policy: WardenPolicy): string {
  return renderTable(
    ['KEY', 'VALUE'],
    policyRows(policy).map((row) => [
      row.key,
      row.key === 'heartbeat-url' && row.value !== '-' ? redactTarget(row.value) : row.value,
    ]),
  )
}

/** Channels as shown: never the raw target. */
export const shownChannel = (channel: AlertChannel) => ({...channel, target: redactTarget(channel.target)})

export function channelLines(channels: AlertChannel[]): string {
  if (channels.length === 0) return 'No alert channels: aims alerts add webhook URL'
  return renderTable(
    ['ID', 'KIND', 'TARGET', 'ADDED'],
    channels.map((channel) => [channel.id, channel.kind, redactTarget(channel.target), channel.createdAt]),
  )
}

export function historyLines(events: HistoryEvent[]): string {
  if (events.length === 0) return 'No health history yet (the warden records it: aims warden install).'
  return renderTable(
    ['TIME', 'INSTANCE', 'EVENT', 'DETAIL'],
    events.map((event) => [
      event.time,
      `${event.tenant}/${event.instance}`,
      event.step ? `${event.kind} (${event.step})` : event.kind,
      sanitizeUntrusted(event.detail),
    ]),
  )
}
