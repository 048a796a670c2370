/**
 * The dock's live feed: keeps the dock's picture of the host current over
 * the session's one connection, driven by events rather than re-listing.
 *
 * - The engine's event stream (aims-labelled containers) and the host's
 *   lifecycle events file: an event about an instance re-reads just that
 *   instance (one label-filtered listing, one inspect), coalesced over a few
 *   milliseconds.
 * - A slow safety-net resync (30 s) re-lists everything, inspecting only
 *   instances whose containers changed.
 * - Stats every few seconds and health probes every ten, for the rows on
 *   screen only.
 * - A cheap ping every ten seconds notices a dead connection that sends no
 *   error. Any transport failure marks the feed stale; it reconnects with
 *   backoff (the session reopens SSH on the next call after a drop) and
 *   resyncs everything, because events are lost while disconnected.
 */
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import type {
  ConnectionState,
  FeedUpdate,
  InstanceDetails,
  InstanceSnapshot,
  InstanceUsage,
  ServiceDetails,
} from '../core/dock.js'
import {LABEL, type EngineEvent, type LogLine, type StatsSample} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import {
  engineEventToAims,
  isNoiseAction,
  lifecycleEventToAims,
  SeenEvents,
  type AimsEvent,
  type LifecycleEvent,
} from '../core/events.js'
import {healthBaseline, healthChangeMessage, healthChanges, type DefiniteHealth} from '../core/health-report.js'
import {
  groupInstances,
  IMAGE_DEFAULT_ENV,
  secretKeysFromLabels,
  type InstanceHealth,
  type InstanceView,
} from '../core/instances.js'
import {aggregateStats} from '../core/stats.js'
import {parseInstanceRef, type InstanceRef} from '../core/names.js'
import {followInstanceLogs, probeEntry} from './instances.js'
import {
  lifecycleEventRecord,
  readLifecycleEventsFrom,
  readRecentLifecycleEvents,
  type EventEmitterDeps,
} from './lifecycle-events.js'
import type {Clock, Engine, HostSession, HostShell, LabelFilter} from './ports.js'
import {mapWithLimit} from './stats.js'
import {readHeartbeat} from './warden/store.js'
import {wardenSummary} from '../core/warden/summary.js'

export interface DockFeedIntervals {
  /** A visible container is sampled again once its last sample is this old. */
  statsMs: number
  /** Samples are handed to the dock in batches this far apart (each batch is one frame). */
  statsFlushMs: number
  probeMs: number
  safetyMs: number
  pingMs: number
  pingTimeoutMs: number
  aimsPollMs: number
  /** The warden's heartbeat file is read again this often. */
  wardenMs: number
  /** Events arriving within this window re-read their instances once. */
  debounceMs: number
  /** A probe failing this soon after a start means "starting", not "unhealthy". */
  startGraceMs: number
  /** Delay before reconnection attempt n (1-based). */
  backoffMs: (attempt: number) => number
}

export const DEFAULT_FEED_INTERVALS: DockFeedIntervals = {
  statsMs: 3000,
  statsFlushMs: 2000,
  probeMs: 10_000,
  safetyMs: 30_000,
  pingMs: 10_000,
  pingTimeoutMs: 5000,
  aimsPollMs: 1000,
  wardenMs: 10_000,
  debounceMs: 40,
  startGraceMs: 30_000,
  backoffMs: (attempt) => Math.min(500 * 2 ** (attempt - 1), 8000),
}

/**
 * Stats requests in flight at once: the engine answers them at its next tick; the rest of the socket pool stays free
 * for re-reads and logs.
 */
const STATS_LANES = 12
const INSPECT_CONCURRENCY = 8
/** More instances than this waiting for a re-read: one full listing is cheaper. */
const RESYNC_THRESHOLD = 20
const LOG_TAIL = 100

