/** `host ping`: round trips to the engine over the session's one connection. */
import type {HostSession} from './ports.js'

export interface PingResult {
  host: string
  calls: number
  sshLogins: number
  /** Local TCP port of the SSH connection (absent for the local engine). */
  localPort?: number
  connectMs: number
  medianMs: number
  p95Ms: number
  totalMs: number
}

const round = (value: number) => Math.round(value * 10) / 10

export async function pingHost(session: HostSession, count: number, now: () => number): Promise<PingResult> {
  const started = now()
  const engine = await session.engine()
  await engine.ping()
  const connected = now()
  const durations: number[] = []
  for (let index = 1; index < count; index++) {
    const before = now()
    await engine.ping()
    durations.push(now() - before)
  }
  durations.sort((a, b) => a - b)
  const pick = (quantile: number) =>
    durations.length === 0
      ? connected - started
      : durations[Math.min(durations.length - 1, Math.floor(quantile * durations.length))]!
  return {
    host: session.host.name,
    calls: session.metrics().apiCalls,
    sshLogins: session.metrics().sshLogins,
    ...(session.metrics().localPort ? {localPort: session.metrics().localPort} : {}),
    connectMs: round(connected - started),
    medianMs: round(pick(0.5)),
    p95Ms: round(pick(0.95)),
    totalMs: round(now() - started),
  }
}
