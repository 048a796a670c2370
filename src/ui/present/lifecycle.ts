/**
 * The results of the lifecycle commands as lines for people (plug up, start,
 * stop, restart, scale, down, status, ls, logs). Pure: a result and a style
 * in, text out; the commands only write it.
 */
import {formatBytes} from '../../core/names.js'
import {sanitizeField, sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {InstanceStatus} from '../../services/instances.js'
import type {KeptData} from '../../core/kept-data.js'
import type {ChangeResult, DownResult, ScaleResult} from '../../services/plug-manage.js'
import type {PlugUpResult} from '../../services/plug-up.js'
import type {Style} from '../style.js'
import type {InstanceRow} from './instances.js'
import {renderTable} from './table.js'

export const dryRunLine = (style: Style) => style.dim('Dry run: nothing was changed.')

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
/** "1 container", "2 containers". */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** plug up: ready, its URLs and notes (warnings go to stderr: see plugUpWarnings). */
export function renderPlugUp(result: PlugUpResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const lines = [`${style.green('✓')} ${style.bold(result.instance)} is ready (${seconds(result.durationMs)})`]
  if (result.domainUrl) lines.push(`  URL      ${sanitizeField(result.domainUrl)}`)
  lines.push(`  On host  ${result.localUrl}`)
  // The catalog's notes are text from outside aims: cleaned, and every line of them indented under "Notes".
  if (result.notes)
    lines.push(`  Notes    ${sanitizeUntrusted(result.notes).trim().replace(/\r?\n/g, '\n           ')}`)
  return lines.join('\n')
}

export const plugUpWarnings = (result: PlugUpResult, style: Style) =>
  result.warnings.map((warning) => `${style.yellow('warning:')} ${sanitizeField(warning)}`)

/** The failing service's last log lines, shown when a deploy fails its health gate (exit 4). */
export function renderUnhealthyLogs(details: Record<string, unknown> | undefined): string {
  const logs = (details?.logs as string[] | undefined) ?? []
  const lines = logs.map((line) => `  │ ${sanitizeUntrusted(line)}`).join('\n')
  return `Last ${logs.length} log lines of ${String(details?.service)}:\n${lines}\n`
}

export function renderStateChange(action: 'start' | 'stop' | 'restart', result: ChangeResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  if (result.status === 'unchanged')
    return `${style.green('✓')} ${result.instance} is already ${result.already ?? 'so'}: nothing changed.`
  const health = result.health ? `, ${result.health.detail}` : ''
  return `${style.green('✓')} ${action} ${result.instance} done (${seconds(result.durationMs)})${health}`
}

export function renderScale(result: ScaleResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const replicas = `${result.replicas} replica${result.replicas === 1 ? '' : 's'}`
  return `${style.green('✓')} ${result.instance} runs ${replicas} (ports ${result.ports.join(', ')}).`
}

export function renderDown(result: DownResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const {containers, volumes, networks} = result.removed
  const kept =
    result.keptVolumes.length > 0
      ? `; kept ${result.keptVolumes.join(', ')} (list: aims plug ls --kept; delete: aims plug down ${result.instance})`
      : ''
  const removed =
    [count(containers.length, 'container'), count(volumes.length, 'volume'), count(networks.length, 'network')].join(
      ', ',
    ) + ' removed'
  return `${style.green('✓')} ${result.instance} is gone: ${removed}${kept}.`
}

/** plug status: the instance, its URLs, a table of its containers, and each service's env (secrets masked). */
export function renderInstanceStatus(status: InstanceStatus, style: Style): string {
  const view = status.instance
  // Everything here was read from labels and the engine: each value is cleaned to one line.
  const detail = view.healthDetail ? ` (${sanitizeField(view.healthDetail)})` : ''
  const head = `${sanitizeField(view.plug)}  ${sanitizeField(view.status)}, ${sanitizeField(view.health)}${detail}`
  const lines = [`${style.bold(sanitizeField(view.ref))}  ${head}`]
  if (view.domainUrl) lines.push(`URL      ${sanitizeField(view.domainUrl)}`)
  if (view.localUrl) lines.push(`On host  ${sanitizeField(view.localUrl)}`)
  lines.push('')
  lines.push(
    renderTable(
      ['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'PORT', 'CPU', 'MEMORY', 'RESTARTS'],
      status.services.map((service) => [
        service.replica > 1 ? `${service.service} #${service.replica}` : service.service,
        service.container,
        service.state,
        service.health,
        service.hostPort ? String(service.hostPort) : '-',
        service.cpus ? String(service.cpus) : '-',
        service.memoryLimitBytes ? formatBytes(service.memoryLimitBytes) : '-',
        String(service.restartCount),
      ]),
    ),
  )
  for (const service of status.services.filter((item) => item.replica === 1)) {
    const env = Object.entries(service.env)
    if (env.length > 0)
      lines.push(
        `\nenv ${sanitizeField(service.service)}: ` +
          env.map(([key, value]) => `${sanitizeField(key)}=${sanitizeField(value)}`).join(' '),
      )
  }
  return lines.join('\n')
}

/** plug ls: the instances as a table, or what to do when there are none. */
export function renderInstanceList(rows: InstanceRow[], host: string, tenant: string | undefined): string {
  if (rows.length === 0)
    return (
      `Nothing deployed on ${host}${tenant ? ` for tenant ${tenant}` : ''} yet. Try: aims catalog ls, then ` +
      `aims plug up PLUG`
    )
  return renderTable(
    ['TENANT', 'INSTANCE', 'PLUG', 'STATUS', 'HEALTH', 'PORT', 'URL', 'AGE'],
    rows.map((row) => [
      row.tenant,
      row.instance,
      row.plug,
      row.status,
      row.health,
      row.port ? String(row.port) : '-',
      row.url ?? '-',
      row.age,
    ]),
  )
}

/** plug ls --kept: the volumes plug down --keep-data left, one row per instance, and how to delete them. */
export function renderKeptData(kept: KeptData[], host: string, tenant: string | undefined): string {
  if (kept.length === 0) return `No kept data on ${host}${tenant ? ` for tenant ${tenant}` : ''}.`
  const table = renderTable(
    ['TENANT', 'INSTANCE', 'PLUG', 'VOLUMES', 'KEPT SINCE'],
    kept.map((item) => [
      sanitizeField(item.tenant),
      sanitizeField(item.instance),
      sanitizeField(item.plug),
      item.volumes.map((name) => sanitizeField(name)).join(', '),
      item.createdAt ? item.createdAt.slice(0, 16).replace('T', ' ') : '-',
    ]),
  )
  return `${table}\nRedeploy with the same name to reuse it, or delete it: aims plug down TENANT/INSTANCE`
}

interface LogLineView {
  service: string
  replica: number
  /** The service's replica count: with more than one, every line says its replica (web#1, web#2). */
  replicas?: number
  text: string
  stream: string
  time?: Date | undefined
}

/** One log line as people read it: the service (and replica) it came from, then its text, cleaned. */
export function renderLogLine(line: LogLineView, style: Style): string {
  const prefix = `${line.service}${line.replica > 1 || (line.replicas ?? 1) > 1 ? `#${line.replica}` : ''}`
  return `${style.dim(`${prefix} |`)} ${sanitizeUntrusted(line.text)}`
}

/** One log line for --json --follow (one object per line); container text is cleaned there too. */
export function logLineJson(line: LogLineView): string {
  return JSON.stringify({
    service: line.service,
    replica: line.replica,
    stream: line.stream,
    text: sanitizeUntrusted(line.text),
  })
}
