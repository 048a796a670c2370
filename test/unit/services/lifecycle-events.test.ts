import {appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {LifecycleEvent} from '../../../src/core/events.js'
import {
  emitForAudit,
  emitLifecycleEvent,
  eventsPath,
  followLifecycleEvents,
  hostLifecycleEventWriter,
  readLifecycleEventsFrom,
  readRecentLifecycleEvents,
} from '../../../src/services/lifecycle-events.js'
import {fakeEngine, fakeSession, hostWithStateDir, localShell, realClock} from '../../support/dock-fakes.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-lifecycle-events-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))
let dirs = 0
const stateDir = () => join(scratch, `state-${++dirs}`)

const event = (id: string, extra: Partial<LifecycleEvent> = {}): LifecycleEvent => ({
  v: 1,
  id,
  time: '2025-01-31T12:00:00.000Z',
  action: 'restarted',
  tenant: 'acme',
  instance: 'web',
  message: 'HTTP 200 on /health',
  actor: 'me@laptop',
  origin: 'cli',
  ...extra,
})
const line = (id: string, extra: Partial<LifecycleEvent> = {}) => `${JSON.stringify(event(id, extra))}\n`

const deps = (recorded: LifecycleEvent[], dir = '/state') => ({
  recordEvent: async (record: LifecycleEvent) => {
    recorded.push(record)
  },
  newId: () => 'id-1',
  clock: {now: () => new Date('2025-01-31T12:00:00Z'), sleep: async () => undefined},
  actor: 'me@laptop',
  origin: {kind: 'dock' as const},
  session: {host: hostWithStateDir(dir)},
})

describe('writing events on the host', () => {
  it('appends one JSON line per event, creating the state dir the first time', async () => {
    const dir = stateDir()
    const calls: string[] = []
    const session = fakeSession({engine: fakeEngine({}), shell: localShell(calls), host: hostWithStateDir(dir)})
    const write = hostLifecycleEventWriter(session)
    await write(event('a'))
    await write(event('b'))
    expect(readFileSync(eventsPath(dir), 'utf8')).toBe(line('a') + line('b'))
    // The first append failed (no dir), then mkdirp, then append again; the second needed nothing else.
    expect(calls).toEqual([
      `append ${dir}/events.jsonl`,
      `mkdirp ${dir}`,
      `append ${dir}/events.jsonl`,
      `append ${dir}/events.jsonl`,
    ])
  })

  it('stamps who, when and where, and maps audited outcomes', async () => {
    const recorded: LifecycleEvent[] = []
    await emitForAudit(deps(recorded), {
      action: 'plug up',
      target: 'acme/web',
      outcome: 'rolled-back',
      detail: 'web did not become healthy',
    })
    await emitForAudit(deps(recorded), {action: 'plug down', target: 'acme/web', outcome: 'declined'})
    await emitLifecycleEvent(deps(recorded), {
      action: 'health-changed',
      tenant: 'acme',
      instance: 'web',
      message: 'health changed: healthy → unhealthy (HTTP 500)',
      health: 'unhealthy',
    })
    expect(recorded).toEqual([
      {
        v: 1,
        id: 'id-1',
        time: '2025-01-31T12:00:00.000Z',
        action: 'deploy-rolled-back',
        tenant: 'acme',
        instance: 'web',
        message: 'web did not become healthy',
        actor: 'me@laptop',
        origin: 'dock',
        host: 'vps',
      },
      {
        v: 1,
        id: 'id-1',
        time: '2025-01-31T12:00:00.000Z',
        action: 'health-changed',
        tenant: 'acme',
        instance: 'web',
        message: 'health changed: healthy → unhealthy (HTTP 500)',
        actor: 'me@laptop',
        origin: 'dock',
        host: 'vps',
        health: 'unhealthy',
      },
    ])
  })

  it('never fails the action it describes, and does nothing without a writer', async () => {
    const failing = {...deps([]), recordEvent: async () => Promise.reject(new Error('disk full'))}
    await expect(
      emitLifecycleEvent(failing, {action: 'started', tenant: 'acme', instance: 'web', message: 'ok'}),
    ).resolves.toBeUndefined()
    const {recordEvent: _none, ...without} = deps([])
    await expect(
      emitLifecycleEvent(without, {action: 'started', tenant: 'acme', instance: 'web', message: 'ok'}),
    ).resolves.toBeUndefined()
  })
})

describe('reading events on the host (the script runs for real)', () => {
  it('reads nothing, at size 0, when there is no file yet', async () => {
    expect(await readRecentLifecycleEvents(localShell(), stateDir())).toEqual({events: [], size: 0})
    expect(await readLifecycleEventsFrom(localShell(), stateDir(), 0)).toEqual({events: [], offset: 0})
  })

  it('reads the last lines and the size to follow from', async () => {
    const dir = stateDir()
    const path = eventsPath(dir)
    await localShell().mkdirp(dir)
    writeFileSync(path, line('a') + line('b') + line('c'))
    const recent = await readRecentLifecycleEvents(localShell(), dir, 2)
    expect(recent.events.map((item) => item.id)).toEqual(['b', 'c'])
    expect(recent.size).toBe(readFileSync(path).length)
  })

  it('reads only what was appended since an offset, complete lines only', async () => {
    const dir = stateDir()
    const path = eventsPath(dir)
    await localShell().mkdirp(dir)
    writeFileSync(path, line('a'))
    const start = readFileSync(path).length
    // A second writer is half-way through its line: only "b" is complete.
    appendFileSync(path, line('b', {message: 'ünïcödé ✓'}) + line('c').slice(0, 20))
    const first = await readLifecycleEventsFrom(localShell(), dir, start)
    expect(first.events.map((item) => item.id)).toEqual(['b'])
    expect(first.events[0]!.message).toBe('ünïcödé ✓')
    appendFileSync(path, line('c').slice(20))
    const second = await readLifecycleEventsFrom(localShell(), dir, first.offset)
    expect(second.events.map((item) => item.id)).toEqual(['c'])
    expect(second.offset).toBe(readFileSync(path).length)
  })

  it('starts over when the file was truncated or replaced', async () => {
    const dir = stateDir()
    const path = eventsPath(dir)
    await localShell().mkdirp(dir)
    writeFileSync(path, line('a') + line('b') + line('c'))
    const end = readFileSync(path).length
    writeFileSync(path, line('z'))
    const read = await readLifecycleEventsFrom(localShell(), dir, end)
    expect(read.events.map((item) => item.id)).toEqual(['z'])
  })

  it('never pastes the path into the script: a path with shell syntax is just a path', async () => {
    const dir = join(scratch, 'we$(touch pwned)ird; echo x')
    await localShell().mkdirp(dir)
    writeFileSync(eventsPath(dir), line('a'))
    const recent = await readRecentLifecycleEvents(localShell(), dir)
    expect(recent.events.map((item) => item.id)).toEqual(['a'])
    expect(() => readFileSync('pwned')).toThrow()
  })

  it('follows appends until the signal aborts', async () => {
    const dir = stateDir()
    const path = eventsPath(dir)
    await localShell().mkdirp(dir)
    writeFileSync(path, line('old'))
    const seen: string[] = []
    const controller = new AbortController()
    const follow = followLifecycleEvents(localShell(), dir, {
      from: readFileSync(path).length,
      intervalMs: 20,
      signal: controller.signal,
      clock: realClock,
      onEvents: (events) => seen.push(...events.map((item) => item.id)),
    })
    appendFileSync(path, line('n1'))
    await new Promise((resolve) => setTimeout(resolve, 150))
    appendFileSync(path, line('n2') + line('n3'))
    const deadline = Date.now() + 3000
    while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()
    await follow
    expect(seen).toEqual(['n1', 'n2', 'n3'])
  })
})
