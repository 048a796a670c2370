import {appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {EngineEvent} from '../../../src/core/engine-types.js'
import type {AimsEvent, LifecycleEvent} from '../../../src/core/events.js'
import {followEvents, listEvents} from '../../../src/services/events.js'
import {eventsPath} from '../../../src/services/lifecycle-events.js'
import type {Engine} from '../../../src/services/ports.js'
import {
  containerEvent,
  eventually,
  EventStreams,
  fakeEngine,
  fakeSession,
  hostWithStateDir,
  localShell,
  realClock,
} from '../../support/dock-fakes.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-events-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))
let dirs = 0
function stateDirWith(lines: LifecycleEvent[]): string {
  const dir = join(scratch, `state-${++dirs}`)
  mkdirSync(dir, {recursive: true})
  writeFileSync(eventsPath(dir), lines.map((line) => `${JSON.stringify(line)}\n`).join(''))
  return dir
}
const lifecycle = (id: string, time: string, tenant = 'acme', extra: Partial<LifecycleEvent> = {}): LifecycleEvent => ({
  v: 1,
  id,
  time,
  action: 'deploy-ready',
  tenant,
  instance: 'web',
  message: 'ready',
  actor: 'me@laptop',
  origin: 'cli',
  ...extra,
})

describe('listEvents', () => {
  it('merges engine and lifecycle events of the window in time order, one tenant when asked', async () => {
    const dir = stateDirWith([
      lifecycle('early', '2025-01-31T10:00:00Z'),
      lifecycle('l1', '2025-01-31T12:00:02Z'),
      lifecycle('other', '2025-01-31T12:00:03Z', 'globex'),
    ])
    const asked: Array<Parameters<Engine['events']>[0]> = []
    const engine = fakeEngine({
      events: (options) => {
        asked.push(options)
        return (async function* (): AsyncGenerator<EngineEvent> {
          yield containerEvent('acme', 'web', 'create', new Date('2025-01-31T12:00:01Z'))
          yield containerEvent('acme', 'web', 'exec_start: wget -q localhost', new Date('2025-01-31T12:00:02.5Z'))
          yield containerEvent('acme', 'web', 'start', new Date('2025-01-31T12:00:04Z'))
        })()
      },
    })
    const events = await listEvents(fakeSession({engine, host: hostWithStateDir(dir)}), {
      since: new Date('2025-01-31T11:00:00Z'),
      until: new Date('2025-01-31T13:00:00Z'),
      tenant: 'acme',
    })
    expect(events.map((event) => `${event.source}:${event.action}`)).toEqual([
      'engine:create',
      'aims:deploy-ready',
      'engine:start',
    ])
    expect(asked[0]).toMatchObject({
      since: new Date('2025-01-31T11:00:00Z'),
      until: new Date('2025-01-31T13:00:00Z'),
      labels: {'aims.managed': 'true', 'aims.tenant': 'acme'},
    })
  })
})

describe('followEvents', () => {
  it('streams both sources as they happen, each event once, until aborted', async () => {
    const dir = stateDirWith([lifecycle('before', '2025-01-31T10:00:00Z')])
    const streams = new EventStreams()
    const session = fakeSession({
      engine: fakeEngine({events: streams.events}),
      shell: localShell(),
      host: hostWithStateDir(dir),
    })
    const seen: AimsEvent[] = []
    const controller = new AbortController()
    const follow = followEvents(session, {
      signal: controller.signal,
      clock: realClock,
      pollMs: 20,
      onEvent: (event) => seen.push(event),
    })
    await eventually(() => expect(streams.opened).toHaveLength(1))
    streams.push(containerEvent('acme', 'web', 'start'))
    streams.push(containerEvent('acme', 'web', 'start', new Date(0)))
    streams.push(containerEvent('acme', 'web', 'start', new Date(0)))
    appendFileSync(eventsPath(dir), `${JSON.stringify(lifecycle('new', new Date().toISOString()))}\n`)
    await eventually(() =>
      expect(seen.map((event) => `${event.source}:${event.action}`).sort()).toEqual([
        'aims:deploy-ready',
        'engine:start',
        'engine:start',
      ]),
    )
    controller.abort()
    await follow
    // What was in the file before the follow started is not replayed without --since.
    expect(seen.some((event) => event.key === 'aims:before')).toBe(false)
  })

  it('replays --since first, then follows', async () => {
    const dir = stateDirWith([
      lifecycle('old', '2025-01-31T10:00:00Z'),
      lifecycle('recent', new Date(Date.now() - 60_000).toISOString()),
    ])
    const streams = new EventStreams()
    const session = fakeSession({engine: fakeEngine({events: streams.events}), host: hostWithStateDir(dir)})
    const seen: string[] = []
    const controller = new AbortController()
    const follow = followEvents(session, {
      since: new Date(Date.now() - 3_600_000),
      signal: controller.signal,
      clock: realClock,
      pollMs: 20,
      onEvent: (event) => seen.push(event.key),
    })
    // The replay window's engine stream ends by itself (it has an until); then the live one opens.
    await eventually(() => expect(streams.opened).toHaveLength(1))
    streams.end()
    await eventually(() => expect(streams.opened).toHaveLength(2))
    controller.abort()
    await follow
    expect(seen).toEqual(['aims:recent'])
  })

  it('ends with a connection error when the engine ends its stream', async () => {
    const dir = stateDirWith([])
    const streams = new EventStreams()
    const session = fakeSession({engine: fakeEngine({events: streams.events}), host: hostWithStateDir(dir)})
    const follow = followEvents(session, {
      signal: new AbortController().signal,
      clock: realClock,
      pollMs: 20,
      onEvent: () => undefined,
    })
    await eventually(() => expect(streams.opened).toHaveLength(1))
    streams.end()
    await expect(follow).rejects.toMatchObject({
      kind: 'connection',
      message: expect.stringMatching(/ended its event stream/),
    })
  })
})
