import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {checkHealth, recordHealthChanges} from '../../../src/services/health-report.js'
import {eventsPath, hostLifecycleEventWriter} from '../../../src/services/lifecycle-events.js'
import {
  details,
  fakeEngine,
  fakeSession,
  hostWithStateDir,
  httpAnswering,
  localShell,
  summary,
} from '../../support/dock-fakes.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-health-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

const http = JSON.stringify({type: 'http', path: '/health', port: 8080})

describe('checkHealth', () => {
  const containers = [
    summary('acme', 'good', {id: 'g', port: 51001, health: http}),
    summary('acme', 'sick', {id: 's', port: 51002, health: http}),
    summary('acme', 'off', {id: 'o', port: 51003, health: http, state: 'exited'}),
  ]
  const engine = fakeEngine({
    listContainers: async () => containers,
    inspectContainer: async (id) => details(containers.find((container) => container.id === id)!),
  })
  let asked = 0
  const session = fakeSession({
    engine,
    connectTcp: async (host, port) => {
      asked++
      return httpAnswering(() => (port === 51002 ? 500 : 200))(host, port)
    },
  })

  it("probes every instance's services the way the health gate does, in one listing", async () => {
    const reports = await checkHealth(session, {tenant: 'acme'})
    expect(reports.map((report) => [report.ref, report.health, report.detail])).toEqual([
      ['acme/good', 'healthy', 'HTTP 200 on /health'],
      ['acme/off', 'stopped', 'instance is stopped'],
      ['acme/sick', 'unhealthy', 'web: HTTP 500 on /health'],
    ])
    expect(reports[1]!.services[0]).toMatchObject({ok: false, detail: 'container is exited'})
    // Stopped containers are not probed over the network.
    expect(asked).toBe(2)
  })

  it('records a health change against the last health the host recorded, once', async () => {
    const dir = join(scratch, 'state')
    mkdirSync(dir, {recursive: true})
    writeFileSync(
      eventsPath(dir),
      `${JSON.stringify({v: 1, id: 'x', time: '2025-01-31T10:00:00Z', action: 'deploy-ready', tenant: 'acme', instance: 'sick', message: 'ready', actor: 'a', origin: 'cli'})}\n`,
    )
    const withState = fakeSession({
      engine,
      shell: localShell(),
      host: hostWithStateDir(dir),
      connectTcp: async (host, port) => httpAnswering(() => (port === 51002 ? 500 : 200))(host, port),
    })
    const reports = await checkHealth(withState, {tenant: 'acme'})
    let ids = 0
    const deps = {
      session: withState,
      recordEvent: hostLifecycleEventWriter(withState),
      newId: () => `n${++ids}`,
      clock: {now: () => new Date('2025-01-31T12:00:00Z'), sleep: async () => undefined},
      actor: 'me@laptop',
      origin: {kind: 'cli' as const},
    }
    const changes = await recordHealthChanges(deps, reports)
    expect(changes.map((change) => `${change.ref}: ${change.from} → ${change.to}`)).toEqual([
      'acme/sick: healthy → unhealthy',
    ])
    // The second look finds the change already recorded.
    expect(await recordHealthChanges(deps, reports)).toEqual([])
    const lines = readFileSync(eventsPath(dir), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.at(-1)).toMatchObject({
      action: 'health-changed',
      tenant: 'acme',
      instance: 'sick',
      health: 'unhealthy',
      message: 'health changed: healthy → unhealthy (web: HTTP 500 on /health)',
      origin: 'cli',
    })
  })
})
