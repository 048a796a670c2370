/**
 * aims' own lifecycle events, kept on the host (the shared truth) in an
 * append-only JSONL file, `<stateDir>/events.jsonl`: written by the lifecycle
 * services next to their audit records, read and followed by `aims events`
 * and the dock from any machine.
 *
 * Following: HostShell.exec is request/response (it returns when the command
 * ends), so a streaming `tail -F` would need a new streaming port in every
 * session adapter. Instead the follower polls by size: one small exec per
 * interval over the same SSH connection (a new channel, a few ms, no new
 * login) prints the file's size and only the bytes past the last offset.
 * Lines are consumed whole; a truncated or replaced file restarts at 0; ids
 * de-duplicate anything read twice.
 */
import {lifecycleActionFor, parseLifecycleLines, type LifecycleAction, type LifecycleEvent} from '../core/events.js'
import type {AuditRecord} from './audit.js'
import type {Clock, HostSession, HostShell} from './ports.js'

export const EVENTS_FILE = 'events.jsonl'
export const eventsPath = (stateDir: string) => `${stateDir}/${EVENTS_FILE}`

/** Appends one event to the host's file. */
export type LifecycleEventWriter = (event: LifecycleEvent) => Promise<void>

/** The writer the real composition uses: SFTP append (O_APPEND keeps concurrent lines whole). */
export function hostLifecycleEventWriter(session: HostSession): LifecycleEventWriter {
  return async (event) => {
    const shell = await session.shell()
    const line = `${JSON.stringify(event)}\n`
    const path = eventsPath(session.host.stateDir)
    try {
      await shell.appendFile(path, line)
    } catch {
      // First event on this host: the state dir may not exist yet.
      await shell.mkdirp(session.host.stateDir)
      await shell.appendFile(path, line)
    }
  }
}

/** What emitting needs from the lifecycle deps (structural, so no import cycle with plug-up). */
export interface EventEmitterDeps {
  recordEvent?: LifecycleEventWriter | undefined
  newId: () => string
  clock: Clock
  actor: string
  origin: {kind: LifecycleEvent['origin']}
  session: Pick<HostSession, 'host'>
}

export interface LifecycleEventInput {
  action: LifecycleAction
  tenant: string
  instance: string
  service?: string
  message: string
  health?: 'healthy' | 'unhealthy'
}

/** The full record of an event, stamped with who, when and from where. */
export function lifecycleEventRecord(
  deps: Omit<EventEmitterDeps, 'recordEvent'>,
  input: LifecycleEventInput,
): LifecycleEvent {
  return {
    v: 1,
    id: deps.newId(),
    time: deps.clock.now().toISOString(),
    ...input,
    actor: deps.actor,
    origin: deps.origin.kind,
    host: deps.session.host.name,
  }
}

/**
 * Records a lifecycle event when a writer is wired (the CLI, chat and dock
 * wire one; unit tests need not). Never fails the action it describes.
 */
export async function emitLifecycleEvent(deps: EventEmitterDeps, input: LifecycleEventInput): Promise<void> {
  if (!deps.recordEvent) return
  try {
    await deps.recordEvent(lifecycleEventRecord(deps, input))
  } catch {
    // The audit log already carries the outcome; a missing event is not worth failing for.
  }
}

/** The lifecycle event matching an audit record a service just appended. */
export async function emitForAudit(
  deps: EventEmitterDeps,
  entry: Pick<AuditRecord, 'action' | 'target' | 'outcome' | 'detail'>,
): Promise<void> {
  const action = lifecycleActionFor(entry.action, entry.outcome)
  const [tenant, instance] = entry.target.split('/')
  if (!action || !tenant || !instance) return
  await emitLifecycleEvent(deps, {
    action,
    tenant,
    instance,
    message: entry.detail ?? `${entry.action} ${entry.outcome}`,
  })
}

/**
 * The constant script behind reads: prints the file's size on the first
 * line, then either its last N lines (`lines N`) or the bytes after offset N
 * up to that size, at most 1 MiB (`bytes N`). Paths and numbers travel as
 * positional arguments, never pasted into the script.
 */
export const READ_EVENTS_SCRIPT = [
  'f=$1; mode=$2; n=$3',
  'if [ ! -f "$f" ]; then echo 0; exit 0; fi',
  's=$(wc -c <"$f"); s=$((s + 0)); echo "$s"',
  'if [ "$mode" = lines ]; then tail -n "$n" "$f"; exit 0; fi',
  'if [ "$s" -gt "$n" ]; then c=$((s - n)); if [ "$c" -gt 1048576 ]; then c=1048576; fi; tail -c +"$((n + ' +
    '1))" "$f" | head -c "$c"; fi',
].join('\n')

interface ReadOutput {
  size: number
  content: string
}

async function runRead(shell: HostShell, path: string, mode: 'lines' | 'bytes', n: number): Promise<ReadOutput> {
  const result = await shell.exec(['sh', '-c', READ_EVENTS_SCRIPT, 'aims-events', path, mode, String(n)], {
    timeoutMs: 15_000,
  })
  if (result.exitCode !== 0)
    throw new Error(`reading ${path} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`)
  const newline = result.stdout.indexOf('\n')
  const size = Number(newline === -1 ? result.stdout.trim() : result.stdout.slice(0, newline))
  return {size: Number.isFinite(size) ? size : 0, content: newline === -1 ? '' : result.stdout.slice(newline + 1)}
}

/** The last `lines` events on the host and the file size they end at (the offset to follow from). */
export async function readRecentLifecycleEvents(
  shell: HostShell,
  stateDir: string,
  lines = 2000,
): Promise<{events: LifecycleEvent[]; size: number}> {
  const {size, content} = await runRead(shell, eventsPath(stateDir), 'lines', lines)
  return {events: parseLifecycleLines(content), size}
}

/**
 * Reads what was appended since `offset`. Returns the events of complete
 * lines and the offset after them (a line still being written waits for the
 * next poll). A file smaller than the offset was truncated or replaced: it is
 * read again from its start.
 */
export async function readLifecycleEventsFrom(
  shell: HostShell,
  stateDir: string,
  offset: number,
): Promise<{events: LifecycleEvent[]; offset: number}> {
  const {size, content} = await runRead(shell, eventsPath(stateDir), 'bytes', offset)
  if (size < offset) return readLifecycleEventsFrom(shell, stateDir, 0)
  const lastNewline = content.lastIndexOf('\n')
  if (lastNewline === -1) return {events: [], offset}
  const complete = content.slice(0, lastNewline + 1)
  return {events: parseLifecycleLines(complete), offset: offset + Buffer.byteLength(complete, 'utf8')}
}

export interface FollowLifecycleOptions {
  /** Byte offset to start from (from readRecentLifecycleEvents, or 0). */
  from: number
  intervalMs: number
  signal: AbortSignal
  clock: Pick<Clock, 'sleep'>
  onEvents: (events: LifecycleEvent[]) => void
}

/** Polls the host's events file until the signal aborts; a failed read rejects (the caller reconnects). */
export async function followLifecycleEvents(
  shell: HostShell,
  stateDir: string,
  options: FollowLifecycleOptions,
): Promise<void> {
  let offset = options.from
  while (!options.signal.aborted) {
    const read = await readLifecycleEventsFrom(shell, stateDir, offset)
    if (options.signal.aborted) return
    offset = read.offset
    if (read.events.length > 0) options.onEvents(read.events)
    try {
      await options.clock.sleep(options.intervalMs, options.signal)
    } catch {
      return
    }
  }
}
