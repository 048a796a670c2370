/**
 * `aims events`: the engine's events for aims-managed objects merged with
 * aims' lifecycle events from the host's events file, listed for a window or
 * followed live. Both sources travel over the session's one connection.
 */
import {AimsError} from '../core/errors.js'
import {LABEL} from '../core/engine-types.js'
import {
  engineEventToAims,
  inTenant,
  lifecycleEventToAims,
  SeenEvents,
  sortEvents,
  type AimsEvent,
} from '../core/events.js'
import {followLifecycleEvents, readRecentLifecycleEvents} from './lifecycle-events.js'
import type {Clock, HostSession, LabelFilter} from './ports.js'

/** How many of the host file's last lines a listing reads (the file only grows; old lines are history). */
const RECENT_LINES = 5000

export interface EventsWindow {
  since: Date
  until: Date
  tenant?: string
}

const engineLabels = (tenant: string | undefined): LabelFilter => ({
  [LABEL.managed]: 'true',
  ...(tenant ? {[LABEL.tenant]: tenant} : {}),
})

/** Everything that happened in a window, oldest first. */
export async function listEvents(session: HostSession, window: EventsWindow): Promise<AimsEvent[]> {
  const [engine, shell] = await Promise.all([session.engine(), session.shell()])
  const controller = new AbortController()
  const fromEngine = (async () => {
    const events: AimsEvent[] = []
    for await (const event of engine.events({
      since: window.since,
      until: window.until,
      labels: engineLabels(window.tenant),
      signal: controller.signal,
    })) {
      const shown = engineEventToAims(event)
      if (shown) events.push(shown)
    }
    return events
  })()
  const fromAims = readRecentLifecycleEvents(shell, session.host.stateDir, RECENT_LINES).then(({events}) =>
    events.map(lifecycleEventToAims).filter((event) => event.time >= window.since && event.time <= window.until),
  )
  const [engineEvents, aimsEvents] = await Promise.all([fromEngine, fromAims])
  return sortEvents([...engineEvents, ...aimsEvents].filter((event) => inTenant(event, window.tenant)))
}

export interface FollowEventsOptions {
  /** Replay from here first (in time order), then follow. Absent: only what happens from now on. */
  since?: Date
  tenant?: string
  signal: AbortSignal
  clock: Clock
  /** How often the host's events file is polled. */
  pollMs?: number
  onEvent: (event: AimsEvent) => void
}

/**
 * Streams events until the signal aborts. Ends with an AimsError when the
 * engine's stream ends on its own (the engine restarted, the connection
 * dropped): a follower should say so rather than go quiet.
 */
export async function followEvents(session: HostSession, options: FollowEventsOptions): Promise<void> {
  const [engine, shell] = await Promise.all([session.engine(), session.shell()])
  const seen = new SeenEvents()
  const emit = (event: AimsEvent) => {
    if (options.signal.aborted || !inTenant(event, options.tenant) || !seen.firstTime(event.key)) return
    options.onEvent(event)
  }
  const startedAt = options.clock.now()
  // The file offset is taken before the backlog so nothing appended in between is lost (ids de-duplicate).
  const recent = await readRecentLifecycleEvents(shell, session.host.stateDir, options.since ? RECENT_LINES : 1)
  if (options.since) {
    for (const event of await listEvents(session, {
      since: options.since,
      until: startedAt,
      ...(options.tenant ? {tenant: options.tenant} : {}),
    }))
      emit(event)
  }
  const inner = new AbortController()
  const stop = () => inner.abort()
  options.signal.addEventListener('abort', stop, {once: true})
  try {
    const engineFollow = (async () => {
      for await (const event of engine.events({
        since: startedAt,
        labels: engineLabels(options.tenant),
        signal: inner.signal,
      })) {
        const shown = engineEventToAims(event)
        if (shown) emit(shown)
      }
      if (!inner.signal.aborted) {
        throw new AimsError('connection', `the Docker engine on ${session.host.name} ended its event stream`, {
          hint: 'the engine restarted or the connection dropped; run aims events --follow again',
        })
      }
    })()
    const aimsFollow = followLifecycleEvents(shell, session.host.stateDir, {
      from: recent.size,
      intervalMs: options.pollMs ?? 1000,
      signal: inner.signal,
      clock: options.clock,
      onEvents: (events) => {
        for (const event of events) emit(lifecycleEventToAims(event))
      },
    })
    // Either source failing ends the follow (and stops the other one).
    await Promise.all(
      [engineFollow, aimsFollow].map((follow) =>
        follow.catch((error: unknown) => {
          inner.abort()
          throw error
        }),
      ),
    )
  } finally {
    options.signal.removeEventListener('abort', stop)
    inner.abort()
  }
}
