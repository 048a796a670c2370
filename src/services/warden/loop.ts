/**
 * The warden's loop: a list of named periodic tasks (the health sweep, the heartbeat, and whatever
 * other features register in tasks.ts: scheduled backups, sandbox TTLs, Swarm following…), each run
 * when due, one at a time, never two runs of one task at once. The policy is read again on every
 * tick, so `aims warden policy interval 5` takes effect without a restart.
 */
import type {InstanceTrack} from '../../core/warden/healing.js'
import type {Note} from '../../core/warden/healing.js'
import type {WardenPolicy} from '../../core/warden/policy.js'
import type {AlertPayload} from '../../core/warden/alerts.js'
import type {Clock, HostSession, HostShell, LifecycleDeps} from '../ports.js'
import type {HistoryWriter} from './history.js'

/** Delivers alerts (queued, deduplicated, throttled by the implementation). */
export interface AlertSink {
  notify(notes: Note[], now: Date): void
  /** Lifecycle events the policy's alert-on names (deploy, scale, down…), already as payloads. */
  notifyLifecycle(payloads: AlertPayload[], now: Date): void
  /** Messages waiting to be delivered (or retried). */
  queued(): number
  /** Waits for what is queued to be attempted once. */
  flush(): Promise<void>
}

export interface ProcessGauge {
  pid: number
  /** User + system CPU time of this process, microseconds. */
  cpuMicros(): number
  rssBytes(): number
}

export interface TaskStatus {
  runs: number
  lastRunAt?: string
  lastError?: string
  lastMs?: number
}

/** The warden's memory between ticks (one per process; nothing module-level). */
export interface WardenRuntime {
  policy: WardenPolicy
  startedAt: Date
  tracks: Map<string, InstanceTrack>
  /** When each instance was last probed (ms): one with an interval of its own is probed less or more often. */
  probedAt: Map<string, number>
  /** Instances with a healing step in flight (the sweep leaves them alone). */
  busy: Set<string>
  inFlight: Set<Promise<void>>
  tasks: Record<string, TaskStatus>
  lastSweep?: {at: Date; ms: number; instances: number; probes: number}
  /** Probes per minute, over the last sweeps. */
  probesPerMinute: number
  cpu: {atMs: number; micros: number; percent: number}
  /** Where the lifecycle-alerts task goes on reading the host's events file (absent: from its end). */
  lifecycleOffset?: number
}

export interface WardenDeps {
  session: HostSession
  shell: HostShell
  stateDir: string
  clock: Clock
  newId: () => string
  /** The lifecycle deps every action is taken with: the warden's approver, origin `warden`. */
  lifecycle: LifecycleDeps
  history: HistoryWriter
  alerts: AlertSink
  gauge: ProcessGauge
  version: string
  build: string
  log: (line: string) => void
  /** GETs a URL (the heartbeat's dead-man's switch). */
  ping?: (url: string) => Promise<void>
  /** Reads the policy from the host (the runtime keeps the last good one). */
  readPolicy: () => Promise<WardenPolicy>
  runtime: WardenRuntime
}

/** One periodic job of the warden. Register new ones in WARDEN_TASKS (tasks.ts). */
export interface WardenTask {
  name: string
  /** Milliseconds between two runs, given the current policy. */
  every: (policy: WardenPolicy) => number
  run: (deps: WardenDeps, now: Date) => Promise<void>
}

export function newRuntime(policy: WardenPolicy, startedAt: Date): WardenRuntime {
  return {
    policy,
    startedAt,
    tracks: new Map(),
    probedAt: new Map(),
    busy: new Set(),
    inFlight: new Set(),
    tasks: {},
    probesPerMinute: 0,
    cpu: {atMs: startedAt.getTime(), micros: 0, percent: 0},
  }
}

/** Longest sleep between ticks, so a policy change (or the abort) is noticed quickly. */
const MAX_TICK_MS = 2000

/** Runs the tasks until the signal aborts; a task's failure is recorded and never stops the loop. */
export async function runWarden(deps: WardenDeps, tasks: readonly WardenTask[], signal: AbortSignal): Promise<void> {
  const due = new Map<string, number>(tasks.map((task) => [task.name, 0]))
  while (!signal.aborted) {
    try {
      deps.runtime.policy = await deps.readPolicy()
    } catch (error) {
      deps.log(`policy not read (keeping the last one): ${(error as Error).message}`)
    }
    for (const task of tasks) {
      const now = deps.clock.now()
      if (signal.aborted || now.getTime() < (due.get(task.name) ?? 0)) continue
      await runTask(deps, task, now)
      due.set(task.name, now.getTime() + task.every(deps.runtime.policy))
    }
    const next = Math.min(...due.values()) - deps.clock.now().getTime()
    try {
      await deps.clock.sleep(Math.max(10, Math.min(next, MAX_TICK_MS)), signal)
    } catch {
      break
    }
  }
  await Promise.allSettled(deps.runtime.inFlight)
  await deps.alerts.flush()
}

async function runTask(deps: WardenDeps, task: WardenTask, now: Date): Promise<void> {
  const status = (deps.runtime.tasks[task.name] ??= {runs: 0})
  const started = deps.clock.now().getTime()
  try {
    await task.run(deps, now)
    delete status.lastError
  } catch (error) {
    status.lastError = (error as Error).message
    deps.log(`${task.name} failed: ${(error as Error).message}`)
  }
  status.runs += 1
  status.lastRunAt = now.toISOString()
  status.lastMs = deps.clock.now().getTime() - started
}