export interface DockFeedOptions {
  session: HostSession
  tenant?: string
  clock: Clock
  dispatch: (update: FeedUpdate) => void
  /** The refs on screen (stats and probes are for these only). */
  visibleRefs: () => string[]
  /** Records "health changed" events on the host (origin dock); absent: nothing recorded. */
  events?: Omit<EventEmitterDeps, 'session'>
  intervals?: Partial<DockFeedIntervals>
}

interface Known {
  view: InstanceView
  /** Labels of the entry container (its health probe spec). */
  labels: Record<string, string>
  fingerprint: string
  startedAt?: number
}

/**
 * A transport failure (reconnect) as opposed to a failure of one call
 * (a container removed meanwhile, a refused request): only the former makes
 * the dock stale.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof AimsError)) return true
  if (error.kind === 'connection' || error.kind === 'auth' || error.kind === 'host-key') return true
  return error.kind === 'engine' && error.details?.statusCode === undefined
}

/** How many of `incoming`'s first lines repeat the end of `previous` (a resumed log stream's overlap). */
export function logOverlap(previous: readonly string[], incoming: readonly string[]): number {
  for (let size = Math.min(previous.length, incoming.length); size > 0; size--) {
    let same = true
    for (let index = 0; index < size && same; index++)
      same = previous[previous.length - size + index] === incoming[index]
    if (same) return size
  }
  return 0
}

const fingerprintOf = (view: InstanceView) =>
  view.replicas.map((replica) => `${replica.containerId}:${replica.state}:${replica.health}`).join(',')
const isUp = (view: InstanceView) =>
  view.status === 'running' || view.status === 'partial' || view.status === 'restarting'

export class DockFeed {
  private readonly intervals: DockFeedIntervals
  private stopped = false
  private readonly stopping = new AbortController()
  private running: Promise<void> | undefined
  private failConnection: ((error: unknown) => void) | undefined
  private engine: Engine | undefined
  private live = false
  private known = new Map<string, Known>()
  /** Reads take increasing tickets; per instance, the ticket of the read its data came from. */
  private tickets = 0
  private readonly applied = new Map<string, number>()
  private readonly pending = new Set<string>()
  private flushScheduled = false
  private readonly reprobing = new Set<string>()
  /** A health change seen once, waiting for a second probe of the same container run to confirm it. */
  private readonly suspects = new Map<string, {known: Known; health: InstanceHealth}>()
  private readonly health = new Map<string, DefiniteHealth>()
  private readonly seen = new SeenEvents()
  private watched: string | undefined
  private watchAbort: AbortController | undefined
  private connectedOnce = false
  private lastWarden: string | undefined

  constructor(private readonly options: DockFeedOptions) {
    this.intervals = {...DEFAULT_FEED_INTERVALS, ...options.intervals}
  }

  start(): void {
    this.running ??= this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.stopping.abort()
    this.watchAbort?.abort()
    await this.running
  }

  /** Re-read one instance soon (an event said it changed, or the dock just changed it). */
  refresh(ref: string): void {
    this.pending.add(ref)
    if (this.flushScheduled) return
    this.flushScheduled = true
    void (async () => {
      await this.pause(this.intervals.debounceMs)
      this.flushScheduled = false
      const refs = [...this.pending]
      this.pending.clear()
      const engine = this.engine
      if (!engine || !this.live || this.stopped) return
      if (refs.length > RESYNC_THRESHOLD) await this.resync(engine, false)
      else await Promise.all(refs.map((ref) => this.readInstance(engine, ref)))
    })().catch((error: unknown) => this.background(error))
  }

  /** Follow the logs and details of this instance (the open pane's), or of none. */
  watch(ref: string | undefined): void {
    if (ref === this.watched) return
    this.watched = ref
    this.watchAbort?.abort()
    this.watchAbort = undefined
    if (!ref) return
    const controller = new AbortController()
    this.watchAbort = controller
    this.options.dispatch({type: 'logs-reset', ref})
    void this.followLogs(ref, controller.signal)
    if (this.engine && this.live)
      void this.loadDetails(this.engine, ref).catch((error: unknown) => this.background(error))
  }

