import {appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import type {FeedUpdate} from '../../../src/core/dock.js'
import type {ContainerSummary, LogLine} from '../../../src/core/engine-types.js'
import {AimsError} from '../../../src/core/errors.js'
import type {LifecycleEvent} from '../../../src/core/events.js'
import {DockFeed, isConnectionFailure, logOverlap, type DockFeedIntervals} from '../../../src/services/dock-feed.js'
import {eventsPath} from '../../../src/services/lifecycle-events.js'
import type {Engine, LabelFilter} from '../../../src/services/ports.js'
import {
  containerEvent,
  details,
  eventually,
  EventStreams,
  fakeEngine,
  fakeSession,
  hostWithStateDir,
  httpAnswering,
  localShell,
  realClock,
  summary,
} from '../../support/dock-fakes.js'
import {heartbeatAt} from '../../support/warden-heartbeat.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-dock-feed-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))
let dirs = 0

const FAST: Partial<DockFeedIntervals> = {
  statsMs: 60_000,
  statsFlushMs: 20,
  probeMs: 60_000,
  safetyMs: 60_000,
  pingMs: 60_000,
  aimsPollMs: 20,
  debounceMs: 15,
  backoffMs: () => 40,
}

interface Harness {
  feed: DockFeed
  updates: FeedUpdate[]
  listings: LabelFilter[]
  streams: EventStreams
  containers: ContainerSummary[]
  stateDir: string
  recorded: LifecycleEvent[]
  /** Instance re-reads (label-filtered listings) answered by a test's own function. */
  slowReads: Map<string, () => Promise<ContainerSummary[]>>
  of<T extends FeedUpdate['type']>(type: T): Array<Extract<FeedUpdate, {type: T}>>
}

const feeds: DockFeed[] = []
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()))
})

function harness(
  options: {
    engine?: Partial<Engine>
    visible?: () => string[]
    intervals?: Partial<DockFeedIntervals>
    containers?: ContainerSummary[]
    connectTcp?: Parameters<typeof fakeSession>[0]['connectTcp']
    tenant?: string
  } = {},
): Harness {
  const stateDir = join(scratch, `state-${++dirs}`)
  mkdirSync(stateDir, {recursive: true})
  writeFileSync(eventsPath(stateDir), '')
  const containers = options.containers ?? [
    summary('acme', 'web', {id: 'w1'}),
    summary('acme', 'api', {id: 'a1'}),
    summary('globex', 'shop', {id: 's1', state: 'exited'}),
  ]
  const listings: LabelFilter[] = []
  const slowReads = new Map<string, () => Promise<ContainerSummary[]>>()
  const streams = new EventStreams()
  const matches = (container: ContainerSummary, labels: LabelFilter) =>
    Object.entries(labels).every(([key, value]) =>
      value === true ? key in container.labels : container.labels[key] === value,
    )
  const engine = fakeEngine({
    ping: async () => undefined,
    events: streams.events,
    listContainers: async (filter) => {
      listings.push(filter.labels ?? {})
      const labels = filter.labels ?? {}
      const slow =
        typeof labels['aims.instance'] === 'string'
          ? slowReads.get(`${String(labels['aims.tenant'])}/${labels['aims.instance']}`)
          : undefined
      if (slow) return slow()
      return containers.filter((container) => matches(container, labels))
    },
    inspectContainer: async (id) => {
      const container = containers.find((item) => item.id === id)
      return (
        container && details(container, {env: {GREETING: 'hi', APP_SECRET: 'sentinel-secret-value-42', PATH: '/bin'}})
      )
    },
    stats: async (id) => ({
      id,
      name: id,
      cpuPercent: 1,
      memoryBytes: 100,
      memoryLimitBytes: 1000,
      networkRxBytes: 0,
      networkTxBytes: 0,
      read: new Date(),
    }),
    ...options.engine,
  })
  const updates: FeedUpdate[] = []
  const recorded: LifecycleEvent[] = []
  let ids = 0
  const feed = new DockFeed({
    session: fakeSession({
      engine,
      shell: localShell(),
      host: hostWithStateDir(stateDir),
      ...(options.connectTcp ? {connectTcp: options.connectTcp} : {}),
    }),
    ...(options.tenant ? {tenant: options.tenant} : {}),
    clock: realClock,
    dispatch: (update) => updates.push(update),
    visibleRefs: options.visible ?? (() => ['acme/api', 'acme/web']),
    events: {
      recordEvent: async (event) => void recorded.push(event),
      newId: () => `h${++ids}`,
      clock: realClock,
      actor: 'me@laptop',
      origin: {kind: 'dock'},
    },
    intervals: {...FAST, ...options.intervals},
  })
  feeds.push(feed)
  return {
    feed,
    updates,
    listings,
    streams,
    containers,
    stateDir,
    recorded,
    slowReads,
    of: (type) => updates.filter((update) => update.type === type) as never,
  }
}

