/**
 * Host locks that say why a wait is long: the holder of a lock records who it is (this machine, the pid,
 * what it does, since when) beside the lock file, and a waiter names it after WAIT_NOTE_MS, with how to
 * cancel. The record holds no argv (no --env values): only the operation aims describes.
 */
import {hostname} from 'node:os'
import {sanitizeField} from '../core/text/sanitize.js'
import type {HostLock, HostSession} from './ports.js'
import type {Progress} from './progress.js'

/** After this long without the lock, the wait is explained. */
export const WAIT_NOTE_MS = 2000

export interface LockHolder {
  /** The machine the holding aims runs on. */
  machine: string
  pid: number
  /** What it does, in aims' words ("plug up fixture-web as acme/web"). */
  doing: string
  actor?: string
  since: string
}

export const holderPath = (stateDir: string, name: string) => `${stateDir}/locks/${name}.holder`

export async function readHolder(session: HostSession, name: string): Promise<LockHolder | undefined> {
  const data = await (await session.shell()).readFile(holderPath(session.host.stateDir, name)).catch(() => undefined)
  if (!data) return undefined
  try {
    // The lock helper stores the record as base64 (one shell-safe word).
    const parsed = JSON.parse(
      Buffer.from(data.toString('utf8').trim(), 'base64').toString('utf8'),
    ) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number' || typeof parsed.machine !== 'string' || typeof parsed.since !== 'string')
      return undefined
    return {
      machine: parsed.machine,
      pid: parsed.pid,
      doing: typeof parsed.doing === 'string' ? parsed.doing : 'unknown',
      since: parsed.since,
      ...(typeof parsed.actor === 'string' ? {actor: parsed.actor} : {}),
    }
  } catch {
    return undefined
  }
}

/** "another aims process (pid 4242 on laptop, plug up n8n as acme/n8n, since 10:41:07 UTC)". Pure. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another aims process'
  const since = holder.since.slice(11, 19)
  const who = holder.actor ? `${sanitizeField(holder.actor)}, ` : ''
  return (
    `another aims process (${who}pid ${holder.pid} on ${sanitizeField(holder.machine)}: ` +
    `${sanitizeField(holder.doing)}, since ${since} UTC)`
  )
}

/**
 * Takes a waiting lock that records this process as its holder (the lock helper writes the record
 * beside the lock file and removes it on release); past WAIT_NOTE_MS says who holds it (progress).
 */
export async function holdHostLock(
  deps: {session: HostSession; progress: Progress; clock: {now(): Date}; actor?: string},
  name: string,
  options: {timeoutMs: number; doing: string; what: string},
): Promise<HostLock> {
  const {session} = deps
  const started = deps.clock.now().getTime()
  const holder: LockHolder = {
    machine: hostname(),
    pid: process.pid,
    doing: options.doing,
    ...(deps.actor ? {actor: deps.actor} : {}),
    since: deps.clock.now().toISOString(),
  }
  const pending = session.lock(name, {wait: true, timeoutMs: options.timeoutMs, holder})
  let timer: NodeJS.Timeout | undefined
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), WAIT_NOTE_MS)
  })
  const first = await Promise.race([
    pending.then(
      () => 'held' as const,
      () => 'held' as const,
    ),
    slow,
  ])
  clearTimeout(timer)
  if (first === 'slow') {
    const other = await readHolder(session, name)
    const waited = Math.round((deps.clock.now().getTime() - started) / 1000)
    deps.progress({
      step: 'lock',
      message:
        `waiting for ${describeHolder(other)}, which holds ${options.what} on ${session.host.name} ` +
        `(${waited} s so far, up to ${Math.round(options.timeoutMs / 1000)} s; Ctrl-C cancels, nothing changed yet)`,
    })
  }
  return pending
}