  // ---- connection ---------------------------------------------------------

  private async run(): Promise<void> {
    let attempt = 0
    while (!this.stopped) {
      const connection = new AbortController()
      const failed = new Promise<never>((_, reject) => {
        this.failConnection = reject
      })
      failed.catch(() => undefined)
      try {
        if (!this.connectedOnce) this.setConnection({status: 'connecting'})
        await this.connect(connection.signal, failed)
        if (!this.stopped)
          throw new AimsError(
            'connection',
            `the Docker engine on ${this.options.session.host.name} ended its event stream`,
          )
      } catch (error) {
        if (this.stopped) break
        this.live = false
        attempt++
        const delay = this.intervals.backoffMs(attempt)
        this.setConnection({
          status: 'stale',
          detail: describe(error),
          attempt,
          retryAt: this.options.clock.now().getTime() + delay,
        })
        connection.abort()
        await this.pause(delay)
        continue
      } finally {
        connection.abort()
        this.failConnection = undefined
      }
      attempt = 0
    }
    this.live = false
  }

  /** One connected period: returns or throws when it ends. */
  private async connect(signal: AbortSignal, failed: Promise<never>): Promise<void> {
    const session = this.options.session
    const engine = await session.engine()
    await this.withTimeout(engine.ping(), this.intervals.pingTimeoutMs, 'answer a ping')
    const shell = await session.shell()
    // Ask for events before listing, so nothing that happens during the listing is missed.
    const events = engine.events({since: this.options.clock.now(), labels: this.labels(), signal})
    const stream = events[Symbol.asyncIterator]()
    const first = stream.next()
    first.catch(() => undefined)
    // The events file is an extra: unreadable, the dock still works (a broken connection shows in the listing next).
    const recent = await readRecentLifecycleEvents(shell, session.host.stateDir, 500).catch(() => ({
      events: [] as LifecycleEvent[],
      size: 0,
    }))
    if (!this.connectedOnce) this.seedFromHistory(recent.events)
    this.engine = engine
    this.live = true
    await this.resync(engine, true)
    this.connectedOnce = true
    this.setConnection({status: 'live'})
    if (this.watched) void this.loadDetails(engine, this.watched).catch((error: unknown) => this.background(error))
    await this.readWarden(shell)
    const stopped = new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), {once: true})
      this.stopping.signal.addEventListener('abort', () => resolve(), {once: true})
    })
    await Promise.race([
      failed,
      stopped,
      this.pumpEngineEvents(stream, first),
      this.followAimsEvents(shell, recent.size, signal),
      this.every(signal, this.intervals.safetyMs, () => this.resync(engine, false)),
      this.sampleStatsLanes(engine, signal),
      this.every(signal, this.intervals.probeMs, () => this.probeVisible()),
      this.every(signal, this.intervals.wardenMs, () => this.readWarden(shell)),
      this.every(signal, this.intervals.pingMs, () =>
        this.withTimeout(engine.ping(), this.intervals.pingTimeoutMs, 'answer a ping'),
      ),
    ])
  }

  private labels(): LabelFilter {
    return {[LABEL.managed]: 'true', ...(this.options.tenant ? {[LABEL.tenant]: this.options.tenant} : {})}
  }

  private setConnection(connection: ConnectionState): void {
    this.options.dispatch({type: 'connection', connection, at: this.options.clock.now().getTime()})
  }

  /** A failure in background work: a transport failure ends the connected period; others are dropped. */
  private background(error: unknown): void {
    if (this.stopped || !isConnectionFailure(error)) return
    this.failConnection?.(error)
  }

  private async pumpEngineEvents(
    stream: AsyncIterator<EngineEvent>,
    first: Promise<IteratorResult<EngineEvent>>,
  ): Promise<void> {
    let result = await first
    while (!result.done) {
      this.onEngineEvent(result.value)
      result = await stream.next()
    }
  }

  private onEngineEvent(event: EngineEvent): void {
    if (isNoiseAction(event.action)) return
    const shown = engineEventToAims(event)
    if (shown && this.seen.firstTime(shown.key)) this.options.dispatch({type: 'events', events: [shown]})
    const tenant = event.attributes[LABEL.tenant]
    const instance = event.attributes[LABEL.instance]
    if (event.type === 'container' && tenant && instance && (!this.options.tenant || tenant === this.options.tenant))
      this.refresh(`${tenant}/${instance}`)
  }

  /** Polls the host's events file; never ends the connection (a broken one shows in the engine calls). */
  private async followAimsEvents(shell: HostShell, from: number, signal: AbortSignal): Promise<void> {
    let offset = from
    while (!signal.aborted) {
      if (!(await this.pause(this.intervals.aimsPollMs, signal))) return
      try {
        const read = await readLifecycleEventsFrom(shell, this.options.session.host.stateDir, offset)
        offset = read.offset
        if (read.events.length > 0) this.onLifecycleEvents(read.events)
      } catch {
        if (!(await this.pause(5000, signal))) return
      }
    }
  }

  private onLifecycleEvents(events: LifecycleEvent[]): void {
    const shown: AimsEvent[] = []
    for (const event of events) {
      if (this.options.tenant && event.tenant !== this.options.tenant) continue
      const aims = lifecycleEventToAims(event)
      if (!this.seen.firstTime(aims.key)) continue
      shown.push(aims)
      if (event.action === 'health-changed' && event.health)
        this.health.set(`${event.tenant}/${event.instance}`, event.health)
      this.refresh(`${event.tenant}/${event.instance}`)
    }
    if (shown.length > 0) this.options.dispatch({type: 'events', events: shown})
  }

  /**
   * First connection: the strip shows the last few lifecycle events; health changes are judged against the host's
   * record.
   */
  private seedFromHistory(events: LifecycleEvent[]): void {
    for (const [ref, health] of healthBaseline(events)) this.health.set(ref, health)
    const mine = events
      .filter((event) => !this.options.tenant || event.tenant === this.options.tenant)
      .map(lifecycleEventToAims)
    for (const event of mine) this.seen.firstTime(event.key)
    if (mine.length > 0) this.options.dispatch({type: 'events', events: mine.slice(-5)})
  }

  /**
   * The warden's heartbeat (running / stale / absent, last sweep, each instance's healing state):
   * an extra like the events file, so an unreadable one changes nothing; dispatched when it changed.
   */
  private async readWarden(shell: HostShell): Promise<void> {
    let heartbeat: unknown
    try {
      heartbeat = await readHeartbeat(shell, this.options.session.host.stateDir)
    } catch {
      return
    }
    const summary = wardenSummary(heartbeat, this.options.clock.now().getTime())
    const tenant = this.options.tenant
    if (tenant)
      summary.states = Object.fromEntries(
        Object.entries(summary.states).filter(([ref]) => ref.startsWith(`${tenant}/`)),
      )
    const key = JSON.stringify(summary)
    if (key === this.lastWarden) return
    this.lastWarden = key
    this.options.dispatch({type: 'warden', warden: summary})
  }

  // ---- reading instances ----------------------------------------------------

  private urlContext() {
    const host = this.options.session.host
    return {...(host.domain ? {domain: host.domain} : {}), tls: Boolean(host.tls)}
  }

  /** When the entry container last started, from one inspect. */
  private async startedAtOf(engine: Engine, view: InstanceView): Promise<number | undefined> {
    const entry =
      view.replicas.find((replica) => replica.entry && replica.replica === 1) ??
      view.replicas.find((replica) => replica.entry) ??
      view.replicas[0]
    if (!entry || entry.state !== 'running') return undefined
    const details = await engine.inspectContainer(entry.containerId)
    return details?.state === 'running' ? details.startedAt?.getTime() : undefined
  }

  /**
   * The full listing: on (re)connect with every entry inspected, later only
   * what changed. Reads overlap (an event's re-read, the safety net); each
   * takes a ticket when it starts, and an instance keeps the data of the
   * latest read that started, whichever finishes last.
   */
  private async resync(engine: Engine, inspectAll: boolean): Promise<void> {
    const ticket = ++this.tickets
    const containers = await engine.listContainers({all: true, labels: this.labels()})
    const views = groupInstances(containers, this.urlContext())
    const labelsById = new Map(containers.map((container) => [container.id, container.labels]))
    const changed: string[] = []
    const read = new Map<string, Known>()
    await mapWithLimit(views, INSPECT_CONCURRENCY, async (view) => {
      const previous = this.known.get(view.ref)
      const fingerprint = fingerprintOf(view)
      const entry = view.replicas.find((replica) => replica.entry) ?? view.replicas[0]
      const same = !inspectAll && previous?.fingerprint === fingerprint
      const startedAt = same ? previous.startedAt : await this.startedAtOf(engine, view)
      if (!same) changed.push(view.ref)
      read.set(view.ref, {
        view,
        labels: (entry && labelsById.get(entry.containerId)) ?? {},
        fingerprint,
        ...(startedAt !== undefined ? {startedAt} : {}),
      })
    })
    // A re-read that started after this listing knows better about its instance (it may even be new or gone).
    const next = new Map<string, Known>()
    for (const ref of new Set([...read.keys(), ...this.known.keys()])) {
      const fresher = (this.applied.get(ref) ?? 0) > ticket
      const known = fresher ? this.known.get(ref) : read.get(ref)
      if (!fresher) this.applied.set(ref, ticket)
      if (known) next.set(ref, known)
    }
    this.known = next
    const snapshots = [...next.values()]
      .sort((a, b) => a.view.tenant.localeCompare(b.view.tenant) || a.view.instance.localeCompare(b.view.instance))
      .map((known) => this.snapshot(known))
    this.options.dispatch({type: 'synced', snapshots, at: this.options.clock.now().getTime()})
    const visible = new Set(this.options.visibleRefs())
    void mapWithLimit(
      changed.filter((ref) => visible.has(ref)),
      INSPECT_CONCURRENCY,
      (ref) => this.probe(ref),
    ).catch((error: unknown) => this.background(error))
  }

  private snapshot(known: Known): InstanceSnapshot {
    return {view: known.view, ...(known.startedAt !== undefined ? {startedAt: known.startedAt} : {})}
  }

  private async readInstance(engine: Engine, ref: string): Promise<void> {
    const [tenant, instance] = ref.split('/')
    if (!tenant || !instance) return
    const ticket = ++this.tickets
    const containers = await engine.listContainers({
      all: true,
      labels: {[LABEL.managed]: 'true', [LABEL.tenant]: tenant, [LABEL.instance]: instance},
    })
    const [view] = groupInstances(containers, this.urlContext())
    const entry = view ? (view.replicas.find((replica) => replica.entry) ?? view.replicas[0]) : undefined
    const startedAt = view ? await this.startedAtOf(engine, view) : undefined
    // An older read finishing late must not undo a newer one.
    if ((this.applied.get(ref) ?? 0) > ticket) return
    this.applied.set(ref, ticket)
    const at = this.options.clock.now().getTime()
    if (!view) {
      this.known.delete(ref)
      this.options.dispatch({type: 'instance', ref, at})
      return
    }
    const known: Known = {
      view,
      labels: containers.find((container) => container.id === entry?.containerId)?.labels ?? {},
      fingerprint: fingerprintOf(view),
      ...(startedAt !== undefined ? {startedAt} : {}),
    }
    this.known.set(ref, known)
    this.options.dispatch({type: 'instance', ref, snapshot: this.snapshot(known), at})
    if (ref === this.watched) await this.loadDetails(engine, ref)
    await this.probe(ref)
  }

  // ---- health ----------------------------------------------------------------

  private async probeVisible(): Promise<void> {
    const refs = this.options.visibleRefs().filter((ref) => {
      const known = this.known.get(ref)
      return known !== undefined && isUp(known.view)
    })
    await mapWithLimit(refs, INSPECT_CONCURRENCY, (ref) => this.probe(ref))
  }

  /**
   * Probes the instance's entry the way `plug ls` does. A failure within the
   * start grace period (or of a container whose start time is not known, one
   * that is stopping) shows as "starting" and is probed again shortly. A
   * definite change against the last known health is recorded on the host
   * only once a second probe of the same container run confirms it, so a
   * container caught stopping or restarting records nothing.
   */
  private async probe(ref: string): Promise<void> {
    const known = this.known.get(ref)
    if (!known || !isUp(known.view) || !this.live) return
    const result = await probeEntry(this.options.session, known.view, known.labels)
    if (this.known.get(ref) !== known || !this.live) return // re-read meanwhile: that read probes again
    const now = this.options.clock.now().getTime()
    const settling = known.startedAt === undefined || now - known.startedAt < this.intervals.startGraceMs
    const health: InstanceHealth = !result.ok && settling && result.health !== 'healthy' ? 'starting' : result.health
    this.options.dispatch({type: 'health', ref, health, detail: result.detail})
    const last = this.health.get(ref)
    const changed = (health === 'healthy' || health === 'unhealthy') && last !== undefined && last !== health
    const suspect = this.suspects.get(ref)
    if (changed && !(suspect && suspect.known === known && suspect.health === health)) {
      this.suspects.set(ref, {known, health})
      this.probeAgain(ref, 1500)
      return
    }
    this.suspects.delete(ref)
    await this.recordHealth(known.view, health, result.detail)
    if (health === 'starting') this.probeAgain(ref, 1500)
  }

  private probeAgain(ref: string, ms: number): void {
    if (this.reprobing.has(ref)) return
    this.reprobing.add(ref)
    void (async () => {
      await this.pause(ms)
      this.reprobing.delete(ref)
      await this.probe(ref)
    })().catch((error: unknown) => this.background(error))
  }

  private async recordHealth(view: InstanceView, health: InstanceHealth, detail: string): Promise<void> {
    const changes = healthChanges(this.health, [{tenant: view.tenant, instance: view.instance, health, detail}])
    const deps = this.options.events
    if (!deps) return
    for (const change of changes) {
      const record = lifecycleEventRecord(
        {...deps, session: this.options.session},
        {
          action: 'health-changed',
          tenant: change.tenant,
          instance: change.instance,
          message: healthChangeMessage(change),
          health: change.to,
        },
      )
      const shown = lifecycleEventToAims(record)
      this.seen.firstTime(shown.key)
      this.options.dispatch({type: 'events', events: [shown]})
      await deps.recordEvent?.(record).catch(() => undefined)
    }
  }

  // ---- stats -------------------------------------------------------------------

  /**
   * Keeps the visible rows' usage fresh: STATS_LANES requests in flight, each
   * lane taking the visible running container whose sample is the oldest and
   * due (older than statsMs). The engine answers a stats request at its next
   * collection tick (about a second), so rounds would leave sockets idle
   * between ticks; lanes keep every row within a few seconds.
   */
  private async sampleStatsLanes(engine: Engine, signal: AbortSignal): Promise<void> {
    const sampledAt = new Map<string, number>()
    const inFlight = new Set<string>()
    const latest = new Map<string, StatsSample>()
    const dirty = new Set<string>()
    let flushTimer: (() => void) | undefined
    const flush = () => {
      flushTimer = undefined
      if (signal.aborted) return
      const views = [...dirty].flatMap((ref) => {
        const known = this.known.get(ref)
        return known ? [known.view] : []
      })
      dirty.clear()
      const usage: InstanceUsage[] = aggregateStats(views, latest)
        .filter((instance) => instance.containers.some((container) => container.sampled))
        .map((instance) => ({
          ref: instance.ref,
          cpuPercent: instance.cpuPercent,
          memoryBytes: instance.memoryBytes,
          memoryLimitBytes: instance.memoryLimitBytes,
          networkRxBytes: instance.networkRxBytes,
          networkTxBytes: instance.networkTxBytes,
        }))
      if (usage.length > 0) this.options.dispatch({type: 'stats', usage, at: this.options.clock.now().getTime()})
      // Forget containers that are gone, so the maps stay the size of the host.
      if (latest.size > 64) {
        const present = new Set(
          [...this.known.values()].flatMap((known) => known.view.replicas.map((replica) => replica.containerId)),
        )
        for (const id of [...latest.keys()]) {
          if (present.has(id)) continue
          latest.delete(id)
          sampledAt.delete(id)
        }
      }
    }
    const visibleContainers = () =>
      this.options.visibleRefs().flatMap((ref) => {
        const known = this.known.get(ref)
        return known && isUp(known.view)
          ? known.view.replicas
              .filter((replica) => replica.state === 'running')
              .map((replica) => ({ref, id: replica.containerId}))
          : []
      })
    const lane = async (): Promise<void> => {
      while (!signal.aborted && !this.stopped) {
        const now = this.options.clock.now().getTime()
        let pick: {ref: string; id: string} | undefined
        let wait = 1000
        for (const container of visibleContainers()) {
          if (inFlight.has(container.id)) continue
          const last = sampledAt.get(container.id) ?? 0
          if (last + this.intervals.statsMs > now) wait = Math.min(wait, last + this.intervals.statsMs - now)
          else if (!pick || last < (sampledAt.get(pick.id) ?? 0)) pick = container
        }
        if (!pick) {
          if (!(await this.pause(Math.max(50, wait), signal))) return
          continue
        }
        inFlight.add(pick.id)
        sampledAt.set(pick.id, now)
        try {
          latest.set(pick.id, await engine.stats(pick.id))
          dirty.add(pick.ref)
          // Samples arrive a few a second: one dispatch (one frame) per statsFlushMs for all of them.
          flushTimer ??= this.after(this.intervals.statsFlushMs, flush)
        } catch (error) {
          if (isConnectionFailure(error)) throw error
        } finally {
          inFlight.delete(pick.id)
        }
      }
    }
    try {
      await Promise.all(Array.from({length: STATS_LANES}, lane))
    } finally {
      flushTimer?.()
    }
  }

  // ---- the watched instance --------------------------------------------------------

  private async loadDetails(engine: Engine, ref: string): Promise<void> {
    const known = this.known.get(ref)
    if (!known) return
    const services = await Promise.all(
      known.view.replicas.map(async (replica): Promise<ServiceDetails> => {
        const details = await engine.inspectContainer(replica.containerId)
        const secretNames = secretKeysFromLabels(details?.labels)
        return {
          service: replica.service,
          replica: replica.replica,
          container: replica.containerName,
          image: replica.image,
          state: details?.state ?? 'missing',
          ports: (details?.ports ?? []).map(
            (port) => `${port.hostIp}:${port.hostPort}→${port.containerPort}/${port.protocol}`,
          ),
          // Names only: the values never leave this function.
          envNames: Object.keys(details?.env ?? {})
            .filter((name) => !IMAGE_DEFAULT_ENV.has(name))
            .sort(),
          secretNames,
          restartCount: details?.restartCount ?? 0,
        }
      }),
    )
    if (this.watched !== ref) return
    const details: InstanceDetails = {ref, services}
    this.options.dispatch({type: 'details', details})
  }

  /**
   * Follows the watched instance's logs into the dock (batched, sanitized).
   * The engine ends a log stream when its container stops; it is resumed,
   * and lines the resumed stream repeats are skipped.
   */
  private async followLogs(ref: string, signal: AbortSignal): Promise<void> {
    let target: InstanceRef
    try {
      target = parseInstanceRef(ref)
    } catch {
      return // not a name aims would have written: nothing to follow
    }
    let recent: string[] = []
    let batch: string[] = []
    let timer: (() => void) | undefined
    const flush = () => {
      timer = undefined
      if (batch.length === 0 || signal.aborted) return
      this.options.dispatch({type: 'logs', ref, lines: batch})
      recent = [...recent, ...batch].slice(-LOG_TAIL)
      batch = []
    }
    let resumed = false
    while (!signal.aborted && !this.stopped) {
      const multi = (this.known.get(ref)?.view.replicas.length ?? 1) > 1
      const format = (line: LogLine & {service: string; replica: number}) =>
        `${multi ? `${line.service}${line.replica > 1 ? `#${line.replica}` : ''} | ` : ''}` +
        `${sanitizeUntrusted(line.text).replace(/\t/g, '    ')}`
      let opening: string[] | undefined = resumed ? [] : undefined
      let openingTimer: (() => void) | undefined
      const closeOpening = () => {
        openingTimer = undefined
        if (!opening) return
        const fresh = opening.slice(logOverlap(recent, opening))
        opening = undefined
        batch.push(...fresh)
        flush()
      }
      const started = this.options.clock.now().getTime()
      try {
        await followInstanceLogs(this.options.session, target, {
          tail: resumed ? 20 : LOG_TAIL,
          signal,
          onLine: (line) => {
            if (opening) {
              // A resumed stream starts with the last lines again: hold them briefly to drop the repeat.
              opening.push(format(line))
              openingTimer ??= this.after(150, closeOpening)
              return
            }
            batch.push(format(line))
            timer ??= this.after(50, flush)
          },
        })
      } catch {
        // The instance went away or the connection dropped: retried below while it is still watched.
      }
      openingTimer?.()
      closeOpening()
      timer?.()
      flush()
      resumed = true
      // A stream that ended at once (a stopped container) is retried slowly.
      const ran = this.options.clock.now().getTime() - started
      if (!(await this.pause(ran < 1000 ? 2000 : 300, signal))) break
    }
  }

  // ---- helpers -------------------------------------------------------------------------

  /** Repeats `work` every `ms` until the signal aborts; one failed round is dropped unless the connection failed. */
  private async every(signal: AbortSignal, ms: number, work: () => Promise<void>): Promise<void> {
    while (!signal.aborted && !this.stopped) {
      if (!(await this.pause(ms, signal))) return
      try {
        await work()
      } catch (error) {
        if (isConnectionFailure(error)) throw error
      }
    }
  }

  /** Sleeps; false when stopped or the signal aborted meanwhile. */
  private async pause(ms: number, signal?: AbortSignal): Promise<boolean> {
    const combined = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal
    try {
      await this.options.clock.sleep(ms, combined)
      return !combined.aborted
    } catch {
      return false
    }
  }

  /** Runs `callback` after `ms` on the feed's clock; the function returned cancels it. */
  private after(ms: number, callback: () => void): () => void {
    const cancel = new AbortController()
    this.options.clock.sleep(ms, cancel.signal).then(
      () => {
        if (!cancel.signal.aborted) callback()
      },
      () => undefined,
    )
    return () => cancel.abort()
  }

  private async withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    const cancel = new AbortController()
    const host = this.options.session.host.name
    const timeout = this.options.clock.sleep(ms, cancel.signal).then(
      () => {
        throw new AimsError(
          'connection',
          `the Docker engine on ${host} did not ${what} within ${Math.round(ms / 1000)} s`,
        )
      },
      // Cancelled: the call answered in time.
      () => new Promise<never>(() => undefined),
    )
    try {
      return await Promise.race([promise, timeout])
    } finally {
      cancel.abort()
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof AimsError) return error.message
  return error instanceof Error ? error.message : String(error)
}
