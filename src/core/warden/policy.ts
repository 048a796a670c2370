/**
 * What the warden may do on its own, and how patient it is: the policy a user sets with
 * `aims warden policy KEY VALUE`, kept on the host (`<stateDir>/warden/policy.json`) so every
 * laptop sees and changes the same one. Pure: parsing, defaults, one key at a time.
 */
import {usageError, shown} from '../errors.js'
import {RESOURCE_NAME} from '../names.js'

/** yes: the warden does it on its own; ask: it alerts and waits for a person; no: never. */
export type Permission = 'yes' | 'ask' | 'no'
export const HEALING_ACTIONS = ['restart', 'recreate', 'rollback', 'stop'] as const
export type HealingAction = (typeof HEALING_ACTIONS)[number]

export interface WardenPolicy {
  /** Seconds between health sweeps. */
  interval: number
  /** Consecutive failed sweeps before an instance is down (one bad sample is never an incident). */
  failAfter: number
  /** Consecutive good sweeps before a down instance is healthy again. */
  recoverAfter: number
  restart: Permission
  recreate: Permission
  rollback: Permission
  /** After giving up: stop the instance (so a crash loop stops burning the host). */
  stop: Permission
  /** Restarts tried before escalating to recreate. */
  restartAttempts: number
  /** Longest wait between two healing steps, seconds (backoff doubles from one interval). */
  maxBackoff: number
  /** Tenants the warden looks after; empty: all. */
  tenants: string[]
  /** Alerts per instance per hour at most (the rest are counted, not sent). */
  alertsPerHour: number
  /**
   * Minutes after a recovery during which a new failure reopens the same incident (flapping: one
   * incident, its ladder resumed, no second "down"/"recovered" alert). 0: off.
   */
  flapCooldown: number
  /** Sweep intervals (seconds) of their own, by instance (TENANT/INSTANCE) or plug id; the instance's wins. */
  intervals: Record<string, number>
  /** Lifecycle events sent to the alert channels too (deploy, scale, down, upgrade, rolled-back, backup-failed). */
  alertOn: string[]
  /** A URL the warden GETs after every sweep (a dead-man's switch such as a push monitor). */
  heartbeatUrl?: string
}

export const DEFAULT_POLICY: WardenPolicy = {
  interval: 30,
  failAfter: 3,
  recoverAfter: 2,
  restart: 'yes',
  recreate: 'yes',
  rollback: 'ask',
  stop: 'no',
  restartAttempts: 2,
  maxBackoff: 600,
  tenants: [],
  alertsPerHour: 20,
  flapCooldown: 0,
  alertOn: [],
  intervals: {},
}

/** The lifecycle events `alert-on` takes. */
export const LIFECYCLE_ALERTS = ['deploy', 'scale', 'down', 'upgrade', 'rolled-back', 'backup-failed'] as const

interface KeySpec {
  field: keyof WardenPolicy
  describe: string
  parse: (value: string) => WardenPolicy[keyof WardenPolicy] | undefined
}

const integer = (min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value)) return undefined
  const number = Number(value)
  return number >= min && number <= max ? number : undefined
}
const permission = (value: string) => (['yes', 'ask', 'no'].includes(value) ? (value as Permission) : undefined)

/** The keys `aims warden policy` takes, as the user spells them. */
export const POLICY_KEYS: Record<string, KeySpec> = {
  interval: {field: 'interval', describe: 'seconds between sweeps, 1-3600', parse: integer(1, 3600)},
  'interval-for': {
    field: 'intervals',
    describe: 'NAME=SECONDS (NAME: a plug id or TENANT/INSTANCE; SECONDS 1-3600, or - to drop it)',
    parse: (value) => {
      const match = /^([a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*)?)=(\d+|-)$/.exec(value)
      if (!match) return undefined
      if (match[2] === '-') return {[match[1]!]: 0}
      const seconds = Number(match[2])
      return seconds >= 1 && seconds <= 3600 ? {[match[1]!]: seconds} : undefined
    },
  },
  'fail-after': {field: 'failAfter', describe: 'failed sweeps before down, 1-100', parse: integer(1, 100)},
  'recover-after': {field: 'recoverAfter', describe: 'good sweeps before healthy, 1-100', parse: integer(1, 100)},
  restart: {field: 'restart', describe: 'yes, ask or no', parse: permission},
  recreate: {field: 'recreate', describe: 'yes, ask or no', parse: permission},
  rollback: {field: 'rollback', describe: 'yes, ask or no', parse: permission},
  stop: {field: 'stop', describe: 'yes, ask or no (stop an instance the warden gave up on)', parse: permission},
  'restart-attempts': {field: 'restartAttempts', describe: 'restarts before recreate, 0-10', parse: integer(0, 10)},
  'max-backoff': {field: 'maxBackoff', describe: 'seconds, 1-86400', parse: integer(1, 86_400)},
  'alerts-per-hour': {field: 'alertsPerHour', describe: 'per instance, 1-1000', parse: integer(1, 1000)},
  'flap-cooldown': {
    field: 'flapCooldown',
    describe: 'minutes after a recovery in which a new failure reopens the incident, 0-1440 (0: off)',
    parse: integer(0, 1440),
  },
  'alert-on': {
    field: 'alertOn',
    describe: `comma-separated lifecycle events (${LIFECYCLE_ALERTS.join(', ')}), or - for none`,
    parse: (value) => {
      if (value === '-' || value === '') return []
      const names = [...new Set(value.split(',').map((name) => name.trim()))]
      return names.every((name) => (LIFECYCLE_ALERTS as readonly string[]).includes(name)) ? names : undefined
    },
  },
  tenants: {
    field: 'tenants',
    describe: 'comma-separated tenant names, or * for all',
    parse: (value) => {
      if (value === '*' || value === '') return []
      const names = value.split(',').map((name) => name.trim())
      return names.every((name) => RESOURCE_NAME.test(name)) ? names : undefined
    },
  },
  'heartbeat-url': {
    field: 'heartbeatUrl',
    describe: 'an http(s) URL, or - for none',
    parse: (value) => (value === '-' ? '' : /^https?:\/\/[^\s]+$/.test(value) ? value : undefined),
  },
}