describe('DockFeed', () => {
  it('connects, lists everything once and goes live', async () => {
    const h = harness()
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    expect(h.of('connection')[0]!.connection.status).toBe('connecting')
    expect(h.listings).toEqual([{'aims.managed': 'true'}])
    expect(h.streams.opened[0]!.labels).toEqual({'aims.managed': 'true'})
    const synced = h.of('synced')[0]!
    expect(synced.snapshots.map((snapshot) => [snapshot.view.ref, snapshot.startedAt !== undefined])).toEqual([
      ['acme/api', true],
      ['acme/web', true],
      ['globex/shop', false],
    ])
  })

  it('re-reads only the instance an event is about, once for a burst of events', async () => {
    const h = harness()
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    for (const action of ['kill', 'die', 'stop', 'start', 'restart'])
      h.streams.push(containerEvent('acme', 'web', action))
    await eventually(() => expect(h.of('instance')).toHaveLength(1))
    expect(h.listings.slice(1)).toEqual([{'aims.managed': 'true', 'aims.tenant': 'acme', 'aims.instance': 'web'}])
    expect(h.of('instance')[0]).toMatchObject({ref: 'acme/web', snapshot: {view: {ref: 'acme/web'}}})
    // The events themselves go to the strip.
    await eventually(() =>
      expect(h.of('events').flatMap((update) => update.events.map((event) => event.action))).toEqual([
        'kill',
        'die',
        'stop',
        'start',
        'restart',
      ]),
    )
  })

  it('keeps the newest read of an instance when an older one finishes late', async () => {
    let reads = 0
    const h = harness()
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    // From now on, the first re-read of acme/web is slow and sees the container stopped; the next is fast and sees it running.
    const running = h.containers.find((container) => container.id === 'w1')!
    const stopped = {...running, state: 'exited' as const, status: 'Exited (0)'}
    h.slowReads.set('acme/web', async () => {
      reads++
      if (reads === 1) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        return [stopped]
      }
      return [running]
    })
    h.streams.push(containerEvent('acme', 'web', 'die'))
    await new Promise((resolve) => setTimeout(resolve, 60))
    h.streams.push(containerEvent('acme', 'web', 'start'))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(reads).toBe(2)
    expect(h.of('instance').map((update) => update.snapshot?.view.status)).toEqual(['running'])
  })

  it('says when an instance is gone', async () => {
    const h = harness()
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    h.containers.splice(
      h.containers.findIndex((container) => container.id === 'a1'),
      1,
    )
    h.streams.push(containerEvent('acme', 'api', 'destroy'))
    await eventually(() =>
      expect(h.of('instance').map((update) => [update.ref, 'snapshot' in update])).toEqual([['acme/api', false]]),
    )
  })

  it('goes stale when the engine ends its stream, reconnects with backoff and resyncs everything', async () => {
    const h = harness()
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    h.streams.end()
    await eventually(() =>
      expect(h.of('connection').map((update) => update.connection.status)).toEqual([
        'connecting',
        'live',
        'stale',
        'live',
      ]),
    )
    const stale = h.of('connection')[2]!.connection
    expect(stale).toMatchObject({attempt: 1, detail: expect.stringMatching(/ended its event stream/)})
    expect(h.streams.opened).toHaveLength(2)
    expect(h.of('synced')).toHaveLength(2)
    expect(h.listings.filter((labels) => !('aims.instance' in labels))).toHaveLength(2)
  })

  it('keeps retrying while the engine is down, counting attempts', async () => {
    let down = true
    const h = harness({
      engine: {
        ping: async () =>
          down
            ? Promise.reject(
                new AimsError('engine', 'the Docker engine on vps is not answering on /var/run/docker.sock'),
              )
            : undefined,
      },
    })
    h.feed.start()
    await eventually(() =>
      expect(h.of('connection').filter((update) => update.connection.status === 'stale').length).toBeGreaterThanOrEqual(
        3,
      ),
    )
    expect(
      h
        .of('connection')
        .filter((update) => update.connection.status === 'stale')
        .map((update) => update.connection.attempt)
        .slice(0, 3),
    ).toEqual([1, 2, 3])
    expect(h.of('connection')[1]!.connection.detail).toMatch(/not answering/)
    down = false
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
  })

  it('samples stats only for the rows on screen that run, each again once its sample is statsMs old', async () => {
    const sampled: Array<{id: string; at: number}> = []
    let inFlight = 0
    let peak = 0
    const visible = ['acme/web', 'globex/shop']
    const h = harness({
      visible: () => visible,
      intervals: {statsMs: 100},
      engine: {
        stats: async (id) => {
          sampled.push({id, at: Date.now()})
          inFlight++
          peak = Math.max(peak, inFlight)
          // The engine answers at its next tick.
          await new Promise((resolve) => setTimeout(resolve, 30))
          inFlight--
          return {
            id,
            name: id,
            cpuPercent: 7,
            memoryBytes: 1000,
            memoryLimitBytes: 2000,
            networkRxBytes: 1,
            networkTxBytes: 2,
            read: new Date(),
          }
        },
      },
    })
    h.feed.start()
    await eventually(() => expect(h.of('stats').length).toBeGreaterThanOrEqual(3))
    expect(new Set(sampled.map((sample) => sample.id))).toEqual(new Set(['w1']))
    expect(h.of('stats')[0]!.usage).toEqual([
      {ref: 'acme/web', cpuPercent: 7, memoryBytes: 1000, memoryLimitBytes: 2000, networkRxBytes: 1, networkTxBytes: 2},
    ])
    // One container is never sampled twice at once, and not more often than every statsMs.
    expect(peak).toBe(1)
    const gaps = sampled.slice(1).map((sample, index) => sample.at - sampled[index]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95)
    // A row scrolled into view is sampled too.
    visible.push('acme/api')
    await eventually(() => expect(sampled.some((sample) => sample.id === 'a1')).toBe(true))
  })

  it('a failed call that is not a transport failure does not make the dock stale', async () => {
    const h = harness({
      intervals: {statsMs: 5},
      engine: {stats: async () => Promise.reject(new AimsError('not-found', 'no such container'))},
    })
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(h.of('connection').map((update) => update.connection.status)).toEqual(['connecting', 'live'])
  })

  it('probes health and records a definite change on the host, once', async () => {
    let status = 200
    const http = JSON.stringify({type: 'http', path: '/health', port: 8080})
    const h = harness({
      containers: [summary('acme', 'web', {id: 'w1', port: 51001, health: http})],
      visible: () => ['acme/web'],
      intervals: {probeMs: 30, startGraceMs: 0},
      connectTcp: httpAnswering(() => status),
    })
    h.feed.start()
    await eventually(() =>
      expect(h.of('health').at(-1)).toMatchObject({ref: 'acme/web', health: 'healthy', detail: 'HTTP 200 on /health'}),
    )
    status = 500
    await eventually(() =>
      expect(h.of('health').at(-1)).toMatchObject({health: 'unhealthy', detail: 'HTTP 500 on /health'}),
    )
    // A second failed probe confirms the change; it is recorded once, however many probes follow.
    await eventually(() => expect(h.recorded.length).toBeGreaterThan(0))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(h.recorded.map((event) => [event.action, event.health, event.message, event.origin])).toEqual([
      ['health-changed', 'unhealthy', 'health changed: healthy → unhealthy (HTTP 500 on /health)', 'dock'],
    ])
    expect(
      h
        .of('events')
        .flatMap((update) => update.events)
        .filter((event) => event.action === 'health-changed'),
    ).toHaveLength(1)
  })

  it('records nothing for a container caught stopping: one failed probe is only a suspicion', async () => {
    let status = 200
    // After the first failed answer, probes hang until the engine has said the container stopped (and
    // then fail too): on a loaded machine a second probe must not be able to slip in before the stop.
    let failedAnswers = 0
    let engineSaidStopped!: () => void
    const stopped = new Promise<void>((resolve) => (engineSaidStopped = resolve))
    const answer = httpAnswering(() => status)
    const http = JSON.stringify({type: 'http', path: '/health', port: 8080})
    const h = harness({
      containers: [summary('acme', 'web', {id: 'w1', port: 51001, health: http})],
      visible: () => ['acme/web'],
      intervals: {probeMs: 30, startGraceMs: 0},
      connectTcp: async (...args) => {
        if (status !== 200 && failedAnswers++ > 0) await stopped
        return answer(...args)
      },
    })
    h.feed.start()
    await eventually(() => expect(h.of('health').at(-1)).toMatchObject({health: 'healthy'}))
    status = 502
    await eventually(() => expect(h.of('health').at(-1)).toMatchObject({health: 'unhealthy'}))
    // The engine says it stopped before a second probe could confirm anything.
    h.containers[0] = summary('acme', 'web', {id: 'w1', port: 51001, health: http, state: 'exited'})
    h.streams.push(containerEvent('acme', 'web', 'die'))
    engineSaidStopped()
    await eventually(() => expect(h.of('instance').at(-1)?.snapshot?.view.status).toBe('stopped'))
    await new Promise((resolve) => setTimeout(resolve, 1800))
    expect(h.recorded).toEqual([])
  })

  it('calls a probe failure right after a start "starting", not unhealthy', async () => {
    const http = JSON.stringify({type: 'http', path: '/health', port: 8080})
    const young = summary('acme', 'web', {id: 'w1', port: 51001, health: http})
    const h = harness({
      containers: [young],
      visible: () => ['acme/web'],
      intervals: {startGraceMs: 3_600_000 * 24 * 365 * 100},
      connectTcp: httpAnswering(() => 503),
    })
    h.feed.start()
    await eventually(() =>
      expect(h.of('health').at(-1)).toMatchObject({health: 'starting', detail: 'HTTP 503 on /health'}),
    )
    expect(h.recorded).toEqual([])
  })

  it('shows lifecycle events appended to the host file and re-reads their instance', async () => {
    const h = harness({tenant: 'acme'})
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    const event = (id: string, tenant: string) =>
      `${JSON.stringify({v: 1, id, time: new Date().toISOString(), action: 'restarted', tenant, instance: 'web', message: 'HTTP 200', actor: 'ci@runner', origin: 'cli'})}\n`
    appendFileSync(eventsPath(h.stateDir), event('e1', 'acme') + event('e2', 'globex') + event('e1', 'acme'))
    await eventually(() =>
      expect(h.of('events').flatMap((update) => update.events.map((item) => item.key))).toEqual(['aims:e1']),
    )
    await eventually(() =>
      expect(h.listings.at(-1)).toEqual({'aims.managed': 'true', 'aims.tenant': 'acme', 'aims.instance': 'web'}),
    )
  })

  it('follows the watched instance: logs sanitized and batched, details with env names but never values', async () => {
    const lines: LogLine[] = [
      {stream: 'stdout', text: 'hello'},
      {stream: 'stderr', text: '\u001b[31mred\u001b[0m\u0007 and \u001b]0;title\u0007done\tafter a tab'},
    ]
    const h = harness({
      engine: {
        followLogs: (_id, options) =>
          (async function* () {
            for (const line of lines) yield line
            await new Promise((resolve) => options.signal.addEventListener('abort', resolve, {once: true}))
          })(),
      },
    })
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
    h.feed.watch('acme/web')
    await eventually(() =>
      expect(h.of('logs').flatMap((update) => update.lines)).toEqual(['hello', 'red and done    after a tab']),
    )
    expect(h.of('logs-reset')).toEqual([{type: 'logs-reset', ref: 'acme/web'}])
    await eventually(() =>
      expect(h.of('details')[0]?.details.services[0]).toMatchObject({
        service: 'web',
        envNames: ['APP_SECRET', 'GREETING'],
        ports: [],
      }),
    )
    expect(JSON.stringify(h.updates)).not.toContain('sentinel-secret-value-42')
    h.feed.watch(undefined)
  })
})

