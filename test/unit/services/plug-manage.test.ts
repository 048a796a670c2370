import {describe, expect, it} from 'vitest'
import {instanceRef} from '../../../src/core/names.js'
import {AimsError} from '../../../src/core/errors.js'
import {LABEL} from '../../../src/core/engine-types.js'
import {confOwnerLine} from '../../../src/core/proxy/plug-conf.js'
import {changeState, plugDown, plugScale} from '../../../src/services/plug-manage.js'
import {validateScaleOptions, type PlugUpOptions, type ScaleOptions} from '../../../src/core/plan/requests.js'
import type {GateDecision} from '../../../src/services/gate.js'
import {testPlug} from '../../support/catalog-fakes.js'
import {procNetTcp} from '../../support/fake-session.js'
import {deploy, FakeApprover, fixturePlug, makeWorld, rejection, type World} from '../../support/lifecycle-fakes.js'

const SITE = instanceRef('acme', 'site')
const STACK = instanceRef('acme', 'stack')
const MiB = 1024 ** 2

/** plug scale as the CLI runs it: the options checked (a bad one rejects), then the service. */
const scale = async (deps: World['deps'], ref: typeof SITE, options: ScaleOptions) =>
  plugScale(deps, ref, validateScaleOptions(options))

/** Deploys through plugUp (so labels are the real ones), then starts the log afresh with an approver that says `decision`. */
async function deployed(
  world: World,
  overrides: Partial<PlugUpOptions> = {},
  decision: GateDecision | AimsError | 'unexpected' = 'apply',
): Promise<void> {
  await deploy(world.deps, {
    plug: 'fixture-web',
    name: 'site',
    tenant: 'acme',
    env: [],
    expose: false,
    links: [],
    ...overrides,
  })
  world.log.length = 0
  world.audit.records.length = 0
  world.progress.length = 0
  world.engine.stopTimeouts.length = 0
  setDecision(world, decision)
}

function setDecision(world: World, decision: GateDecision | AimsError | 'unexpected') {
  world.approver = new FakeApprover(decision)
  world.deps.approver = world.approver
}

const effects = (world: World) => world.log.filter((entry) => !entry.startsWith('probe '))

