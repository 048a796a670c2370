/**
 * Pure presentation of catalog results: tables for ls/search, the detail view
 * of show, and validate's issue lines. No I/O; styling comes in as a Style.
 */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {EnvSpec, HealthSpec, Plug, PlugService} from '../../core/catalog/schema.js'
import {deployOrder, dependencyCondition} from '../../core/catalog/model.js'
import {explainIssue, formatExplainedIssue} from '../../core/catalog/issue-fix.js'
import {sizeToBytes, type MonthlyCost, type Prices, type ResourceTotals} from '../../core/catalog/cost.js'
import {formatBytes} from '../../core/names.js'
import type {
  CatalogListResult,
  CatalogSearchResult,
  CatalogShowResult,
  CatalogValidationResult,
} from '../../services/catalog.js'
import {makeStyle, type Style} from '../style.js'
import {renderTable} from './table.js'
import {truncate, visibleWidth} from './text.js'

const plain = makeStyle(false)

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(amount)
  } catch {
    return `${amount.toFixed(2)} ${currency}`
  }
}

export const formatMonthly = (cost: Pick<MonthlyCost, 'total' | 'currency'>) =>
  `${formatMoney(cost.total, cost.currency)}/mo`

const formatCpus = (cpus: number) => `${cpus} CPU${cpus === 1 ? '' : 's'}`

export function formatResources(totals: Pick<ResourceTotals, 'cpus' | 'memoryBytes' | 'diskBytes'>): string {
  return (
    `${formatCpus(totals.cpus)} · ${formatBytes(totals.memoryBytes)} memory · ${formatBytes(totals.diskBytes)} ` +
    `disk`
  )
}

/** `aims catalog ls`: one row per plug. */
export function renderCatalogList(result: CatalogListResult): string {
  if (result.plugs.length === 0) {
    return result.category ? `No plugs in category "${result.category}".` : 'The catalog is empty.'
  }
  return renderTable(
    ['ID', 'NAME', 'CATEGORY', 'SIZE', 'TIER', 'EST. MONTHLY'],
    result.plugs.map((plug) => [
      plug.id,
      sanitizeUntrusted(plug.name),
      plug.category,
      plug.size,
      plug.tier,
      formatMonthly(plug.monthlyCost),
    ]),
  )
}

/** One line on stderr when some catalog files could not be read. */
export function skippedFilesNote(skipped: number): string | undefined {
  if (skipped === 0) return undefined
  return (
    `${skipped} catalog file${skipped === 1 ? ' was' : 's were'} skipped because ` +
    `${skipped === 1 ? 'it is' : 'they are'} invalid: run aims catalog validate for details`
  )
}

/** `aims catalog search`: ranked rows, or a message that helps when nothing matched. */
export function renderSearchResults(result: CatalogSearchResult, width = 100): string {
  if (result.results.length === 0) {
    return [
      `No plug matches "${sanitizeUntrusted(result.query)}".`,
      'Try a broader word (a category such as "ai", "monitoring" or "database"), or list everything with: ' +
        'aims catalog ls',
    ].join('\n')
  }
  const headers = ['ID', 'NAME', 'CATEGORY', 'MATCH', 'DESCRIPTION']
  const rows = result.results.map((hit) => [hit.id, sanitizeUntrusted(hit.name), hit.category, hit.matched])
  // The description takes what the other columns (and their 2-space gaps) leave of the width.
  const used = [0, 1, 2, 3].reduce(
    (sum, column) =>
      sum + Math.max(visibleWidth(headers[column]!), ...rows.map((row) => visibleWidth(row[column]!))) + 2,
    0,
  )
  return renderTable(
    headers,
    rows.map((row, index) => [
      ...row,
      truncate(sanitizeUntrusted(result.results[index]!.description), Math.max(24, width - used)),
    ]),
  )
}

export function describeHealth(health: HealthSpec | undefined, service: PlugService): string {
  if (!health) return 'none (running counts as ready)'
  const port = 'port' in health && health.port !== undefined ? health.port : service.entry?.port
  switch (health.type) {
    case 'http':
      return `HTTP GET ${health.path} on port ${port} (2xx/3xx)`
    case 'tcp':
      return `TCP connect to port ${port}`
    case 'docker':
      return "the image's own HEALTHCHECK"
    case 'command':
      return `command: ${truncate(health.command.join(' '), 70)}`
  }
}

/** What a user is asked, or what happens when they say nothing. Never a value of a secret. */
export function describeEnvSpec(spec: EnvSpec): {kind: string; fallback: string} {
  if (spec.generate)
    return {
      kind: 'generated',
      fallback: `${spec.generate.length} random ${spec.generate.charset} characters unless given`,
    }
  if (spec.required) return {kind: 'required', fallback: 'must be given'}
  if (spec.default !== undefined)
    return {
      kind: 'optional',
      fallback: spec.secret
        ? 'a default (secret, not shown)'
        : spec.default === ''
          ? 'default: (empty)'
          : `default: ${spec.default}`,
    }
  return {kind: 'optional', fallback: 'empty unless given'}
}

