/**
 * What happened to instances, from two sources merged into one stream: the
 * engine's own events for aims-labelled objects, and aims' lifecycle events
 * (deploy started/ready/failed, restarted, decommissioned, health changed…)
 * that every aims process appends to a JSONL file on the host, so any machine
 * watching the host sees them. Pure: parsing, mapping, filtering, ordering.
 */
import {usageError, shown} from './errors.js'
import {LABEL, type EngineEvent} from './engine-types.js'
import {RESOURCE_NAME} from './names.js'

export type EventSource = 'engine' | 'aims'

export const LIFECYCLE_ACTIONS = [
  'deploy-started',
  'deploy-ready',
  'deploy-failed',
  'deploy-rolled-back',
  'health-changed',
  'started',
  'stopped',
  'restarted',
  'scaled',
  'decommissioned',
  'start-failed',
  'stop-failed',
  'restart-failed',
  'scale-failed',
  'decommission-failed',
  'upgraded',
  'upgrade-rolled-back',
  'upgrade-failed',
  'rolled-back',
  'rollback-failed',
  'backed-up',
  'backup-failed',
  'restored',
  'restore-failed',
  'recreated',
  'recreate-failed',
  'healing',
  'gave-up',
  'recovered',
] as const
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number]

/** One line of `<stateDir>/events.jsonl` on the host. Never holds secret values. */
export interface LifecycleEvent {
  v: 1
  /** Unique: lets a reader drop a line it has already seen. */
  id: string
  time: string
  action: LifecycleAction
  tenant: string
  instance: string
  service?: string
  message: string
  /** user@machine */
  actor: string
  origin: 'cli' | 'chat' | 'ask' | 'dock' | 'warden'
  host?: string
  /** For health-changed: the health the instance changed to. */
  health?: 'healthy' | 'unhealthy'
}

/** An event as aims shows it (`aims events`, the dock's strip), whatever its source. */
export interface AimsEvent {
  /** container | network | volume | image | lifecycle */
  type: string
  action: string
  tenant?: string
  instance?: string
  service?: string
  time: Date
  source: EventSource
  message: string
  actor?: string
  /** Lifecycle event id, or engine event id + action + time: for de-duplication. */
  key: string
}

/** The `--json` line: exactly these keys, one object per line. */
export interface EventJson {
  type: string
  action: string
  tenant: string | null
  instance: string | null
  service: string | null
  time: string
  source: EventSource
  message: string
  actor?: string
}

/**
 * Engine actions that say nothing a person watching instances needs: health
 * checks run as execs every few seconds, terminal attach/resize, copies.
 */
const NOISE = new Set([
  'exec_create',
  'exec_start',
  'exec_die',
  'exec_detach',
  'attach',
  'detach',
  'resize',
  'top',
  'export',
  'commit',
  'copy',
  'archive-path',
  'extract-to-dir',
  'update',
])

export function isNoiseAction(action: string): boolean {
  return NOISE.has(action.split(':')[0]!.trim())
}

function engineMessage(event: EngineEvent): string {
  const attributes = event.attributes
  const name = attributes.name ?? event.id.slice(0, 12)
  const action = event.action
  if (action === 'die')
    return `${name} exited${attributes.exitCode !== undefined ? ` (exit code ${attributes.exitCode})` : ''}`
  if (action === 'kill') return `${name} was sent signal ${attributes.signal ?? '?'}`
  if (action === 'oom') return `${name} ran out of memory`
  if (action.startsWith('health_status'))
    return `${name} is ${action.slice(action.indexOf(':') + 1).trim()} (Docker health check)`
  if (event.type === 'network' && (action === 'connect' || action === 'disconnect'))
    return `network ${name} ${action}ed ${attributes.container?.slice(0, 12) ?? ''}`.trim()
  return `${event.type} ${name} ${action}`
}

/**
 * An engine event as aims shows it, or undefined when it is noise or not
 * about an aims-managed object.
 */
export function engineEventToAims(event: EngineEvent): AimsEvent | undefined {
  if (isNoiseAction(event.action)) return undefined
  const attributes = event.attributes
  if (event.type === 'container' && attributes[LABEL.managed] !== 'true') return undefined
  const tenant = attributes[LABEL.tenant]
  const instance = attributes[LABEL.instance]
  const service = attributes[LABEL.service]
  return {
    type: event.type,
    action: event.action,
    ...(tenant ? {tenant} : {}),
    ...(instance ? {instance} : {}),
    ...(service ? {service} : {}),
    time: event.time,
    source: 'engine',
    message: engineMessage(event),
    key: `engine:${event.id}:${event.action}:${event.time.getTime()}`,
  }
}

export function lifecycleEventToAims(event: LifecycleEvent): AimsEvent {
  return {
    type: 'lifecycle',
    action: event.action,
    tenant: event.tenant,
    instance: event.instance,
    ...(event.service ? {service: event.service} : {}),
    time: new Date(event.time),
    source: 'aims',
    message: event.message,
    actor: event.actor,
    key: `aims:${event.id}`,
  }
}

export function eventToJson(event: AimsEvent): EventJson {
  return {
    type: event.type,
    action: event.action,
    tenant: event.tenant ?? null,
    instance: event.instance ?? null,
    service: event.service ?? null,
    time: event.time.toISOString(),
    source: event.source,
    message: event.message,
    ...(event.actor ? {actor: event.actor} : {}),
  }
}