/** Sets one key; bad input is a usage error naming the key and what it takes. */
export function setPolicyKey(policy: WardenPolicy, key: string, value: string): WardenPolicy {
  const spec = POLICY_KEYS[key]
  if (!spec) throw usageError(`unknown warden policy key ${shown(key)}`, `keys: ${Object.keys(POLICY_KEYS).join(', ')}`)
  const parsed = spec.parse(value.trim())
  if (parsed === undefined)
    throw usageError(`invalid value ${shown(value)} for ${key}`, `${key} takes ${spec.describe}`)
  if (spec.field === 'intervals') {
    // One name at a time, merged into the others; 0 (typed as -) drops it.
    const merged = {...policy.intervals, ...(parsed as Record<string, number>)}
    return {...policy, intervals: Object.fromEntries(Object.entries(merged).filter(([, seconds]) => seconds > 0))}
  }
  if (spec.field === 'heartbeatUrl') {
    const {heartbeatUrl: _dropped, ...rest} = policy
    return parsed === '' ? rest : {...rest, heartbeatUrl: parsed as string}
  }
  return {...policy, [spec.field]: parsed}
}

/** The policy file's content over the defaults; unknown or invalid fields fall back to the default. */
export function parsePolicy(raw: unknown): WardenPolicy {
  const source = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  let policy: WardenPolicy = {...DEFAULT_POLICY}
  for (const [key, spec] of Object.entries(POLICY_KEYS)) {
    const value = source[spec.field]
    if (value === undefined) continue
    if (spec.field === 'intervals') {
      if (value && typeof value === 'object')
        for (const [name, seconds] of Object.entries(value as Record<string, unknown>))
          try {
            policy = setPolicyKey(policy, key, `${name}=${String(seconds)}`)
          } catch {
            // a name or value written by hand wrongly is dropped
          }
      continue
    }
    const text = Array.isArray(value) ? value.join(',') : String(value)
    try {
      policy = setPolicyKey(policy, key, text)
    } catch {
      // keep the default for a field someone wrote by hand wrongly
    }
  }
  return policy
}

/** `KEY value` rows, in the order the keys are documented. */
export function policyRows(policy: WardenPolicy): Array<{key: string; value: string}> {
  return Object.entries(POLICY_KEYS).map(([key, spec]) => {
    const value = policy[spec.field]
    if (spec.field === 'intervals') {
      const entries = Object.entries(policy.intervals)
      return {key, value: entries.length > 0 ? entries.map(([name, seconds]) => `${name}=${seconds}`).join(',') : '-'}
    }
    return {
      key,
      value: Array.isArray(value)
        ? value.length > 0
          ? value.join(',')
          : spec.field === 'alertOn'
            ? '-'
            : '*'
        : value === undefined
          ? '-'
          : String(value),
    }
  })
}

export const inScope = (policy: WardenPolicy, tenant: string) =>
  policy.tenants.length === 0 || policy.tenants.includes(tenant)

/** An instance's sweep interval, seconds: its own, else its plug's, else the policy's. */
export function intervalFor(policy: WardenPolicy, ref: string, plug: string): number {
  return policy.intervals[ref] ?? policy.intervals[plug] ?? policy.interval
}

/** How often the health task must run: the shortest interval of any instance. */
export function shortestInterval(policy: WardenPolicy): number {
  return Math.min(policy.interval, ...Object.values(policy.intervals))
}

/**
 * Whether an instance is probed in this sweep: its interval has passed since its last probe (half a
 * second of slack, so a sweep a little early for a timer's jitter still probes it).
 */
export function probeDue(
  policy: WardenPolicy,
  ref: string,
  plug: string,
  lastProbedMs: number | undefined,
  nowMs: number,
) {
  return lastProbedMs === undefined || nowMs - lastProbedMs >= intervalFor(policy, ref, plug) * 1000 - 500
}
