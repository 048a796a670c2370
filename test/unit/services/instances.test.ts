import {describe, expect, it} from 'vitest'
import {instanceRef} from '../../../src/core/names.js'
import {LABEL, type ContainerState, type HealthStatus} from '../../../src/core/engine-types.js'
import type {ProbeSpec} from '../../../src/core/plan/plug-up.js'
import {listInstances, probeEntry, readInstances, requireInstance} from '../../../src/services/instances.js'
import {FakeEngine} from '../../support/fake-engine.js'
import {FakeSession, testHost} from '../../support/fake-session.js'
import {rejection} from '../../support/lifecycle-fakes.js'

let port = 51000

/** An instance with one entry container on the next host port. */
function seed(
  engine: FakeEngine,
  ref: string,
  options: {state?: ContainerState; probe?: ProbeSpec; health?: HealthStatus; noEntry?: boolean} = {},
) {
  const [tenant, instance] = ref.split('/') as [string, string]
  const hostPort = port++
  const name = `aims-${tenant}-${instance}-web`
  if (options.health) engine.behave(name, {dockerHealth: options.health})
  return engine.seedContainer({
    name,
    state: options.state ?? 'running',
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: tenant,
      [LABEL.instance]: instance,
      [LABEL.plug]: 'app',
      [LABEL.service]: 'web',
      [LABEL.services]: 'web',
      [LABEL.replica]: '1',
      ...(options.noEntry ? {} : {[LABEL.entry]: 'true', [LABEL.port]: String(hostPort)}),
      ...(options.probe ? {[LABEL.health]: JSON.stringify(options.probe)} : {}),
    },
    ports: [{containerPort: 8080, protocol: 'tcp', hostPort, hostIp: '127.0.0.1'}],
    exposedPorts: [8080],
  })
}

function world(hostOptions: Parameters<typeof testHost>[0] = {}) {
  const engine = new FakeEngine()
  const session = new FakeSession(testHost(hostOptions), {engine})
  return {engine, session}
}

const HTTP: ProbeSpec = {type: 'http', path: '/health', port: 8080}

describe('readInstances', () => {
  it('lists aims instances of all tenants or one tenant, with URLs from the host domain', async () => {
    const {engine, session} = world({domain: 'example.com'})
    seed(engine, 'acme/web')
    seed(engine, 'beta/api')
    engine.seedContainer({name: 'unrelated', labels: {'com.example': 'x'}})
    expect((await readInstances(session, engine)).map((view) => view.ref)).toEqual(['acme/web', 'beta/api'])
    const [acme] = await readInstances(session, engine, {tenant: 'acme'})
    expect(acme).toMatchObject({ref: 'acme/web', domainUrl: 'http://web.acme.example.com/'})
    expect(await readInstances(session, engine, {tenant: 'gamma'})).toEqual([])
  })
})