describe('changeState', () => {
  it('stops in reverse deploy order, without a health wait, under the instance lock', async () => {
    const world = makeWorld()
    await deployed(world, {plug: 'fixture-stack', name: 'stack'})
    const result = await changeState(world.deps, STACK, 'stop')
    expect(effects(world)).toEqual([
      'lock instance-acme-stack',
      'stop aims-acme-stack-front',
      'stop aims-acme-stack-backend',
      'unlock instance-acme-stack',
      'append /var/lib/aims/audit.jsonl',
      // A stop by a person: the warden must not heal it.
      'write /var/lib/aims/intents/acme/stack.json',
    ])
    expect(world.session.locks.at(-1)).toMatchObject({name: 'instance-acme-stack', wait: true, timeoutMs: 15_000})
    expect(result).toMatchObject({status: 'applied', action: 'plug-stop', instance: 'acme/stack', host: 'vps'})
    expect(result.health).toBeUndefined()
    expect(result.plan.changes).toEqual([
      {action: 'stop', kind: 'container', name: 'aims-acme-stack-front', detail: 'running'},
      {action: 'stop', kind: 'container', name: 'aims-acme-stack-backend', detail: 'running'},
    ])
    expect(result.plan).toMatchObject({
      summary: 'Stop acme/stack (fixture-stack) on vps',
      destructive: false,
      gates: [],
    })
    expect(world.audit.records).toMatchObject([{action: 'plug stop', target: 'acme/stack', outcome: 'applied'}])
  })

  it('starts in deploy order and waits for the entry to be healthy', async () => {
    const world = makeWorld()
    await deployed(world, {plug: 'fixture-stack', name: 'stack'})
    await changeState(world.deps, STACK, 'stop')
    world.log.length = 0
    const result = await changeState(world.deps, STACK, 'start')
    expect(world.engine.calls('start')).toEqual(['aims-acme-stack-backend', 'aims-acme-stack-front'])
    expect(result.health).toEqual({ok: true, detail: 'HTTP 200 on /health'})
    // Healthy once the entry answers, after both started (the probes come last, then unlock and audit).
    const started = world.log.lastIndexOf('start aims-acme-stack-front')
    expect(world.log.slice(started + 1).filter((entry) => entry.startsWith('probe '))).toContain(
      'probe aims-acme-stack-front',
    )
    expect(world.log.at(-1)).toMatch(/intents\/acme\/stack\.json/) // the stop intent is withdrawn
    expect(world.audit.records.at(-1)).toMatchObject({
      action: 'plug start',
      outcome: 'applied',
      detail: 'HTTP 200 on /health',
    })
  })

  it('restarts in deploy order and waits for health', async () => {
    const world = makeWorld()
    await deployed(world, {plug: 'fixture-stack', name: 'stack'})
    const result = await changeState(world.deps, STACK, 'restart')
    expect(world.engine.calls('restart')).toEqual(['aims-acme-stack-backend', 'aims-acme-stack-front'])
    expect(result.health?.ok).toBe(true)
  })

  it('keeps waiting while the entry comes up, with growing pauses', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.behave('aims-acme-site-web', {refuseFirstProbes: 4})
    const result = await changeState(world.deps, SITE, 'restart')
    expect(result.health?.ok).toBe(true)
    expect(world.clock.sleeps.slice(-4)).toEqual([50, 100, 200, 400])
  })

  it("reports an entry that stays unhealthy for the plug's health gate budget as a failure (exit 1), after recording the change", async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.behave('aims-acme-site-web', {http: 503})
    const before = world.clock.slept
    const error = await rejection(changeState(world.deps, SITE, 'restart'))
    expect(error).toMatchObject({
      kind: 'unhealthy',
      exitCode: 1,
      message: 'acme/site was restarted but is not healthy: HTTP 503 on /health',
    })
    // fixture-web's gate: 15 checks × 0.5 s = 7.5 s, recorded on the container as aims.health-budget.
    expect(world.clock.slept - before).toBeGreaterThanOrEqual(7500)
    expect(world.clock.slept - before).toBeLessThan(9500)
    expect(world.audit.records.at(-1)).toMatchObject({outcome: 'applied', detail: 'HTTP 503 on /health'})
    expect(world.session.openLocks()).toEqual([])
  })

  it('reports at once an entry that exits on start', async () => {
    const world = makeWorld()
    await deployed(world)
    await changeState(world.deps, SITE, 'stop')
    world.engine.behave('aims-acme-site-web', {exitCode: 3})
    const before = world.clock.slept
    const error = await rejection(changeState(world.deps, SITE, 'start'))
    expect(error.message).toBe('acme/site was started but is not healthy: container exited (exit code 3)')
    expect(world.clock.slept).toBe(before)
  })

  it('records a failure and releases the lock when the engine fails', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.before('stopContainer', () => {
      throw new AimsError('engine', 'Docker refused stop container: boom')
    })
    await rejection(changeState(world.deps, SITE, 'stop'))
    expect(world.audit.records).toMatchObject([
      {action: 'plug stop', outcome: 'failed', detail: 'Docker refused stop container: boom'},
    ])
    expect(world.session.openLocks()).toEqual([])
  })

  it('a dry run changes nothing', async () => {
    const world = makeWorld()
    await deployed(world, {}, 'dry-run')
    const result = await changeState(world.deps, SITE, 'stop')
    expect(result.status).toBe('dry-run')
    expect(world.log).toEqual([])
    expect(world.engine.container('aims-acme-site-web')!.state).toBe('running')
  })

  it('an unknown instance fails with exit 2 and the same name in another tenant as the suggestion', async () => {
    const world = makeWorld()
    await deployed(world, {}, 'unexpected')
    const error = await rejection(changeState(world.deps, instanceRef('other', 'site'), 'stop'))
    expect(error).toMatchObject({
      kind: 'not-found',
      exitCode: 2,
      message: 'no instance other/site on vps',
      hint: 'did you mean "acme/site"?',
    })
    expect(world.log).toEqual([])
  })

  it('says another process is changing the instance when its lock cannot be had', async () => {
    const world = makeWorld()
    await deployed(world)
    world.session.heldElsewhere.add('instance-acme-site')
    const error = await rejection(changeState(world.deps, SITE, 'stop'))
    expect(error).toMatchObject({
      kind: 'conflict',
      message: 'another aims process is changing acme/site right now',
      hint: 'wait for it to finish and retry',
    })
    expect(world.engine.calls('stop')).toEqual([])
  })

  // BUG (src/services/plug-manage.ts:85 awaitHealthy, budgetMs = 60_000, called at :138 without a
  // budget): start/restart wait 60 s whatever the plug's health_gate says (ghost: 90 × 2 s, n8n:
  // 45 × 2 s), so a slow app that plug up would accept is reported "restarted but is not healthy"
  // (exit 1). Expected: the plug's own health gate budget (the catalog is in deps, or put the budget
  // in a label at deploy time).
  it("waits as long as the plug's health gate allows after a restart", async () => {
    const slow = testPlug('slow-app', {
      services: {web: {image: 'aims-fixture/web:1', entry: {port: 8080}, health: {type: 'http', path: '/health'}}},
      health_gate: {retries: 90, interval_seconds: 2},
    })
    const world = makeWorld({plugs: [slow]})
    await deployed(world, {plug: 'slow-app'})
    // About 80 s of refused connections: within 180 s, beyond 60 s.
    world.engine.behave('aims-acme-site-web', {refuseFirstProbes: 45})
    const result = await changeState(world.deps, SITE, 'restart')
    expect(result.health?.ok).toBe(true)
  })

  // The catalog's stop_grace_seconds (ghost's MySQL: 60) is the container's StopTimeout; aims passes no
  // explicit t, so Docker waits that long before SIGKILL.
  it('stops each service with its catalog stop grace period, not a fixed 10 s', async () => {
    const slow = testPlug('slow-db', {
      services: {
        web: {
          image: 'aims-fixture/web:1',
          entry: {port: 8080},
          health: {type: 'http', path: '/health'},
          stop_grace_seconds: 60,
        },
      },
    })
    const world = makeWorld({plugs: [slow]})
    await deployed(world, {plug: 'slow-db'})
    await changeState(world.deps, SITE, 'stop')
    expect(world.engine.stopTimeouts).toEqual([{name: 'aims-acme-site-web', timeoutSeconds: 60}])
  })
})

