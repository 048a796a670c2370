/**
 * Every periodic task the warden runs, in the one place features register theirs
 * (docs/warden.md, "Adding a task"). A task is `{name, every(policy), run(deps, now)}`; the loop
 * (loop.ts) runs each when due and records its last run and error in the heartbeat.
 */
import type {WardenDeps, WardenTask} from './loop.js'
import {heartbeat} from './heartbeat.js'
import {healthSweep} from './sweep.js'
import {shortestInterval} from '../../core/warden/policy.js'

/** Scheduled backups (aims plug backup --every): due ones run, retention pruned; failures are audited and evented. */
async function scheduledBackups(deps: WardenDeps, now: Date): Promise<void> {
  const {runDueBackups} = await import('../backup-schedule.js')
  for (const outcome of await runDueBackups(deps.lifecycle, now))
    if (outcome.status !== 'not-due')
      deps.log(`backup ${outcome.instance}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}`)
}

/** Sandboxes past their --ttl are removed with their network. */
async function sandboxTtls(deps: WardenDeps, now: Date): Promise<void> {
  const {expireSandboxes} = await import('../sandbox.js')
  const {removed} = await expireSandboxes({session: deps.session}, now)
  if (removed.length > 0) deps.log(`sandboxes expired: ${removed.join(', ')}`)
}

/**
 * Lifecycle events (deploy, scale, down, upgrade, rolled back, backup failed: the policy's alert-on) sent
 * to the alert channels, whoever caused them (a CLI on any laptop, the dock, the warden). Reads the host's
 * events file from where it stopped; from its end when alert-on is first set (no replay of old events).
 */
export async function lifecycleAlerts(deps: WardenDeps, now: Date): Promise<void> {
  const runtime = deps.runtime
  const alertOn = runtime.policy.alertOn
  if (alertOn.length === 0) {
    delete runtime.lifecycleOffset
    return
  }
  const {readLifecycleEventsFrom, readRecentLifecycleEvents} = await import('../lifecycle-events.js')
  const stateDir = deps.session.host.stateDir
  if (runtime.lifecycleOffset === undefined) {
    runtime.lifecycleOffset = (await readRecentLifecycleEvents(deps.shell, stateDir, 1)).size
    return
  }
  const read = await readLifecycleEventsFrom(deps.shell, stateDir, runtime.lifecycleOffset)
  runtime.lifecycleOffset = read.offset
  const {lifecycleAlertPayloads} = await import('../../core/warden/alerts.js')
  const payloads = lifecycleAlertPayloads(read.events, alertOn, deps.session.host.name)
  if (payloads.length > 0) deps.alerts.notifyLifecycle(payloads, now)
}

export const WARDEN_TASKS: readonly WardenTask[] = [
  // As often as the shortest interval (per plug, per instance: interval-for); each instance is probed on its own.
  {name: 'health', every: (policy) => shortestInterval(policy) * 1000, run: healthSweep},
  // After the sweep in the same tick, so the heartbeat carries the sweep just made.
  {name: 'heartbeat', every: (policy) => Math.min(policy.interval, 30) * 1000, run: heartbeat},
  {name: 'backups', every: () => 60_000, run: scheduledBackups},
  {name: 'sandboxes', every: () => 60_000, run: sandboxTtls},
  {name: 'lifecycle-alerts', every: (policy) => Math.min(policy.interval, 5) * 1000, run: lifecycleAlerts},
]
