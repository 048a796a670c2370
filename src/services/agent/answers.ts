/**
 * Tool results in words, for a person: what ACHEEVY says after a read
 * ("acme/n8n uses 312 MiB of 1 GiB (30 %) and 4 % CPU"), in the chat, in
 * `aims ask` and in what the model is told. Pure; names and probe details
 * come from the host, so callers sanitize before a terminal (the display
 * does). Log text is redacted of secret values and shapes here.
 */
import {redactSecrets} from '../../core/ai/redact.js'
import type {AimsEvent} from '../../core/events.js'
import type {InstanceHealthReport} from '../../core/health-report.js'
import type {InstanceView} from '../../core/instances.js'
import type {InstanceStats} from '../../core/stats.js'

const plural = (count: number, word: string, many = `${word}s`) => `${count} ${count === 1 ? word : many}`

/** 312 MiB, 1 GiB, 1.5 GiB, 640 KiB: binary units, at most one decimal. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const rounded = unit === 0 || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10
  return `${rounded} ${units[unit]}`
}

/** 4 %, 0.3 %, 250 % (100 % is one full core). */
export function percentText(percent: number): string {
  const value = percent >= 10 ? Math.round(percent) : Math.round(percent * 10) / 10
  return `${value} %`
}

function usage(instance: InstanceStats): string {
  const memory =
    instance.memoryLimitBytes > 0
      ? `${bytesText(instance.memoryBytes)} of ${bytesText(instance.memoryLimitBytes)} ` +
        `(${Math.round((100 * instance.memoryBytes) / instance.memoryLimitBytes)} %)`
      : bytesText(instance.memoryBytes)
  return `${memory} and ${percentText(instance.cpuPercent)} CPU`
}

const sampled = (instance: InstanceStats) => instance.containers.some((container) => container.sampled)

/** "acme/n8n uses 312 MiB of 1 GiB (30 %) and 4 % CPU." — or, for many, the total and the hungriest. */
export function statsAnswer(instances: readonly InstanceStats[]): string {
  if (instances.length === 0) return 'Nothing is deployed here, so there is nothing to measure.'
  const running = instances.filter(sampled)
  const idle = instances.filter((instance) => !sampled(instance)).map((instance) => instance.ref)
  const idleText = idle.length === 0 ? '' : ` Not running: ${idle.join(', ')}.`
  if (instances.length === 1) {
    const [only] = instances
    if (running.length === 0) return `${only!.ref} is ${only!.status}: it uses no CPU or memory now.`
    const containers = only!.containers.filter((container) => container.sampled).length
    return `${only!.ref} uses ${usage(only!)}${containers > 1 ? ` across ${containers} containers` : ''}.`
  }
  if (running.length === 0) return `None of the ${instances.length} instances is running.${idleText}`
  const memory = running.reduce((sum, instance) => sum + instance.memoryBytes, 0)
  const cpu = running.reduce((sum, instance) => sum + instance.cpuPercent, 0)
  const top = [...running].sort((a, b) => b.memoryBytes - a.memoryBytes)[0]!
  return (
    `${plural(running.length, 'running instance')} use ${bytesText(memory)} of memory and ${percentText(cpu)} ` +
    `CPU in all; the most memory: ${top.ref} with ${usage(top)}.${idleText}`
  )
}

/** One sentence per instance that is not healthy, or that all are. */
export function healthAnswer(reports: readonly InstanceHealthReport[]): string {
  if (reports.length === 0) return 'Nothing is deployed here, so there is nothing to check.'
  const healthy = reports.filter((report) => report.health === 'healthy')
  if (healthy.length === reports.length)
    return reports.length === 1
      ? `${reports[0]!.ref} is healthy${reports[0]!.detail ? ` (${reports[0]!.detail})` : ''}.`
      : `All ${reports.length} instances are healthy.`
  const sentences = reports
    .filter((report) => report.health !== 'healthy')
    .map((report) =>
      report.health === 'stopped'
        ? `${report.ref} is stopped.`
        : `${report.ref} is unhealthy: ${report.detail || 'a service fails its probe'}.`,
    )
  if (healthy.length > 0)
    sentences.push(healthy.length === 1 ? `${healthy[0]!.ref} is healthy.` : `The other ${healthy.length} are healthy.`)
  return sentences.join(' ')
}

/** "3 instances on prod: 2 healthy, 1 unhealthy (acme/n8n)." */
export function listAnswer(instances: readonly InstanceView[], host: string, tenant?: string): string {
  if (instances.length === 0) return `Nothing is deployed on ${host}${tenant ? ` for tenant ${tenant}` : ''}.`
  const groups = new Map<string, string[]>()
  for (const instance of instances) {
    const key = instance.status === 'running' ? instance.health : instance.status
    groups.set(key, [...(groups.get(key) ?? []), instance.ref])
  }
  const parts = [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([state, refs]) =>
      state === 'healthy' || refs.length > 3
        ? `${refs.length} ${state}`
        : `${refs.length} ${state} (${refs.join(', ')})`,
    )
  const scope = `${host}${tenant ? ` for tenant ${tenant}` : ''}`
  return `${plural(instances.length, 'instance')} on ${scope}: ${parts.join(', ')}.`
}

const TROUBLE = /\b(?:error|err|fatal|panic|exception|fail(?:ed|ure)?|critical|crit|warn(?:ing)?)\b/i

/** "50 log lines of acme/n8n, 2 of them errors or warnings (the last: …)." Secrets redacted. */
export function logsAnswer(
  lines: ReadonlyArray<{text: string; service: string}>,
  instance: string,
  secrets: Iterable<string> = [],
): string {
  if (lines.length === 0) return `${instance} has written no log lines yet.`
  const trouble = lines.filter((line) => TROUBLE.test(line.text))
  const services = new Set(lines.map((line) => line.service))
  const from = services.size > 1 ? ` from ${plural(services.size, 'service')}` : ''
  if (trouble.length === 0)
    return `${plural(lines.length, 'log line')} of ${instance}${from}, none of them an error or a warning.`
  const last = redactSecrets(trouble.at(-1)!.text.trim(), secrets)
  const shown = last.length > 120 ? `${last.slice(0, 117)}…` : last
  return (
    `${plural(lines.length, 'log line')} of ${instance}${from}, ${trouble.length} of them ` +
    `${trouble.length === 1 ? 'an error or a warning' : 'errors or warnings'} (the last: "${shown}").`
  )
}

/** "12 events in the last hour, the latest: acme/n8n restarted." */
export function eventsAnswer(events: readonly AimsEvent[], window = 'in the last hour'): string {
  if (events.length === 0) return `No events ${window}.`
  const latest = [...events].sort((a, b) => b.time.getTime() - a.time.getTime())[0]!
  const where = latest.tenant && latest.instance ? `${latest.tenant}/${latest.instance}: ` : ''
  const instances = new Set(events.flatMap((event) => (event.instance ? [`${event.tenant}/${event.instance}`] : [])))
  return (
    `${plural(events.length, 'event')} ${window}` +
    `${instances.size > 0 ? ` about ${plural(instances.size, 'instance')}` : ''}; ` +
    `the latest: ${where}${latest.message}.`
  )
}

/** Log lines with secret values and secret-shaped text masked, for a person's screen. */
export function redactedLines<T extends {text: string}>(lines: readonly T[], secrets: Iterable<string>): T[] {
  const known = [...secrets]
  return lines.map((line) => ({...line, text: redactSecrets(line.text, known)}))
}