describe('probeEntry', () => {
  async function probe(engine: FakeEngine, session: FakeSession, ref: string) {
    const view = (await readInstances(session, engine)).find((item) => item.ref === ref)!
    const entry = view.replicas.find((replica) => replica.entry)
    return probeEntry(session, view, entry ? engine.container(entry.containerId)!.labels : undefined)
  }

  it('HTTP probe on the host port: healthy on 2xx/3xx', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/web', {probe: HTTP})
    expect(await probe(engine, session, 'acme/web')).toEqual({
      ok: true,
      detail: 'HTTP 200 on /health',
      health: 'healthy',
    })
    expect(engine.log).toEqual(['probe aims-acme-web-web'])
  })

  it('HTTP probe: unhealthy on 5xx, and on a refused connection', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/web', {probe: HTTP})
    engine.behave('aims-acme-web-web', {http: 502})
    expect(await probe(engine, session, 'acme/web')).toEqual({
      ok: false,
      detail: 'HTTP 502 on /health',
      health: 'unhealthy',
    })
    engine.behave('aims-acme-web-web', {http: 'refuse'})
    expect(await probe(engine, session, 'acme/web')).toMatchObject({
      ok: false,
      health: 'unhealthy',
      detail: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it('TCP probe on the host port', async () => {
    const {engine, session} = world()
    const hostPort = seed(engine, 'acme/cache', {probe: {type: 'tcp', port: 8080}}).ports[0]!.hostPort
    expect(await probe(engine, session, 'acme/cache')).toEqual({
      ok: true,
      detail: `TCP ${hostPort} accepts connections`,
      health: 'healthy',
    })
  })

  it("Docker's own health when there is no HTTP/TCP probe", async () => {
    const {engine, session} = world()
    seed(engine, 'acme/db', {probe: {type: 'docker'}, health: 'healthy'})
    seed(engine, 'acme/slow', {probe: {type: 'docker'}, health: 'starting'})
    expect(await probe(engine, session, 'acme/db')).toEqual({
      ok: true,
      detail: 'Docker health: healthy',
      health: 'healthy',
    })
    expect(await probe(engine, session, 'acme/slow')).toEqual({
      ok: false,
      detail: 'Docker health: starting',
      health: 'starting',
    })
  })

  it('running without any health check counts as healthy', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/plain')
    expect(await probe(engine, session, 'acme/plain')).toEqual({ok: true, detail: 'running', health: 'healthy'})
  })

  it('does not probe an entry that is not running', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/off', {state: 'exited', probe: HTTP})
    seed(engine, 'acme/loop', {state: 'restarting', probe: HTTP})
    expect(await probe(engine, session, 'acme/off')).toEqual({ok: false, detail: 'entry is exited', health: 'unknown'})
    expect(await probe(engine, session, 'acme/loop')).toEqual({
      ok: false,
      detail: 'entry is restarting',
      health: 'unhealthy',
    })
    expect(engine.log).toEqual([])
  })

  it('is unknown without an entry service', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/worker', {noEntry: true})
    expect(await probe(engine, session, 'acme/worker')).toEqual({
      ok: false,
      detail: 'no entry service',
      health: 'unknown',
    })
  })
})

describe('listInstances', () => {
  it('without probes: the engine view only, no connection to any port', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/web', {probe: HTTP})
    engine.behave('aims-acme-web-web', {http: 500})
    const [view] = await listInstances(session, {probe: false})
    expect(view).toMatchObject({ref: 'acme/web', health: 'unknown'})
    expect(engine.log).toEqual([])
  })

  it('with probes: live health and its detail for every instance, filtered by tenant', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/web', {probe: HTTP})
    seed(engine, 'acme/down', {probe: HTTP})
    seed(engine, 'beta/web', {probe: HTTP})
    engine.behave('aims-acme-down-web', {http: 503})
    const views = await listInstances(session, {tenant: 'acme', probe: true})
    expect(views.map((view) => [view.ref, view.health, view.healthDetail])).toEqual([
      ['acme/down', 'unhealthy', 'HTTP 503 on /health'],
      ['acme/web', 'healthy', 'HTTP 200 on /health'],
    ])
  })
})

describe('requireInstance', () => {
  it('finds the instance', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/web')
    expect((await requireInstance(session, engine, instanceRef('acme', 'web'))).ref).toBe('acme/web')
  })

  it('suggests the same name in other tenants (exit 2)', async () => {
    const {engine, session} = world()
    seed(engine, 'beta/web')
    seed(engine, 'gamma/web')
    seed(engine, 'acme/api')
    const error = await rejection(requireInstance(session, engine, instanceRef('acme', 'web')))
    expect(error).toMatchObject({
      kind: 'not-found',
      exitCode: 2,
      message: 'no instance acme/web on vps',
      hint: 'did you mean "beta/web" or "gamma/web"?',
    })
  })

  it('suggests the closest names for a typo', async () => {
    const {engine, session} = world()
    seed(engine, 'acme/website')
    seed(engine, 'acme/zzz')
    expect((await rejection(requireInstance(session, engine, instanceRef('acme', 'webiste')))).hint).toBe(
      'did you mean "acme/website"?',
    )
  })

  it('points at plug ls when nothing is close, and at plug up on an empty host', async () => {
    const {engine, session} = world()
    expect((await rejection(requireInstance(session, engine, instanceRef('acme', 'web')))).hint).toBe(
      'nothing is deployed there yet: aims plug up PLUG',
    )
    seed(engine, 'other/completely-different')
    expect((await rejection(requireInstance(session, engine, instanceRef('acme', 'web')))).hint).toBe(
      'see aims plug ls',
    )
  })
})
