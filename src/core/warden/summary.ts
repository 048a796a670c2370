/**
 * The warden as the dock shows it, from the heartbeat file the warden writes on the host (an
 * untrusted JSON file: every field is checked). Pure.
 */

/** running: a recent heartbeat; stale: an old one (the warden stopped or hangs); absent: none on the host. */
export type WardenPresence = 'running' | 'stale' | 'absent'

export interface InstanceWardenSummary {
  /** healthy / degraded / down / healing / gave-up / stopped (as the warden judged it). */
  state: string
  lastAction?: {step: string; outcome: string; at: string}
}

export interface WardenSummary {
  presence: WardenPresence
  /** When the last heartbeat was written (ms since epoch). */
  heartbeatAt?: number
  lastSweepAt?: number
  intervalSeconds?: number
  states: Record<string, InstanceWardenSummary>
}

/** A heartbeat older than three intervals (at least 30 s) means the warden is not running. */
export function heartbeatIsStale(ageSeconds: number, intervalSeconds: number | undefined): boolean {
  return ageSeconds > 3 * Math.max(intervalSeconds ?? 30, 10)
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const time = (value: unknown): number | undefined => {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isFinite(parsed) ? parsed : undefined
}

/** The summary of a heartbeat read from the host (undefined: no heartbeat file), as of `now`. */
export function wardenSummary(heartbeat: unknown, now: number): WardenSummary {
  const beat = heartbeat && typeof heartbeat === 'object' ? (heartbeat as Record<string, unknown>) : undefined
  const at = time(beat?.at)
  if (!beat || at === undefined) return {presence: 'absent', states: {}}
  const interval =
    typeof beat.intervalSeconds === 'number' && beat.intervalSeconds > 0 ? beat.intervalSeconds : undefined
  const lastSweepAt = time(beat.lastSweepAt)
  const states: Record<string, InstanceWardenSummary> = {}
  const raw = beat.states && typeof beat.states === 'object' ? (beat.states as Record<string, unknown>) : {}
  for (const [ref, value] of Object.entries(raw)) {
    const entry = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
    const state = text(entry?.state)
    if (!entry || !state) continue
    const action =
      entry.lastAction && typeof entry.lastAction === 'object'
        ? (entry.lastAction as Record<string, unknown>)
        : undefined
    const step = text(action?.step)
    const outcome = text(action?.outcome)
    const actionAt = text(action?.at)
    states[ref] = {state, ...(step && outcome && actionAt ? {lastAction: {step, outcome, at: actionAt}} : {})}
  }
  return {
    presence: heartbeatIsStale(Math.max(0, (now - at) / 1000), interval) ? 'stale' : 'running',
    heartbeatAt: at,
    ...(lastSweepAt !== undefined ? {lastSweepAt} : {}),
    ...(interval !== undefined ? {intervalSeconds: interval} : {}),
    states,
  }
}
