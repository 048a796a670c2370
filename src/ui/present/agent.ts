/**
 * ACHEEVY's tool calls and results as text for the chat and `aims ask`:
 * the command line each call stands for, one status line per result, and
 * for reads an answer in words and, where a table reads better, the tables
 * the CLI commands print (never raw JSON: that is --json's). Pure. Container text is
 * shown sanitized (no escape sequences), as `aims plug logs` shows it.
 */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {DoctorReport} from '../../core/doctor.js'
import {DEFAULT_PRICES, type Prices} from '../../core/catalog/cost.js'
import {formatArgv} from '../../core/intents/format-argv.js'
import {maskCommandLine} from '../../core/commands/argv.js'
import type {CatalogListResult, CatalogSearchResult, CatalogShowResult} from '../../services/catalog.js'
import type {InstanceStatus, ProbedInstance, ServiceLogLine} from '../../services/instances.js'
import type {Style} from '../style.js'
import {renderCatalogList, renderPlugDetails, renderSearchResults} from './catalog.js'
import {renderDoctorReport} from './doctor.js'
import {instanceRows} from './instances.js'
import {renderTable} from './table.js'
import {eventInstance, eventLine} from './events.js'
import {healthTable, statsTable} from './stats.js'
import type {AimsEvent} from '../../core/events.js'
import type {InstanceHealthReport} from '../../core/health-report.js'
import type {InstanceStats} from '../../core/stats.js'

export interface ToolOutcomeView {
  status: 'ok' | 'dry-run' | 'declined' | 'failed' | 'invalid' | 'proposed'
  content: {summary: string} & Record<string, unknown>
  data?: unknown
}

/** `→ aims plug restart acme/n8n` (env values masked: the line may be kept in scrollback and logs). */
export function renderToolCall(argv: readonly string[], style: Style): string {
  return style.dim(`→ aims ${maskCommandLine([...argv])}`)
}

/** The command line a user can copy (env values as given). */
export const commandLine = (argv: readonly string[]) => formatArgv(argv)

export function renderStatusLine(outcome: ToolOutcomeView, style: Style): string {
  const summary = sanitizeUntrusted(outcome.content.summary)
  switch (outcome.status) {
    case 'ok':
      return `${style.green('✓')} ${summary}`
    case 'dry-run':
    case 'proposed':
      return `${style.dim('•')} ${summary}`
    case 'declined':
      return `${style.yellow('✗')} not done: ${summary.replace(/^declined: /, '')}`
    default: {
      const error = outcome.content.error as {hint?: string} | undefined
      return `${style.red('✗')} ${summary}${error?.hint ? style.dim(` — ${sanitizeUntrusted(error.hint)}`) : ''}`
    }
  }
}

/** Events shown under the answer in a chat (the rest: `aims events`). */
const MAX_EVENTS = 10

/** The body shown under a read's status line (tables, logs); undefined when the status line says it all. */
export function renderToolData(
  tool: string,
  outcome: ToolOutcomeView,
  style: Style,
  now: Date = new Date(),
  prices: Prices = DEFAULT_PRICES,
): string | undefined {
  if (outcome.status !== 'ok' || outcome.data === undefined) return undefined
  switch (tool) {
    case 'catalog_ls':
      return renderCatalogList(outcome.data as CatalogListResult)
    case 'catalog_search':
      return renderSearchResults(outcome.data as CatalogSearchResult, 100)
    case 'catalog_show':
      return renderPlugDetails(outcome.data as CatalogShowResult, prices, style)
    case 'plug_ls': {
      const {instances} = outcome.data as {instances: ProbedInstance[]}
      if (instances.length === 0) return undefined
      const rows = instanceRows(instances, now)
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
    case 'plug_status': {
      const status = outcome.data as InstanceStatus
      const lines = [
        renderTable(
          ['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'PORT', 'RESTARTS'],
          status.services.map((service) => [
            service.replica > 1 ? `${service.service} #${service.replica}` : service.service,
            service.container,
            service.state,
            service.health,
            service.hostPort ? String(service.hostPort) : '-',
            String(service.restartCount),
          ]),
        ),
      ]
      if (status.instance.localUrl) lines.push(`On host  ${status.instance.localUrl}`)
      if (status.instance.domainUrl) lines.push(`URL      ${status.instance.domainUrl}`)
      return lines.join('\n')
    }
    case 'plug_logs': {
      const {lines} = outcome.data as {lines: ServiceLogLine[]}
      if (lines.length === 0) return style.dim('(no log lines)')
      return lines
        .map(
          (line) =>
            `${style.dim(`${line.service}${line.replica > 1 ? `#${line.replica}` : ''} |`)} ` +
            `${sanitizeUntrusted(line.text)}`,
        )
        .join('\n')
    }
    case 'doctor':
      return renderDoctorReport(outcome.data as DoctorReport, style)
    case 'stats': {
      // One instance: the sentence says it all; several: the table `aims stats` prints.
      const {instances} = outcome.data as {instances: InstanceStats[]}
      return instances.length > 1 ? statsTable(instances) : undefined
    }
    case 'health': {
      // The sentences say which instance is not healthy and why; the services of those, as `aims health`.
      const failing = (outcome.data as InstanceHealthReport[]).filter((report) => report.health === 'unhealthy')
      return failing.length > 0 ? healthTable(failing, style) : undefined
    }
    case 'events': {
      const events = outcome.data as AimsEvent[]
      if (events.length === 0) return undefined
      const latest = [...events].sort((a, b) => a.time.getTime() - b.time.getTime()).slice(-MAX_EVENTS)
      const widest = Math.min(32, Math.max(...latest.map((event) => eventInstance(event).length)))
      const lines = latest.map((event) => eventLine(event, now, style, {instance: widest}))
      return events.length > MAX_EVENTS
        ? [style.dim(`… ${events.length - MAX_EVENTS} earlier (aims events)`), ...lines].join('\n')
        : lines.join('\n')
    }
    default:
      return undefined
  }
}