describe('plugDown', () => {
  it('plans a destructive removal the user must confirm by typing the instance name', async () => {
    const world = makeWorld({host: {domain: 'example.com'}})
    await deployed(world, {plug: 'fixture-stack', name: 'stack'}, 'dry-run')
    const result = await plugDown(world.deps, STACK, {keepData: false})
    expect(result.status).toBe('dry-run')
    expect(result.plan).toMatchObject({
      action: 'plug-down',
      summary: 'Decommission acme/stack (fixture-stack) on vps',
      destructive: true,
      confirmWord: 'stack',
    })
    expect(result.plan.changes).toEqual([
      {
        action: 'remove',
        kind: 'container',
        name: 'aims-acme-stack-front',
        detail: 'stop gracefully, then remove (running)',
      },
      {
        action: 'remove',
        kind: 'container',
        name: 'aims-acme-stack-backend',
        detail: 'stop gracefully, then remove (running)',
      },
      {action: 'remove', kind: 'volume', name: 'aims-acme-stack-backend-data', detail: 'its data is deleted'},
      {action: 'remove', kind: 'network', name: 'aims-i-acme-stack'},
      {action: 'remove', kind: 'network', name: 'aims-t-acme', detail: 'the tenant has no other instance'},
      {action: 'remove', kind: 'proxy-conf', name: 'acme-stack.conf', detail: 'stack.acme.example.com'},
    ])
    expect(world.log).toEqual([])
    expect(world.engine.containerNames()).toHaveLength(2)
  })

  it('plans to keep the volumes with --keep-data', async () => {
    const world = makeWorld()
    await deployed(world, {}, 'dry-run')
    const result = await plugDown(world.deps, SITE, {keepData: true})
    expect(result.plan.changes.filter((change) => change.kind === 'volume')).toEqual([
      {action: 'keep', kind: 'volume', name: 'aims-acme-site-data', detail: '--keep-data'},
    ])
  })

  it('stops gracefully, then removes containers, volumes, the instance network, the empty tenant network and the route', async () => {
    const world = makeWorld({host: {domain: 'example.com'}})
    await deployed(world, {plug: 'fixture-stack', name: 'stack'})
    world.shell.files.set('/var/lib/aims/deploys/acme@stack.json', '{}')
    const result = await plugDown(world.deps, STACK, {keepData: false})
    expect(result.removed).toEqual({
      containers: ['aims-acme-stack-backend', 'aims-acme-stack-front'],
      volumes: ['aims-acme-stack-backend-data'],
      networks: ['aims-i-acme-stack', 'aims-t-acme'],
      proxyConf: true,
    })
    expect(result.keptVolumes).toEqual([])
    const log = effects(world)
    expect(log.slice(0, 3)).toEqual([
      'lock instance-acme-stack',
      'stop aims-acme-stack-front',
      'stop aims-acme-stack-backend',
    ])
    expect(log.indexOf('stop aims-acme-stack-backend')).toBeLessThan(
      log.indexOf('removeContainer aims-acme-stack-backend'),
    )
    expect(world.engine.containerNames()).toEqual([])
    expect(world.engine.volumeNames()).toEqual([])
    expect(world.engine.networkNames()).toEqual([])
    expect(world.proxy.removed).toEqual(['acme/stack'])
    expect(world.shell.files.has('/var/lib/aims/deploys/acme@stack.json')).toBe(false)
    expect(world.session.openLocks()).toEqual([])
    expect(world.audit.records).toMatchObject([
      {
        action: 'plug down',
        target: 'acme/stack',
        outcome: 'applied',
        detail: 'removed 2 containers, 1 volume, 2 networks',
      },
    ])
  })

  it('keeps the volumes with --keep-data', async () => {
    const world = makeWorld()
    await deployed(world)
    const result = await plugDown(world.deps, SITE, {keepData: true})
    expect(world.engine.volumeNames()).toEqual(['aims-acme-site-data'])
    expect(result.keptVolumes).toEqual(['aims-acme-site-data'])
    expect(result.removed.volumes).toEqual([])
    expect(world.audit.records[0]?.detail).toBe('removed 1 container, 0 volumes, 1 network; kept aims-acme-site-data')
  })

  it('keeps the tenant network while another instance of the tenant runs on it, and leaves that instance alone', async () => {
    const world = makeWorld()
    await deployed(world)
    await deploy(world.deps, {plug: 'fixture-web', name: 'other', tenant: 'acme', env: [], expose: false, links: []})
    const result = await plugDown(world.deps, SITE, {keepData: false})
    expect(result.plan.changes.some((change) => change.name === 'aims-t-acme')).toBe(false)
    expect(result.removed.networks).toEqual([])
    expect(world.engine.networkNames()).toEqual(['aims-t-acme'])
    expect(world.engine.containerNames()).toEqual(['aims-acme-other-web'])
    expect(world.engine.volumeNames()).toEqual(['aims-acme-other-data'])
    expect(world.engine.container('aims-acme-other-web')!.state).toBe('running')
  })

  it('detaches the linked instance from a link network before removing it, and leaves the linked instance running', async () => {
    const world = makeWorld()
    await deploy(world.deps, {plug: 'fixture-web', name: 'db', tenant: 'data', env: [], expose: false, links: []})
    await deployed(world, {links: ['data/db']})
    await plugDown(world.deps, SITE, {keepData: false})
    const log = effects(world)
    expect(log).toContain('disconnectNetwork aims-l-acme-site--data-db aims-data-db-web')
    expect(log.indexOf('disconnectNetwork aims-l-acme-site--data-db aims-data-db-web')).toBeLessThan(
      log.indexOf('removeNetwork aims-l-acme-site--data-db'),
    )
    expect(world.engine.networkNames()).toEqual(['aims-t-data'])
    expect(world.engine.container('aims-data-db-web')).toMatchObject({state: 'running'})
  })

  it('removes containers created since the listing (a racing scale)', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.before('stopContainer', () => {
      if (!world.engine.container('aims-acme-site-web-2'))
        world.engine.seedContainer({
          name: 'aims-acme-site-web-2',
          state: 'created',
          labels: {...world.engine.container('aims-acme-site-web')!.labels, [LABEL.replica]: '2'},
        })
    })
    const result = await plugDown(world.deps, SITE, {keepData: false})
    expect(result.removed.containers.sort()).toEqual(['aims-acme-site-web', 'aims-acme-site-web-2'])
    expect(world.engine.containerNames()).toEqual([])
  })

  it('records a failure and releases the lock when the engine fails', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.before('removeVolume', () => {
      throw new AimsError('conflict', 'remove volume: volume is in use')
    })
    await rejection(plugDown(world.deps, SITE, {keepData: false}))
    expect(world.audit.records).toMatchObject([{action: 'plug down', outcome: 'failed'}])
    expect(world.session.openLocks()).toEqual([])
  })

  it('a refusal removes nothing', async () => {
    const world = makeWorld()
    await deployed(world, {}, new AimsError('not-confirmed', 'not confirmed: you typed "x", not "site"'))
    expect((await rejection(plugDown(world.deps, SITE, {keepData: false}))).exitCode).toBe(3)
    expect(world.log).toEqual([])
    expect(world.approver.shown[0]?.confirmWord).toBe('site')
  })

  describe('an instance that is gone but still routed', () => {
    const conf = (tenant: string, instance: string) =>
      `${confOwnerLine(tenant, instance)}\nserver {\n  server_name site.acme.example.com;\n}\n`

    it('removes the leftover route after the same typed confirmation', async () => {
      const world = makeWorld()
      world.shell.files.set('/etc/nginx/conf.d/plugs/acme-site.conf', conf('acme', 'site'))
      const result = await plugDown(world.deps, SITE, {keepData: false})
      expect(world.approver.shown[0]).toMatchObject({
        summary: 'Remove the leftover route of acme/site on vps',
        destructive: true,
        confirmWord: 'site',
        changes: [
          {
            action: 'remove',
            kind: 'proxy-conf',
            name: 'acme-site.conf',
            detail: '/etc/nginx/conf.d/plugs/acme-site.conf',
          },
        ],
      })
      expect(result).toMatchObject({
        status: 'applied',
        removed: {containers: [], volumes: [], networks: [], proxyConf: true},
      })
      expect(world.proxy.removed).toEqual(['acme/site'])
      expect(world.audit.records).toMatchObject([
        {action: 'plug down', outcome: 'applied', detail: 'removed a leftover proxy route'},
      ])
    })

    it("does not touch a conf owned by another instance (tenant a-b's file name clash), and says the instance is unknown", async () => {
      const world = makeWorld({decision: 'unexpected'})
      world.shell.files.set('/etc/nginx/conf.d/plugs/acme-site.conf', conf('acme-site', 'x'))
      const error = await rejection(plugDown(world.deps, SITE, {keepData: false}))
      expect(error).toMatchObject({
        kind: 'not-found',
        exitCode: 2,
        message: 'no instance acme/site on vps',
        hint: 'nothing is deployed there yet: aims plug up PLUG',
      })
      expect(world.proxy.removed).toEqual([])
    })

    it('without a route it is simply unknown', async () => {
      const world = makeWorld({decision: 'unexpected'})
      expect((await rejection(plugDown(world.deps, SITE, {keepData: false}))).kind).toBe('not-found')
    })
  })

  // BUG (src/services/plug-manage.ts:252 plugDown, `if (tenant && tenant.containers === 0)` before removing
  // the tenant network): Docker counts only running containers as attached, so a stopped instance of
  // the same tenant does not count; the tenant network is removed (the plan did not even list it:
  // tenantWillBeEmpty was false) and the stopped instance can never start again ("network … not
  // found", checked on the bed). Expected: the tenant network kept while any instance of the tenant exists.
  it('keeps the tenant network while a stopped instance of the tenant still uses it', async () => {
    const world = makeWorld()
    await deployed(world)
    await deploy(world.deps, {plug: 'fixture-web', name: 'other', tenant: 'acme', env: [], expose: false, links: []})
    await changeState(world.deps, instanceRef('acme', 'other'), 'stop')
    await plugDown(world.deps, SITE, {keepData: false})
    const result = await changeState(world.deps, instanceRef('acme', 'other'), 'start')
    expect(result.health?.ok).toBe(true)
  })
})