describe('helpers', () => {
  it('tells transport failures from failed calls', () => {
    expect(isConnectionFailure(new AimsError('connection', 'dropped'))).toBe(true)
    expect(isConnectionFailure(new AimsError('engine', 'the Docker engine on vps is not answering'))).toBe(true)
    expect(isConnectionFailure(new AimsError('engine', 'Docker refused x: boom', {details: {statusCode: 500}}))).toBe(
      false,
    )
    expect(isConnectionFailure(new AimsError('not-found', 'no such container'))).toBe(false)
    expect(isConnectionFailure(new Error('socket hang up'))).toBe(true)
  })

  it('finds the lines a resumed log stream repeats', () => {
    expect(logOverlap(['a', 'b', 'c'], ['b', 'c', 'd'])).toBe(2)
    expect(logOverlap(['a', 'b', 'c'], ['c', 'd'])).toBe(1)
    expect(logOverlap(['a', 'b'], ['x', 'y'])).toBe(0)
    expect(logOverlap([], ['x'])).toBe(0)
  })
})

describe("DockFeed: the warden's heartbeat", () => {
  const writeBeat = (stateDir: string, beat: unknown) => {
    mkdirSync(join(stateDir, 'warden'), {recursive: true})
    writeFileSync(join(stateDir, 'warden', 'heartbeat.json'), JSON.stringify(beat))
  }

  it('reads it on connect and when it changes, filtered to the tenant; absent when there is none', async () => {
    const h = harness({tenant: 'acme', intervals: {wardenMs: 20}})
    h.feed.start()
    await eventually(() => expect(h.of('warden')[0]?.warden.presence).toBe('absent'))
    const now = Date.now()
    writeBeat(h.stateDir, heartbeatAt(now))
    await eventually(() => expect(h.of('warden').at(-1)?.warden.presence).toBe('running'))
    const summary = h.of('warden').at(-1)!.warden
    expect(Object.keys(summary.states).sort()).toEqual(['acme/app-001', 'acme/app-002', 'acme/app-003'])
    expect(summary.states['acme/app-002']?.state).toBe('healing')
    // Unchanged file: no new update (each one is a frame).
    const count = h.of('warden').length
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(h.of('warden')).toHaveLength(count)
    writeBeat(h.stateDir, heartbeatAt(now - 600_000))
    await eventually(() => expect(h.of('warden').at(-1)?.warden.presence).toBe('stale'))
  })

  it('an unreadable heartbeat changes nothing (the dock still goes live)', async () => {
    const h = harness({intervals: {wardenMs: 20}})
    mkdirSync(join(h.stateDir, 'warden', 'heartbeat.json'), {recursive: true})
    h.feed.start()
    await eventually(() => expect(h.of('connection').at(-1)?.connection.status).toBe('live'))
  })
})