const ORIGINS = new Set(['cli', 'chat', 'ask', 'dock', 'warden'])
const ACTIONS = new Set<string>(LIFECYCLE_ACTIONS)
const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined

/**
 * Lines of the host's events file. Anyone with access to the host can write
 * there, so each line is checked field by field; a malformed line is skipped,
 * never trusted.
 */
export function parseLifecycleLines(content: string): LifecycleEvent[] {
  const events: LifecycleEvent[] = []
  for (const line of content.split('\n')) {
    if (line.trim() === '') continue
    let raw: Record<string, unknown>
    try {
      raw = JSON.parse(line) as Record<string, unknown>
    } catch {
      continue
    }
    if (!raw || typeof raw !== 'object') continue
    const id = text(raw.id, 64)
    const time = text(raw.time, 40)
    const action = text(raw.action, 40)
    const tenant = text(raw.tenant, 32)
    const instance = text(raw.instance, 32)
    const message = text(raw.message, 2000)
    const actor = text(raw.actor, 200) ?? 'unknown'
    const origin = text(raw.origin, 10)
    if (!id || !time || Number.isNaN(Date.parse(time)) || !action || !ACTIONS.has(action)) continue
    if (!tenant || !RESOURCE_NAME.test(tenant) || !instance || !RESOURCE_NAME.test(instance) || message === undefined)
      continue
    const service = text(raw.service, 64)
    const host = text(raw.host, 64)
    const health = raw.health === 'healthy' || raw.health === 'unhealthy' ? raw.health : undefined
    events.push({
      v: 1,
      id,
      time,
      action: action as LifecycleAction,
      tenant,
      instance,
      ...(service ? {service} : {}),
      message,
      actor,
      origin: (origin && ORIGINS.has(origin) ? origin : 'cli') as LifecycleEvent['origin'],
      ...(host ? {host} : {}),
      ...(health ? {health} : {}),
    })
  }
  return events
}

/** What a lifecycle service just recorded in the audit log, as a lifecycle event. */
export function lifecycleActionFor(
  auditAction: string,
  outcome: 'applied' | 'failed' | 'rolled-back' | 'declined',
): LifecycleAction | undefined {
  if (outcome === 'declined') return undefined
  const verb = auditAction.replace(/^plug /, '')
  if (verb === 'up')
    return outcome === 'applied' ? 'deploy-ready' : outcome === 'rolled-back' ? 'deploy-rolled-back' : 'deploy-failed'
  if (verb === 'down') return outcome === 'applied' ? 'decommissioned' : 'decommission-failed'
  if (verb === 'upgrade')
    return outcome === 'applied' ? 'upgraded' : outcome === 'rolled-back' ? 'upgrade-rolled-back' : 'upgrade-failed'
  if (verb === 'rollback') return outcome === 'applied' ? 'rolled-back' : 'rollback-failed'
  if (verb === 'backup') return outcome === 'applied' ? 'backed-up' : 'backup-failed'
  if (verb === 'restore') return outcome === 'applied' ? 'restored' : 'restore-failed'
  const applied: Record<string, LifecycleAction> = {
    start: 'started',
    stop: 'stopped',
    restart: 'restarted',
    scale: 'scaled',
    'warden recreate': 'recreated',
    'warden rollback': 'rolled-back',
  }
  const failed: Record<string, LifecycleAction> = {
    start: 'start-failed',
    stop: 'stop-failed',
    restart: 'restart-failed',
    scale: 'scale-failed',
    'warden recreate': 'recreate-failed',
    'warden rollback': 'rollback-failed',
  }
  return outcome === 'applied' ? applied[verb] : failed[verb]
}

/**
 * `--since`: a duration back from now (90s, 10m, 2h, 1d, or combined 1h30m)
 * or an ISO date/time.
 */
export function parseSince(value: string, now: Date): Date {
  const trimmed = value.trim()
  const duration = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed)
  if (duration && trimmed !== '') {
    const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = duration
    const ms = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000
    return new Date(now.getTime() - ms)
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) {
    const date = new Date(trimmed)
    if (date.getTime() > now.getTime())
      throw usageError(`--since ${shown(value)} is in the future`, 'give a past time, or a duration such as 10m')
    return date
  }
  throw usageError(
    `invalid --since ${shown(value)}`,
    'give a duration such as 90s, 10m, 2h, 1d or 1h30m, or an ISO time such as 2025-01-31T12:00:00Z',
  )
}

/**
 * Events in time order; equal times keep their order (engine before aims for the same instant is arbitrary but stable).
 */
export function sortEvents(events: AimsEvent[]): AimsEvent[] {
  return events
    .map((event, index) => ({event, index}))
    .sort((a, b) => a.event.time.getTime() - b.event.time.getTime() || a.index - b.index)
    .map(({event}) => event)
}

/** Tenant filter for both sources (the engine's is also applied server-side). */
export function inTenant(event: AimsEvent, tenant: string | undefined): boolean {
  return !tenant || event.tenant === tenant
}

/**
 * Remembers the keys of recent events so an event read twice (a poll that
 * overlaps, two docks recording the same health change) is shown once.
 * Bounded: it forgets the oldest keys past `capacity`.
 */
export class SeenEvents {
  private readonly keys = new Set<string>()
  constructor(private readonly capacity = 2000) {}

  /** True the first time a key is offered. */
  firstTime(key: string): boolean {
    if (this.keys.has(key)) return false
    this.keys.add(key)
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value
      if (oldest !== undefined) this.keys.delete(oldest)
    }
    return true
  }
}