describe('plugScale', () => {
  it.each([
    ['zero replicas', {replicas: 0}, /--replicas must be a whole number from 1 to 20, got 0/],
    ['21 replicas', {replicas: 21}, /--replicas must be a whole number from 1 to 20, got 21/],
    ['a fraction', {replicas: 1.5}, /--replicas must be a whole number from 1 to 20, got 1\.5/],
    ['NaN', {replicas: Number.NaN}, /--replicas must be a whole number from 1 to 20, got NaN/],
    ['nothing to change', {}, /nothing to scale/],
    ['bad CPUs', {cpus: '-2'}, /invalid CPU count/],
    ['bad memory', {memory: 'huge'}, /invalid memory size/],
  ])('refuses %s with exit 2 before any engine call', async (_case, options, message) => {
    const world = makeWorld({decision: 'unexpected'})
    const error = await rejection(scale(world.deps, SITE, options))
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(message)
    expect(world.engine.apiCalls).toBe(0)
  })

  it('creates replicas as copies on new ports under the allocation lock, starts them and waits for health', async () => {
    const world = makeWorld()
    await deployed(world)
    const result = await scale(world.deps, SITE, {replicas: 3})
    expect(world.approver.shown[0]?.changes).toEqual([
      {
        action: 'create',
        kind: 'container',
        name: 'aims-acme-site-web-2',
        detail: 'copy of replica 1 on a new host port',
      },
      {
        action: 'create',
        kind: 'container',
        name: 'aims-acme-site-web-3',
        detail: 'copy of replica 1 on a new host port',
      },
    ])
    expect(world.approver.shown[0]?.facts).toContainEqual({label: 'replicas', value: '1 → 3 (web)'})
    expect(effects(world).slice(0, 7)).toEqual([
      'lock instance-acme-site',
      'lock alloc',
      'cloneContainer aims-acme-site-web-2',
      'cloneContainer aims-acme-site-web-3',
      'unlock alloc',
      'start aims-acme-site-web-2',
      'start aims-acme-site-web-3',
    ])
    expect(result).toMatchObject({status: 'applied', replicas: 3, ports: [51000, 51001, 51002], health: {ok: true}})
    const replica = world.engine.container('aims-acme-site-web-3')!
    expect(replica.labels).toMatchObject({
      [LABEL.replica]: '3',
      [LABEL.port]: '51002',
      [LABEL.entry]: 'true',
      [LABEL.instance]: 'site',
    })
    expect(replica.ports).toEqual([{containerPort: 8080, protocol: 'tcp', hostPort: 51002, hostIp: '127.0.0.1'}])
    expect(world.audit.records).toMatchObject([{action: 'plug scale', outcome: 'applied', detail: 'replicas 1 → 3'}])
  })

  it('skips ports other containers hold', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.seedContainer({
      name: 'other-app',
      ports: [{containerPort: 80, protocol: 'tcp', hostPort: 51001, hostIp: '0.0.0.0'}],
    })
    world.engine.seedContainer({name: 'created-aims', state: 'created', labels: {[LABEL.port]: '51002'}})
    expect((await scale(world.deps, SITE, {replicas: 2})).ports).toEqual([51000, 51003])
  })

  it('routes the domain to every replica port with the plug proxy settings', async () => {
    const world = makeWorld({host: {domain: 'example.com'}})
    await deployed(world)
    world.proxy.applied.length = 0
    await scale(world.deps, SITE, {replicas: 2})
    expect(world.proxy.applied).toEqual([
      {
        target: {
          tenant: 'acme',
          instance: 'site',
          plug: 'fixture-web',
          domain: 'site.acme.example.com',
          proxy: fixturePlug('fixture-web').proxy,
        },
        ports: [51000, 51001],
      },
    ])
    expect(world.approver.shown[0]?.changes.at(-1)).toEqual({
      action: 'write',
      kind: 'proxy-conf',
      name: 'acme-site.conf',
      detail: '2 upstream servers',
    })
  })

  it('removes the extra replicas, highest first, and routes to the rest', async () => {
    const world = makeWorld({host: {domain: 'example.com'}})
    await deployed(world)
    await scale(world.deps, SITE, {replicas: 3})
    world.log.length = 0
    world.proxy.applied.length = 0
    const result = await scale(world.deps, SITE, {replicas: 1})
    expect(result.plan.changes.filter((change) => change.action === 'remove').map((change) => change.name)).toEqual([
      'aims-acme-site-web-2',
      'aims-acme-site-web-3',
    ])
    expect(effects(world).filter((entry) => /^(stop|removeContainer) /.test(entry))).toEqual([
      'stop aims-acme-site-web-3',
      'removeContainer aims-acme-site-web-3',
      'stop aims-acme-site-web-2',
      'removeContainer aims-acme-site-web-2',
    ])
    expect(result).toMatchObject({replicas: 1, ports: [51000]})
    expect(world.proxy.applied.map((applied) => applied.ports)).toEqual([[51000]])
    expect(world.engine.containerNames()).toEqual(['aims-acme-site-web'])
  })

  it('changes CPU and memory limits live, on the entry replicas only', async () => {
    const world = makeWorld()
    await deployed(world, {plug: 'fixture-stack', name: 'stack'})
    await scale(world.deps, STACK, {replicas: 2})
    world.approver.shown.length = 0
    const result = await scale(world.deps, STACK, {cpus: '1', memory: '256m'})
    expect(result.plan.changes).toEqual([
      {action: 'update', kind: 'container', name: 'aims-acme-stack-front', detail: '1 CPU, 256 MiB'},
      {action: 'update', kind: 'container', name: 'aims-acme-stack-front-2', detail: '1 CPU, 256 MiB'},
    ])
    expect(world.engine.updates).toEqual([
      {name: 'aims-acme-stack-front', resources: {memoryBytes: 256 * MiB, nanoCpus: 1e9}},
      {name: 'aims-acme-stack-front-2', resources: {memoryBytes: 256 * MiB, nanoCpus: 1e9}},
    ])
    expect(world.engine.container('aims-acme-stack-backend')!.nanoCpus).toBe(0.25e9)
    expect(world.session.locks.filter((lock) => lock.name === 'alloc')).toHaveLength(2)
  })

  it('removes new replicas that do not become healthy and fails with exit 4', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.behave('aims-acme-site-web-2', {http: 500})
    const error = await rejection(scale(world.deps, SITE, {replicas: 2}))
    expect(error).toMatchObject({
      kind: 'unhealthy',
      exitCode: 4,
      message: 'a new replica of acme/site did not become healthy: HTTP 500 on /health; the new replicas were removed',
    })
    expect(world.engine.containerNames()).toEqual(['aims-acme-site-web'])
    expect(world.engine.container('aims-acme-site-web')!.state).toBe('running')
    expect(world.audit.records).toMatchObject([{action: 'plug scale', outcome: 'failed'}])
    expect(world.session.openLocks()).toEqual([])
  })

  it('a dry run reports the current replicas and changes nothing', async () => {
    const world = makeWorld()
    await deployed(world, {}, 'dry-run')
    const result = await scale(world.deps, SITE, {replicas: 4})
    expect(result).toMatchObject({status: 'dry-run', replicas: 1, ports: [51000]})
    expect(world.log).toEqual([])
  })

  // BUG (src/services/plug-manage.ts:318 plugScale: `usedPorts(containers, [])`): the new replica's port
  // ignores ports host processes listen on (plug up reads /proc/net/tcp for them), so it can pick a
  // port in use; the start then fails ("address already in use"). Expected: 51002, skipping the
  // listener on 51001; actual: 51001.
  it('skips ports that host processes listen on', async () => {
    const world = makeWorld()
    await deployed(world)
    world.shell.files.set('/proc/net/tcp', procNetTcp([22, 51001]))
    world.engine.hostListening.add(51001)
    expect((await scale(world.deps, SITE, {replicas: 2})).ports).toEqual([51000, 51002])
  })

  // BUG (src/services/plug-manage.ts:333 plugScale: the `startContainer` loop for createdIds is outside
  // the cleanup that the health check has): when a new replica fails to start, the created replicas
  // are left behind (state created, with aims labels and a claimed port), so the instance shows as
  // partial. Expected: the new replicas removed, as for an unhealthy one.
  it('removes the new replicas when one fails to start', async () => {
    const world = makeWorld()
    await deployed(world)
    world.engine.before('startContainer', (id: string) => {
      if (world.engine.container(id)?.name === 'aims-acme-site-web-2')
        throw new AimsError('engine', 'Docker refused start container: bind: address already in use')
    })
    await rejection(scale(world.deps, SITE, {replicas: 2}))
    expect(world.engine.containerNames()).toEqual(['aims-acme-site-web'])
  })
})

