/**
 * The warden's heartbeat: a file on the host (`warden status`, `doctor` and the dock read it; a
 * stale one means the warden is not running) and, when the policy names one, a GET to a URL so an
 * outside monitor (a dead-man's switch) notices when the heartbeats stop.
 */
import type {WardenDeps} from './loop.js'
import {writeHeartbeat, type Heartbeat} from './store.js'

export function heartbeatOf(deps: WardenDeps, now: Date): Heartbeat {
  const runtime = deps.runtime
  const micros = deps.gauge.cpuMicros()
  const elapsedMs = now.getTime() - runtime.cpu.atMs
  if (elapsedMs >= 1000) {
    runtime.cpu = {atMs: now.getTime(), micros, percent: ((micros - runtime.cpu.micros) / 1000 / elapsedMs) * 100}
  }
  const states: Heartbeat['states'] = {}
  for (const [ref, track] of runtime.tracks)
    states[ref] = {
      state: runtime.busy.has(ref) ? 'healing' : track.state,
      since: track.since,
      ...(track.lastAction ? {lastAction: track.lastAction} : {}),
    }
  return {
    version: deps.version,
    build: deps.build,
    pid: deps.gauge.pid,
    startedAt: runtime.startedAt.toISOString(),
    at: now.toISOString(),
    ...(runtime.lastSweep ? {lastSweepAt: runtime.lastSweep.at.toISOString(), sweepMs: runtime.lastSweep.ms} : {}),
    intervalSeconds: runtime.policy.interval,
    instances: runtime.lastSweep?.instances ?? 0,
    probesPerMinute: runtime.probesPerMinute,
    cpuPercent: Math.round(runtime.cpu.percent * 100) / 100,
    rssBytes: deps.gauge.rssBytes(),
    queuedAlerts: deps.alerts.queued(),
    tasks: Object.fromEntries(
      Object.entries(runtime.tasks).map(([name, status]) => [
        name,
        {
          runs: status.runs,
          ...(status.lastRunAt ? {lastRunAt: status.lastRunAt} : {}),
          ...(status.lastError ? {lastError: status.lastError} : {}),
        },
      ]),
    ),
    states,
  }
}

export async function heartbeat(deps: WardenDeps, now: Date): Promise<void> {
  await writeHeartbeat(deps.shell, deps.stateDir, heartbeatOf(deps, now))
  const url = deps.runtime.policy.heartbeatUrl
  if (url && deps.ping) await deps.ping(url).catch((error: Error) => deps.log(`heartbeat URL: ${error.message}`))
}