function serviceLines(name: string, service: PlugService, style: Style): string[] {
  const lines = [`  ${style.bold(name)}`, `    image    ${service.image}`]
  if (service.entry)
    lines.push(
      `    entry    ${service.entry.port}/${service.entry.protocol} (published on the host from 51000 ` +
        `up${service.entry.protocol === 'http' ? ', proxied by nginx' : ', 127.0.0.1 only'})`,
    )
  if (service.ports.length > 0) lines.push(`    ports    ${service.ports.join(', ')} (tenant network only)`)
  if (service.command) lines.push(`    command  ${truncate(service.command.join(' ').replace(/\s+/g, ' '), 80)}`)
  for (const volume of service.volumes)
    lines.push(
      `    volume   ${volume.name} → ${volume.path}${volume.size ? ` (${formatBytes(sizeToBytes(volume.size))})` : ''}`,
    )
  const dependencies = Object.entries(service.depends_on).map(
    ([dependency, condition]) => `${dependency} (${dependencyCondition(condition)})`,
  )
  if (dependencies.length > 0) lines.push(`    waits    for ${dependencies.join(', ')}`)
  lines.push(`    health   ${describeHealth(service.health, service)}`)
  const limits = [
    service.resources.cpus !== undefined ? formatCpus(service.resources.cpus) : undefined,
    service.resources.memory ? formatBytes(sizeToBytes(service.resources.memory)) : undefined,
  ].filter(Boolean)
  lines.push(`    limits   ${limits.length > 0 ? limits.join(' · ') : 'defaults (0.5 CPUs · 512 MiB)'}`)
  return lines
}

export function describePrices(prices: Prices): string {
  return (
    `${formatMoney(prices.cpuMonthly, prices.currency)}/vCPU, ` +
    `${formatMoney(prices.memoryGiBMonthly, prices.currency)}/GiB memory, ` +
    `${formatMoney(prices.diskGiBMonthly, prices.currency)}/GiB disk per month`
  )
}

/** `aims catalog show PLUG`. */
export function renderPlugDetails(result: CatalogShowResult, prices: Prices, style: Style = plain): string {
  const plug: Plug = result.plug
  const lines: string[] = []
  lines.push(
    `${style.bold(plug.id)} — ${sanitizeUntrusted(plug.name)}  (${plug.category} · size ${plug.size} · ` +
      `minimum tier ${plug.tier})`,
  )
  lines.push(sanitizeUntrusted(plug.description))
  lines.push(
    `Homepage ${plug.homepage}${plug.docs ? `   Docs ${plug.docs}` : ''}   License ${sanitizeUntrusted(plug.license)}`,
  )
  lines.push(`Tags ${plug.tags.join(', ')}${result.source === 'extra' ? `   From ${result.file}` : ''}`)
  lines.push('')
  const order = deployOrder(plug)
  lines.push(style.bold(`Services${order.length > 1 ? ` (started in order: ${order.join(' → ')})` : ''}`))
  for (const name of order) lines.push(...serviceLines(name, plug.services[name]!, style))
  lines.push('')
  const env = Object.entries(plug.env)
  if (env.length === 0) {
    lines.push(style.bold('Questions'), '  none: this plug needs no settings')
  } else {
    lines.push(style.bold('Questions'))
    const rows = env.map(([key, spec]) => {
      const {kind, fallback} = describeEnvSpec(spec)
      return [`  ${key}`, kind, fallback, sanitizeUntrusted(spec.question ?? spec.description)]
    })
    lines.push(renderTable(['  KEY', 'KIND', 'IF NOT GIVEN', 'QUESTION / MEANING'], rows))
  }
  lines.push('')
  lines.push(`${style.bold('Resources')}  ${formatResources(result.resources)}`)
  lines.push(
    `${style.bold('Estimated cost')}  ${formatMonthly(result.monthlyCost)} (CPU ` +
      `${formatMoney(result.monthlyCost.cpu, result.monthlyCost.currency)} · memory ` +
      `${formatMoney(result.monthlyCost.memory, result.monthlyCost.currency)} · disk ` +
      `${formatMoney(result.monthlyCost.disk, result.monthlyCost.currency)}) at ${describePrices(prices)}`,
  )
  lines.push(
    `${style.bold('Proxy')}  body up to ${plug.proxy.client_max_body_size} · read timeout ` +
      `${plug.proxy.read_timeout_seconds}s · websockets ${plug.proxy.websockets ? 'on' : 'off'}`,
  )
  lines.push(
    `${style.bold('Health gate')}  ${plug.health_gate.retries} tries, ${plug.health_gate.interval_seconds}s apart`,
  )
  if (plug.notes) lines.push(`${style.bold('Notes')}  ${sanitizeUntrusted(plug.notes)}`)
  lines.push('', `Deploy it: aims plug up ${plug.id}`)
  return lines.join('\n')
}

/** `aims catalog validate`: one `file: path: message — fix` line per issue. */
export function renderValidationIssues(result: CatalogValidationResult): string[] {
  return result.issues.map((issue) =>
    formatExplainedIssue(explainIssue({...issue, message: sanitizeUntrusted(issue.message)})),
  )
}

export function validationSummary(result: CatalogValidationResult): string {
  const files = `${result.files} catalog file${result.files === 1 ? '' : 's'}`
  if (result.ok) return `${files} checked: all valid.`
  const broken = new Set(result.issues.map((issue) => issue.file)).size
  return `${result.issues.length} issue${result.issues.length === 1 ? '' : 's'} in ${broken} of ${files}.`
}