describe('every change passes the gates plug up passes (issue 10, item 7)', () => {
  const gateOf = (world: World, id: string) => world.approver.shown[0]?.gates.find((gate) => gate.id === id)

  it('scale --memory beyond the host refuses at the capacity gate, before any update', async () => {
    const world = makeWorld()
    await deployed(world)
    const error = await rejection(scale(world.deps, SITE, {memory: '200g'}))
    expect(error.exitCode).toBe(1)
    expect(error.message).toMatch(/pre-flight gate "host capacity" failed: needs 200 GiB memory, 6.0 GiB available/)
    expect(world.engine.updates).toEqual([])
    expect(effects(world)).toEqual([])
  })

  it('scale --cpus beyond the host CPUs refuses with our message, not the engine answer', async () => {
    const world = makeWorld()
    await deployed(world)
    const error = await rejection(scale(world.deps, SITE, {cpus: '8'}))
    expect(error.message).toMatch(/host capacity" failed: a container limited to 8 CPU, the host has 4/)
    expect(error.hint).toMatch(/lower --cpus to 4 or less/)
    expect(world.engine.updates).toEqual([])
  })

  it('scale --replicas 20 --dry-run shows quota, capacity and cost for the instance after the change', async () => {
    const world = makeWorld({preferences: {tenants: {acme: {'spending-limit': 1000}}}})
    await deployed(world, {}, 'dry-run')
    const result = await scale(world.deps, SITE, {replicas: 20})
    expect(result.status).toBe('dry-run')
    expect(world.approver.shown[0]?.gates.map((gate) => [gate.id, gate.status])).toEqual([
      ['quota', 'pass'],
      ['capacity', 'pass'],
      ['cost', 'pass'],
    ])
    // fixture-web's web service: 0.25 CPU and 64 MiB each, twenty of them.
    expect(gateOf(world, 'quota')?.detail).toBe('tier business: 1/200 instances, 5/64 CPU, 1.3 GiB/256 GiB')
    expect(gateOf(world, 'capacity')?.detail).toBe('6.0 GiB memory available, 75 GiB disk free, 4 CPUs')
    expect(gateOf(world, 'cost')?.detail).toMatch(/^USD \d+\.\d\d\/month of USD 1000\.00$/)
    expect(world.engine.apiCalls).toBeGreaterThan(0)
    expect(effects(world)).toEqual([])
  })

  it('scale past the tier quota is refused by the quota gate', async () => {
    const world = makeWorld({preferences: {tenants: {acme: {tier: 'free'}}}})
    await deployed(world)
    const error = await rejection(scale(world.deps, SITE, {replicas: 8}))
    expect(error.message).toMatch(/"tenant quota" failed: tier free: CPU 0 \+ 2 > 1/)
    expect(effects(world)).toEqual([])
  })

  it('scale past the spending limit is refused by the cost gate', async () => {
    const world = makeWorld()
    await deployed(world)
    // One replica costs USD 1.17 a month (its disk counted once): a limit of 1.50 allows one, not two.
    world.deps.preferences = {tenants: {acme: {'spending-limit': 1.5}}}
    const error = await rejection(scale(world.deps, SITE, {replicas: 2}))
    expect(error.message).toMatch(/"estimated cost within limit" failed: USD 2.32\/month with this instance > limit/)
  })

  it('start and restart pass the gates too; stop does not need them', async () => {
    const world = makeWorld()
    await deployed(world)
    await changeState(world.deps, SITE, 'stop')
    expect(world.approver.shown[0]?.gates).toEqual([])
    world.approver.shown.length = 0
    world.shell.files.set('/proc/meminfo', `MemTotal: ${8 * 1024 ** 2} kB\nMemAvailable: 16384 kB\n`)
    const error = await rejection(changeState(world.deps, SITE, 'start'))
    expect(error.message).toMatch(/"host capacity" failed: needs 64 MiB memory, 16 MiB available/)
    world.shell.files.set('/proc/meminfo', `MemTotal: ${8 * 1024 ** 2} kB\nMemAvailable: ${6 * 1024 ** 2} kB\n`)
    await changeState(world.deps, SITE, 'start')
    world.approver.shown.length = 0
    await changeState(world.deps, SITE, 'restart')
    expect(world.approver.shown[0]?.gates.map((gate) => gate.id)).toEqual(['quota', 'capacity', 'cost'])
  })
})

describe('plug up --cpus over the host CPUs (issue 10, item 7)', () => {
  it('is refused by the capacity gate with our message', async () => {
    const world = makeWorld()
    world.engine.infoValue = {...world.engine.infoValue, cpus: 2}
    const error = await rejection(
      deploy(world.deps, {
        plug: 'fixture-web',
        name: 'site',
        tenant: 'acme',
        env: [],
        expose: false,
        links: [],
        cpus: '4',
      }),
    )
    expect(error.message).toMatch(/"host capacity" failed: a container limited to 4 CPU, the host has 2/)
    expect(world.engine.container('aims-acme-site-web')).toBeUndefined()
  })
})

describe('secrets never leave through audit records or logs (issue 10, item 8)', () => {
  it('the audit utterance and command hold no value of the request, nor a secret-looking pair', async () => {
    const world = makeWorld()
    world.deps.origin = {
      kind: 'ask',
      utterance: 'deploy fixture-web as acme/site with APP_SECRET=SENTINEL-1 and greeting plain-sentinel-2',
      argv: ['plug', 'up', 'fixture-web', '--env', 'APP_SECRET=SENTINEL-1', '--env', 'GREETING=plain-sentinel-2'],
    }
    await deploy(world.deps, {
      plug: 'fixture-web',
      name: 'site',
      tenant: 'acme',
      env: ['APP_SECRET=SENTINEL-1', 'GREETING=plain-sentinel-2'],
      expose: false,
      links: [],
    })
    // The audit holds no value of the request; the host's files (the release record keeps the plain env a
    // rollback shows) hold no secret.
    expect(JSON.stringify(world.audit.records)).not.toMatch(/SENTINEL-1|plain-sentinel-2/)
    expect([...world.shell.files.values()].join('\n')).not.toMatch(/SENTINEL-1/)
    expect(world.audit.records[0]?.utterance).toBe(
      'deploy fixture-web as acme/site with APP_SECRET=*** and greeting ***',
    )
  })

  it('log lines have the values of the instance secret env vars masked', async () => {
    const world = makeWorld()
    world.engine.behave('aims-fixture/web:1', {
      logs: (env) => [`starting with secret ${env.APP_SECRET}`, `greeting ${env.GREETING}`],
    })
    await deployed(world, {env: ['APP_SECRET=SENTINEL-3', 'GREETING=hello there']})
    const {instanceLogs} = await import('../../../src/services/instances.js')
    const lines = await instanceLogs(world.session, SITE, {tail: 10})
    expect(lines.map((line) => line.text)).toEqual(['starting with secret ***', 'greeting hello there'])
  })
})
