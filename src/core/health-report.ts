/**
 * Health of instances from per-service probe results, and the changes worth
 * recording as "health changed" events. Pure.
 */
import type {LifecycleEvent} from './events.js'
import type {InstanceStatus} from './instances.js'

/** A definite health: what "health changed" events are about. */
export type DefiniteHealth = 'healthy' | 'unhealthy'
export type InstanceVerdict = DefiniteHealth | 'stopped'

export interface ServiceHealth {
  service: string
  replica: number
  container: string
  state: string
  ok: boolean
  /** The probe's own words: "HTTP 200 on /health", "container is exited (exit code 1)". */
  detail: string
}

export interface InstanceHealthReport {
  tenant: string
  instance: string
  ref: string
  plug: string
  status: InstanceStatus
  health: InstanceVerdict
  /** Why: the first failing service's detail, or the entry's probe detail when healthy. */
  detail: string
  services: ServiceHealth[]
}

/**
 * An instance is healthy when every container runs and passes its probe;
 * one whose containers were all stopped on purpose is "stopped", not sick.
 */
export function instanceVerdict(
  status: InstanceStatus,
  services: ServiceHealth[],
): {health: InstanceVerdict; detail: string} {
  if (status === 'stopped' || status === 'created') return {health: 'stopped', detail: `instance is ${status}`}
  const failing = services.find((service) => !service.ok)
  if (failing)
    return {
      health: 'unhealthy',
      detail: `${failing.service}${failing.replica > 1 ? ` #${failing.replica}` : ''}: ${failing.detail}`,
    }
  if (status !== 'running') return {health: 'unhealthy', detail: `instance is ${status}`}
  return {health: 'healthy', detail: services[0]?.detail ?? 'running'}
}

/**
 * The last known definite health of each instance from the host's events:
 * a health-changed event says it outright; a successful deploy, start or
 * restart passed the health gate, so it was healthy then.
 */
export function healthBaseline(events: readonly LifecycleEvent[]): Map<string, DefiniteHealth> {
  const baseline = new Map<string, DefiniteHealth>()
  for (const event of events) {
    const ref = `${event.tenant}/${event.instance}`
    if (event.action === 'health-changed' && event.health) baseline.set(ref, event.health)
    else if (event.action === 'deploy-ready' || event.action === 'started' || event.action === 'restarted')
      baseline.set(ref, 'healthy')
    else if (event.action === 'decommissioned') baseline.delete(ref)
  }
  return baseline
}

export interface HealthChange {
  ref: string
  tenant: string
  instance: string
  from: DefiniteHealth
  to: DefiniteHealth
  detail: string
}

/**
 * Definite changes against what was known. The first sight of an instance is
 * a baseline, not a change; "stopped" and in-between states change nothing.
 * Updates `known` in place so the caller can keep watching.
 */
export function healthChanges(
  known: Map<string, DefiniteHealth>,
  observed: ReadonlyArray<{tenant: string; instance: string; health: string; detail: string}>,
): HealthChange[] {
  const changes: HealthChange[] = []
  for (const item of observed) {
    if (item.health !== 'healthy' && item.health !== 'unhealthy') continue
    const ref = `${item.tenant}/${item.instance}`
    const before = known.get(ref)
    known.set(ref, item.health)
    if (before && before !== item.health)
      changes.push({
        ref,
        tenant: item.tenant,
        instance: item.instance,
        from: before,
        to: item.health,
        detail: item.detail,
      })
  }
  return changes
}

export const healthChangeMessage = (change: HealthChange) =>
  `health changed: ${change.from} → ${change.to} (${change.detail})`
