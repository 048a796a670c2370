import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {LABEL} from '../../../src/core/engine-types.js'
import {validatePlugUpOptions, type PlugUpOptions} from '../../../src/core/plan/requests.js'
import {testPlug} from '../../support/catalog-fakes.js'
import {deploy, fixturePlug, makeWorld, rejection, type World} from '../../support/lifecycle-fakes.js'

const JOURNAL = '/var/lib/aims/deploys/acme@site.json'
const AUDIT = '/var/lib/aims/audit.jsonl'

const options = (overrides: Partial<PlugUpOptions> = {}): PlugUpOptions => ({
  plug: 'fixture-web',
  name: 'site',
  tenant: 'acme',
  env: [],
  expose: false,
  links: [],
  ...overrides,
})

/** Labels of an object this test did not deploy (another instance of the tenant). */
const otherLabels = (instance: string, extra: Record<string, string> = {}) => ({
  [LABEL.managed]: 'true',
  [LABEL.tenant]: 'acme',
  [LABEL.instance]: instance,
  [LABEL.plug]: 'fixture-web',
  [LABEL.service]: 'web',
  [LABEL.deployId]: `deploy-of-${instance}`,
  [LABEL.services]: 'web',
  ...extra,
})

/** Another instance (acme/keep) with its container, volume and the tenant network: rollbacks must not touch them. */
function seedNeighbour(world: World) {
  world.engine.seedNetwork(
    'aims-t-acme',
    {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.deployId]: 'deploy-of-keep',
      'aims.network-scope': 'tenant',
    },
    ['10.210.0.0/24'],
  )
  world.engine.seedVolume('aims-acme-keep-data', otherLabels('keep'))
  world.engine.seedContainer({
    name: 'aims-acme-keep-web',
    image: 'aims-fixture/web:1',
    labels: otherLabels('keep', {[LABEL.entry]: 'true', [LABEL.port]: '51000'}),
    ports: [{containerPort: 8080, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'}],
    networks: {'aims-t-acme': ['keep']},
    mounts: [{source: 'aims-acme-keep-data', target: '/data'}],
  })
}

/** Log entries that change something (locks, files, engine objects), in order. */
const effects = (world: World) => world.log.filter((entry) => !entry.startsWith('probe '))

function expectNothingOf(world: World, instance: string) {
  expect(world.engine.containerNames().filter((name) => name.startsWith(`aims-acme-${instance}-`))).toEqual([])
  expect(world.engine.volumeNames().filter((name) => name.startsWith(`aims-acme-${instance}-`))).toEqual([])
  expect(world.engine.networkNames().filter((name) => name.includes(`-acme-${instance}`))).toEqual([])
  expect(world.shell.files.has(JOURNAL)).toBe(false)
  expect(world.session.openLocks()).toEqual([])
}

describe('validatePlugUpOptions', () => {
  it('normalizes valid input', () => {
    expect(
      validatePlugUpOptions(
        options({
          env: ['A=1', 'B=x=y'],
          cpus: '0.5',
          memory: '512m',
          domain: 'Shop.Example.COM',
          links: ['data/db'],
          expose: true,
        }),
      ),
    ).toEqual({
      plugId: 'fixture-web',
      ref: {tenant: 'acme', instance: 'site'},
      envFlags: {A: '1', B: 'x=y'},
      envFile: {},
      cpus: 0.5,
      memoryBytes: 512 * 1024 ** 2,
      domain: 'shop.example.com',
      expose: true,
      links: [{tenant: 'data', instance: 'db'}],
    })
  })

  it('names the instance after the plug by default', () => {
    expect(validatePlugUpOptions({plug: 'n8n', tenant: 'acme', env: [], expose: false, links: []}).ref).toEqual({
      tenant: 'acme',
      instance: 'n8n',
    })
  })

  it('reads the env file with file:line errors', () => {
    expect(validatePlugUpOptions(options({envFile: {path: 'app.env', text: 'A=1\n'}})).envFile).toEqual({A: '1'})
    expect(() => validatePlugUpOptions(options({envFile: {path: 'app.env', text: 'A=1\nbroken'}}))).toThrow(
      'app.env:2: not a KEY=VALUE line',
    )
  })

  it.each([
    ['a plug id with a space', {plug: 'web app'}, /unknown plug "web app"/],
    ['a plug id of 200 characters', {plug: 'p'.repeat(200)}, /unknown plug "p{57}…"/],
    ['an upper-case tenant', {tenant: 'ACME'}, /invalid tenant name "ACME": it has upper-case letters/],
    ['a tenant with a metacharacter', {tenant: 'ac;me'}, /invalid tenant name/],
    ['a name with a newline', {name: 'a\nb'}, /invalid instance name "a\\nb"/],
    ['a name of 200 characters', {name: 'n'.repeat(200)}, /is 200 characters long/],
    ['a name with shell syntax', {name: '$(id)'}, /invalid instance name/],
    ['an env key with a dash', {env: ['MY-KEY=1']}, /invalid environment variable name "MY-KEY"/],
    ['an env item without "="', {env: ['JUSTKEY']}, /invalid --env "JUSTKEY"/],
    ['negative CPUs', {cpus: '-1'}, /invalid CPU count "-1"/],
    ['CPUs that are not a number', {cpus: 'lots'}, /invalid CPU count/],
    ['memory that is not a size', {memory: 'lots'}, /invalid memory size "lots"/],
    ['memory under 6 MiB', {memory: '1k'}, /invalid memory size/],
    ['a link without a tenant', {links: ['db']}, /invalid --link "db"/],
    ['a link with too many parts', {links: ['a/b/c']}, /invalid instance "a\/b\/c"/],
    ['a link to an invalid name', {links: ['data/DB']}, /invalid instance name "DB"/],
    ['a link to itself', {links: ['acme/site']}, /an instance cannot link to itself/],
    ['an invalid domain', {domain: 'not a domain'}, /invalid domain/],
  ])('refuses %s with exit 2', (_case, override, message) => {
    let error: unknown
    try {
      validatePlugUpOptions(options(override as Partial<PlugUpOptions>))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AimsError)
    expect((error as AimsError).exitCode).toBe(2)
    expect((error as AimsError).message).toMatch(message)
    expect((error as AimsError).message).not.toContain('\n')
  })

  it('bad input fails plugUp before any engine call or lock', async () => {
    const world = makeWorld({decision: 'unexpected'})
    for (const bad of [{name: 'Bad Name'}, {env: ['1X=2']}, {cpus: '-1'}, {memory: 'lots'}, {links: ['acme/site']}]) {
      const error = await rejection(deploy(world.deps, options(bad)))
      expect(error.exitCode).toBe(2)
    }
    expect(world.engine.apiCalls).toBe(0)
    expect(world.log).toEqual([])
    expect(world.approver.events).toEqual([])
  })

  it('an unknown plug fails with "did you mean" and exit 2 before any engine call', async () => {
    const world = makeWorld({decision: 'unexpected'})
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-wbe'})))
    expect(error).toMatchObject({kind: 'not-found', exitCode: 2, message: 'unknown plug "fixture-wbe"'})
    expect(error.hint).toMatch(/did you mean "fixture-web"/)
    expect(world.engine.apiCalls).toBe(0)
  })
})

describe('plugUp: the happy path', () => {
  it('creates network, volume and container under the locks, starts, checks health, then clears the journal and audits', async () => {
    const world = makeWorld({
      origin: {kind: 'cli', argv: ['plug', 'up', 'fixture-web', '--env', 'GREETING=hi', '--yes']},
    })
    const journals: string[] = []
    world.engine.before('createNetwork', () => void journals.push(world.shell.files.get(JOURNAL) ?? 'missing'))
    const result = await deploy(world.deps, options())

    expect(result).toMatchObject({
      status: 'ready',
      instance: 'acme/site',
      plug: 'fixture-web',
      host: 'vps',
      port: 51000,
      localUrl: 'http://127.0.0.1:51000/',
      deployId: 'id001',
      warnings: [],
    })
    expect(result.domainUrl).toBeUndefined()
    expect(effects(world)).toEqual([
      'lock instance-acme-site',
      'lock alloc',
      `write ${JOURNAL}`,
      'createNetwork aims-t-acme',
      'createVolume aims-acme-site-data',
      'createContainer aims-acme-site-web',
      'unlock alloc',
      'start aims-acme-site-web',
      `rm ${JOURNAL}`,
      'unlock instance-acme-site',
      `append ${AUDIT}`,
      // The first release of the instance (aims plug releases).
      'write /var/lib/aims/releases/acme/site.json',
    ])
    // The journal names this deploy before anything is created.
    expect(JSON.parse(journals[0]!)).toEqual({
      deployId: 'id001',
      plug: 'fixture-web',
      actor: 'me@laptop',
      startedAt: '2026-03-01T10:00:00.000Z',
    })
    expect(world.session.openLocks()).toEqual([])
    expect(world.session.locks.find((lock) => lock.name === 'instance-acme-site')).toMatchObject({wait: false})
  })

  it('leaves a running, labelled container on the tenant network with a subnet from the pool', async () => {
    const world = makeWorld()
    await deploy(world.deps, options())
    const container = world.engine.container('aims-acme-site-web')!
    expect(container.state).toBe('running')
    expect(container.labels).toMatchObject({
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.instance]: 'site',
      [LABEL.deployId]: 'id001',
      [LABEL.createdBy]: 'me@laptop',
      [LABEL.port]: '51000',
    })
    expect([...container.networks.keys()]).toEqual(['aims-t-acme'])
    expect(world.engine.networks.get('aims-t-acme')).toMatchObject({
      subnets: ['10.210.0.0/24'],
      labels: expect.objectContaining({[LABEL.subnet]: '10.210.0.0/24', [LABEL.deployId]: 'id001'}),
    })
    expect(world.engine.volumes.get('aims-acme-site-data')?.labels).toMatchObject({
      [LABEL.deployId]: 'id001',
      'aims.volume': 'data',
    })
  })

  it('passes env values byte for byte and keeps generated secrets out of the plan and result', async () => {
    const world = makeWorld()
    const value = `$(touch /tmp/x) "quoted" 'single'`
    const result = await deploy(world.deps, options({env: [`GREETING=${value}`]}))
    const env = world.engine.container('aims-acme-site-web')!.env
    expect(env.GREETING).toBe(value)
    expect(world.secrets.handedOut).toHaveLength(1)
    expect(env.APP_SECRET).toBe(world.secrets.handedOut[0])
    expect(JSON.stringify(result)).not.toContain(world.secrets.handedOut[0])
    expect(JSON.stringify(world.approver.shown)).not.toContain(world.secrets.handedOut[0])
  })

  it('appends the same audit record locally and to the host copy, with --env values masked', async () => {
    const world = makeWorld({
      origin: {kind: 'cli', argv: ['plug', 'up', 'fixture-web', '--env', 'APP_SECRET=top-secret-1', '--yes']},
    })
    await deploy(world.deps, options({env: ['APP_SECRET=top-secret-1']}))
    expect(world.audit.records).toEqual([
      {
        id: 'id002',
        time: '2026-03-01T10:00:00.000Z',
        actor: 'me@laptop',
        host: 'vps',
        origin: 'cli',
        command: 'plug up fixture-web --env "APP_SECRET=***" --yes',
        action: 'plug up',
        target: 'acme/site',
        outcome: 'applied',
        detail: 'fixture-web on port 51000',
      },
    ])
    expect(world.shell.files.get(AUDIT)).toBe(`${JSON.stringify(world.audit.records[0])}\n`)
    expect(world.shell.files.get(AUDIT)).not.toContain('top-secret-1')
  })

  it('records the utterance of an ACHEEVY action', async () => {
    const world = makeWorld({origin: {kind: 'chat', utterance: 'put the web fixture up for acme'}})
    await deploy(world.deps, options())
    expect(world.audit.records[0]).toMatchObject({origin: 'chat', utterance: 'put the web fixture up for acme'})
    expect(world.audit.records[0]?.command).toBeUndefined()
  })

  it("reports a failed write of the host's audit copy as a warning, not a failure", async () => {
    const world = makeWorld()
    world.shell.failing.set(AUDIT, new Error('read-only file system'))
    const result = await deploy(world.deps, options())
    expect(result.status).toBe('ready')
    expect(result.warnings).toEqual(["the host's audit copy was not updated: read-only file system"])
    expect(world.audit.records).toHaveLength(1)
  })

  it('pulls a missing image before taking the allocation lock, with progress', async () => {
    const world = makeWorld()
    world.engine.images.delete('aims-fixture/web:1')
    world.engine.pullable.add('aims-fixture/web:1')
    await deploy(world.deps, options())
    const log = effects(world)
    expect(log.indexOf('pullImage aims-fixture/web:1')).toBeLessThan(log.indexOf('lock alloc'))
    expect(world.progress.filter((event) => event.step === 'pull')).toContainEqual({
      step: 'pull',
      message: 'aims-fixture/web:1: Downloading a1b2c3',
      current: 512,
      total: 1024,
    })
  })

  it('a failed pull creates nothing and releases the lock', async () => {
    const world = makeWorld()
    world.engine.images.delete('aims-fixture/web:1')
    const error = await rejection(deploy(world.deps, options()))
    expect(error.message).toMatch(/pull of aims-fixture\/web:1 failed/)
    expectNothingOf(world, 'site')
    expect(world.engine.networkNames()).toEqual([])
    expect(world.audit.records).toEqual([])
  })

  it('uses an existing tenant network instead of creating one', async () => {
    const world = makeWorld()
    seedNeighbour(world)
    const result = await deploy(world.deps, options())
    expect(world.engine.calls('createNetwork')).toEqual([])
    expect(result.port).toBe(51001)
  })

  it('routes the domain through the proxy with the entry port, https with TLS', async () => {
    const world = makeWorld({host: {domain: 'example.com', tls: {certbotLiveDir: '/etc/letsencrypt/live/example.com'}}})
    const result = await deploy(world.deps, options())
    expect(world.proxy.applied).toEqual([
      {
        target: {
          tenant: 'acme',
          instance: 'site',
          plug: 'fixture-web',
          domain: 'site.acme.example.com',
          proxy: fixturePlug('fixture-web').proxy,
        },
        ports: [51000],
      },
    ])
    expect(result.domainUrl).toBe('https://site.acme.example.com/')
    expect(world.engine.container('aims-acme-site-web')!.labels[LABEL.domain]).toBe('site.acme.example.com')
  })

  it('a proxy that fails rolls the deploy back', async () => {
    const world = makeWorld({host: {domain: 'example.com'}})
    world.proxy.failApply = new AimsError('remote', 'nginx -t failed: unknown directive')
    const error = await rejection(deploy(world.deps, options()))
    expect(error.kind).toBe('remote')
    expectNothingOf(world, 'site')
    expect(world.audit.records.map((record) => record.outcome)).toEqual(['failed'])
  })
})

describe('plugUp: several services', () => {
  it('starts dependencies first and waits for a `healthy` dependency before starting its dependant', async () => {
    const world = makeWorld()
    world.engine.behave('aims-acme-stack-backend', {refuseFirstProbes: 3})
    const result = await deploy(world.deps, options({plug: 'fixture-stack', name: 'stack'}))
    expect(result.status).toBe('ready')
    const log = world.log
    expect(world.engine.calls('createNetwork')).toEqual(['aims-t-acme', 'aims-i-acme-stack'])
    expect(world.engine.calls('createContainer')).toEqual(['aims-acme-stack-backend', 'aims-acme-stack-front'])
    expect(world.engine.calls('start')).toEqual(['aims-acme-stack-backend', 'aims-acme-stack-front'])
    const backendProbes = log.flatMap((entry, index) => (entry === 'probe aims-acme-stack-backend' ? [index] : []))
    // Three refused probes, the fourth answers: only then is the front started.
    expect(backendProbes.length).toBeGreaterThanOrEqual(4)
    expect(log.indexOf('start aims-acme-stack-front')).toBeGreaterThan(backendProbes[3]!)
    // The first retries come fast (50 ms, doubling), not a full interval each.
    expect(world.clock.sleeps.slice(0, 3)).toEqual([50, 100, 200])
  })

  it('gives each network its own subnet and connects the services with their aliases', async () => {
    const world = makeWorld()
    await deploy(world.deps, options({plug: 'fixture-stack', name: 'stack'}))
    expect(world.engine.networks.get('aims-t-acme')?.subnets).toEqual(['10.210.0.0/24'])
    expect(world.engine.networks.get('aims-i-acme-stack')?.subnets).toEqual(['10.210.1.0/27'])
    expect(Object.fromEntries(world.engine.container('aims-acme-stack-front')!.networks)).toEqual({
      'aims-i-acme-stack': ['front'],
      'aims-t-acme': ['stack', 'stack-front'],
    })
  })

  it('a dependency that never gets healthy fails the deploy before its dependant starts, and everything goes', async () => {
    const world = makeWorld()
    world.engine.behave('aims-acme-stack-backend', {http: 500, logs: () => ['db: cannot open /data']})
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-stack', name: 'stack'})))
    expect(error).toMatchObject({kind: 'unhealthy', exitCode: 4})
    expect(error.details).toMatchObject({
      service: 'backend',
      container: 'aims-acme-stack-backend',
      logs: ['db: cannot open /data'],
    })
    expect(world.engine.calls('start')).toEqual(['aims-acme-stack-backend'])
    expectNothingOf(world, 'stack')
    // The tenant network was created by this deploy and nothing else uses it.
    expect(world.engine.networkNames()).toEqual([])
  })
})

describe('plugUp: the health gate fails', () => {
  it('an app that never answers 2xx/3xx: exit 4, masked and cleaned log lines, everything of this deploy removed and nothing else', async () => {
    const world = makeWorld()
    seedNeighbour(world)
    world.engine.behave('aims-acme-site-web', {
      http: 503,
      logs: (env) => [
        'booting',
        `\u001b[31msigning sessions with ${env.APP_SECRET}\u001b[0m`,
        `greeting is ${env.GREETING}`,
        'still not ready\u0007',
      ],
    })
    const error = await rejection(deploy(world.deps, options()))
    const secret = world.secrets.handedOut[0]!

    expect(error).toMatchObject({kind: 'unhealthy', exitCode: 4})
    expect(error.message).toMatch(
      /^acme\/site failed its health gate: web did not become healthy within 8 s \(\d+ checks; last: HTTP 503 on \/health\); everything this deploy created was removed$/,
    )
    expect(error.details?.logs).toEqual([
      'booting',
      'signing sessions with ••••••',
      'greeting is hello from the aims fixture',
      'still not ready',
    ])
    expect(JSON.stringify(error.toJSON())).not.toContain(secret)

    expectNothingOf(world, 'site')
    // The neighbour and the shared tenant network are untouched.
    expect(world.engine.containerNames()).toEqual(['aims-acme-keep-web'])
    expect(world.engine.volumeNames()).toEqual(['aims-acme-keep-data'])
    expect(world.engine.networkNames()).toEqual(['aims-t-acme'])
    expect(world.audit.records.map((record) => record.outcome)).toEqual(['rolled-back'])
  })

  it('a failed redeploy over data kept with --keep-data leaves that data alone', async () => {
    const world = makeWorld()
    // `plug down --keep-data` left the volume, labelled by the deploy that created it.
    world.engine.seedVolume('aims-acme-site-data', otherLabels('site', {[LABEL.deployId]: 'first-deploy'}))
    world.engine.behave('aims-acme-site-web', {http: 500})
    await rejection(deploy(world.deps, options()))
    expect(world.engine.volumeNames()).toEqual(['aims-acme-site-data'])
    expect(world.engine.volumes.get('aims-acme-site-data')?.labels[LABEL.deployId]).toBe('first-deploy')
    expect(world.engine.containerNames()).toEqual([])
  })

  it('waits no longer than the health gate budget (retries × interval)', async () => {
    const world = makeWorld()
    world.engine.behave('aims-fixture/sick:1', {http: 503})
    await rejection(deploy(world.deps, options({plug: 'fixture-sick', name: 'site'})))
    // fixture-sick: 6 × 0.5 s.
    expect(world.clock.slept).toBe(3000)
  })

  it('a container that exits fails at once, without waiting for the budget', async () => {
    const world = makeWorld()
    world.engine.behave('aims-fixture/crash:1', {exitCode: 1, logs: () => ['fatal: missing configuration']})
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-crash', name: 'site'})))
    expect(error).toMatchObject({kind: 'unhealthy', exitCode: 4})
    expect(error.message).toContain('app exited (exit code 1)')
    expect(error.details?.logs).toEqual(['fatal: missing configuration'])
    expect(world.clock.slept).toBe(0)
    expectNothingOf(world, 'site')
    expect(world.engine.networkNames()).toEqual([])
  })

  it('a container in a restart loop fails at once', async () => {
    const world = makeWorld()
    world.engine.behave('aims-fixture/crash:1', {restarting: true})
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-crash', name: 'site'})))
    expect(error.message).toContain('app crashed and was restarted (exit code 1)')
    expect(world.clock.slept).toBe(0)
    expectNothingOf(world, 'site')
  })

  it('keeps only the last 50 log lines', async () => {
    const world = makeWorld()
    world.engine.behave('aims-fixture/crash:1', {
      exitCode: 2,
      logs: () => Array.from({length: 80}, (_, index) => `line ${index + 1}`),
    })
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-crash', name: 'site'})))
    const logs = error.details?.logs as string[]
    expect(logs).toHaveLength(50)
    expect(logs[0]).toBe('line 31')
    expect(logs.at(-1)).toBe('line 80')
  })
})

describe('plugUp: dry run, refusal and failed gates', () => {
  it('a dry-run decision returns the plan and creates nothing', async () => {
    const world = makeWorld({decision: 'dry-run'})
    const result = await deploy(world.deps, options())
    expect(result).toMatchObject({
      status: 'dry-run',
      instance: 'acme/site',
      port: 51000,
      localUrl: 'http://127.0.0.1:51000/',
    })
    expect(result.plan.changes.map((change) => change.action)).toEqual(['pull', 'create', 'create', 'create'])
    expect(world.log).toEqual([])
    expect(world.audit.records).toEqual([])
    expect(world.engine.containerNames()).toEqual([])
  })

  it('a refusal (exit 3) creates nothing', async () => {
    const world = makeWorld({decision: new AimsError('not-confirmed', 'not confirmed')})
    expect((await rejection(deploy(world.deps, options()))).exitCode).toBe(3)
    expect(world.log).toEqual([])
  })

  it('a taken name fails the names gate with exit 2; the approver is not asked', async () => {
    const world = makeWorld({decision: 'unexpected'})
    seedNeighbour(world)
    const error = await rejection(deploy(world.deps, options({name: 'keep'})))
    expect(error).toMatchObject({
      exitCode: 2,
      message: 'pre-flight gate "names valid and free" failed: acme/keep already exists (fixture-web, running)',
    })
    expect(error.hint).toMatch(/--name keep-2/)
    expect(world.approver.events).toEqual(['show'])
    expect(world.log).toEqual([])
  })

  it('a missing required value fails the config gate (exit 2) when nobody can be asked', async () => {
    const world = makeWorld({decision: 'unexpected'})
    const error = await rejection(deploy(world.deps, options({plug: 'fixture-ask'})))
    expect(error).toMatchObject({exitCode: 2, message: 'pre-flight gate "config complete" failed: missing SITE_NAME'})
    expect(world.log).toEqual([])
  })

  it('asks for a missing required value on a TTY and uses the answer', async () => {
    const asked: string[] = []
    const world = makeWorld({
      ask: async (variable) => {
        asked.push(variable.key)
        return 'My Site'
      },
    })
    await deploy(world.deps, options({plug: 'fixture-ask'}))
    expect(asked).toEqual(['SITE_NAME'])
    expect(world.engine.container('aims-acme-site-web')!.env.GREETING).toBe('welcome to My Site')
  })

  it('an answer that breaks the pattern is refused with exit 2 before anything is created', async () => {
    const world = makeWorld({ask: async () => 'bad; name'})
    expect((await rejection(deploy(world.deps, options({plug: 'fixture-ask'})))).exitCode).toBe(2)
    expect(world.log).toEqual([])
  })
})

describe('plugUp: concurrency and crashes', () => {
  it('cleans up a journal left by an interrupted deploy first, then deploys', async () => {
    const world = makeWorld()
    seedNeighbour(world)
    world.shell.files.set(JOURNAL, JSON.stringify({deployId: 'killed-1', plug: 'fixture-web'}))
    const leftover = {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.instance]: 'site',
      [LABEL.plug]: 'fixture-web',
      [LABEL.service]: 'web',
      [LABEL.deployId]: 'killed-1',
      [LABEL.port]: '51001',
      [LABEL.entry]: 'true',
      [LABEL.services]: 'web',
    }
    world.engine.seedVolume('aims-acme-site-data', leftover)
    world.engine.seedContainer({
      name: 'aims-acme-site-web',
      image: 'aims-fixture/web:1',
      state: 'created',
      labels: leftover,
      ports: [{containerPort: 8080, protocol: 'tcp', hostPort: 51001, hostIp: '127.0.0.1'}],
      networks: ['aims-t-acme'],
      mounts: [{source: 'aims-acme-site-data', target: '/data'}],
    })

    const result = await deploy(world.deps, options())

    expect(result.status).toBe('ready')
    expect(world.approver.shown[0]?.changes[0]).toEqual({
      action: 'remove',
      kind: 'instance',
      name: 'acme/site',
      detail: 'leftovers of an interrupted deploy',
    })
    const log = effects(world)
    expect(log.slice(0, 4)).toEqual([
      'lock instance-acme-site',
      'removeContainer aims-acme-site-web',
      'removeVolume aims-acme-site-data',
      `rm ${JOURNAL}`,
    ])
    expect(world.engine.container('aims-acme-site-web')!.labels[LABEL.deployId]).toBe('id001')
    expect(world.engine.volumes.get('aims-acme-site-data')?.labels[LABEL.deployId]).toBe('id001')
    expect(world.engine.containerNames()).toEqual(['aims-acme-keep-web', 'aims-acme-site-web'])
    expect(world.engine.networkNames()).toEqual(['aims-t-acme'])
    expect(world.progress.some((event) => event.step === 'cleanup')).toBe(true)
    expect(world.shell.files.has(JOURNAL)).toBe(false)
  })

  it('picks another port when the first was taken between the plan and the allocation lock', async () => {
    const world = makeWorld()
    world.session.whenLocked('alloc', () => {
      world.engine.seedContainer({
        name: 'someone-else',
        labels: {},
        ports: [{containerPort: 80, protocol: 'tcp', hostPort: 51000, hostIp: '0.0.0.0'}],
      })
    })
    const result = await deploy(world.deps, options())
    expect(world.approver.shown[0]?.facts).toContainEqual({label: 'port', value: '127.0.0.1:51000 → web:8080'})
    expect(result.port).toBe(51001)
    expect(world.engine.container('aims-acme-site-web')!.ports[0]?.hostPort).toBe(51001)
    expect(world.engine.container('aims-acme-site-web')!.labels[LABEL.port]).toBe('51001')
  })

  it('keeps ports that were listening at the first look taken at the second', async () => {
    const world = makeWorld()
    world.shell.files.set(
      '/proc/net/tcp',
      `  sl  local_address rem_address   st\n   0: 0100007F:C738 00000000:0000 0A 0\n`,
    )
    expect((await deploy(world.deps, options())).port).toBe(51001)
  })

  it('fails with a conflict when the name was taken meanwhile, and creates nothing', async () => {
    const world = makeWorld()
    world.session.whenLocked('alloc', () => {
      world.engine.seedContainer({
        name: 'aims-acme-site-web',
        image: 'aims-fixture/web:1',
        labels: otherLabels('site', {[LABEL.entry]: 'true', [LABEL.port]: '51000'}),
      })
    })
    const error = await rejection(deploy(world.deps, options()))
    expect(error).toMatchObject({kind: 'conflict', exitCode: 2})
    expect(error.message).toBe(
      'acme/site can no longer be deployed: names valid and free: acme/site already exists (fixture-web, running)',
    )
    expect(effects(world)).toEqual([
      'lock instance-acme-site',
      'lock alloc',
      'unlock alloc',
      'unlock instance-acme-site',
    ])
    expect(world.engine.container('aims-acme-site-web')!.labels[LABEL.deployId]).toBe('deploy-of-site')
  })

  it('says another process is deploying when the instance lock is held', async () => {
    const world = makeWorld()
    world.session.heldElsewhere.add('instance-acme-site')
    const error = await rejection(deploy(world.deps, options()))
    expect(error).toMatchObject({
      kind: 'conflict',
      exitCode: 1,
      message: 'another aims process is deploying or changing acme/site on vps right now',
    })
    expect(error.hint).toMatch(/--name/)
    expect(world.log).toEqual([])
  })

  it('a container name held by something else fails the names gate (exit 2) before anything is created', async () => {
    const world = makeWorld()
    world.engine.seedContainer({name: 'aims-acme-site-web', labels: {'com.example': 'by hand'}, state: 'exited'})
    const error = await rejection(deploy(world.deps, options()))
    expect(error).toMatchObject({
      kind: 'usage',
      exitCode: 2,
      message: expect.stringContaining('aims-acme-site-web is already used by something aims did not create'),
    })
    expect(world.engine.containerNames()).toEqual(['aims-acme-site-web'])
    expect(world.engine.container('aims-acme-site-web')!.labels).toEqual({'com.example': 'by hand'})
    expect(world.engine.volumeNames()).toEqual([])
    expect(world.engine.networkNames()).toEqual([])
    expect(world.session.openLocks()).toEqual([])
  })
})

describe('plugUp: links', () => {
  function seedLinked(world: World) {
    world.engine.seedNetwork('aims-t-data', {[LABEL.managed]: 'true', [LABEL.tenant]: 'data'})
    world.engine.seedContainer({
      name: 'aims-data-db-web',
      image: 'aims-fixture/web:1',
      labels: {
        ...otherLabels('db'),
        [LABEL.tenant]: 'data',
        [LABEL.entry]: 'true',
        [LABEL.replica]: '1',
        [LABEL.port]: '51005',
      },
      networks: ['aims-t-data'],
    })
  }

  it('joins the entry and the linked instance on a network of their own', async () => {
    const world = makeWorld()
    seedLinked(world)
    await deploy(world.deps, options({links: ['data/db']}))
    expect(world.engine.networks.get('aims-l-acme-site--data-db')?.labels).toMatchObject({
      'aims.network-scope': 'link',
      'aims.link-target': 'data/db',
      [LABEL.instance]: 'site',
    })
    expect(world.engine.container('aims-data-db-web')!.networks.get('aims-l-acme-site--data-db')).toEqual([
      'db.data',
      'data-db',
    ])
    expect(world.engine.container('aims-acme-site-web')!.networks.has('aims-l-acme-site--data-db')).toBe(true)
    expect(world.engine.container('aims-acme-site-web')!.labels[LABEL.links]).toBe('data/db')
  })

  it('a link to a missing instance fails with exit 2 before the gate', async () => {
    const world = makeWorld({decision: 'unexpected'})
    const error = await rejection(deploy(world.deps, options({links: ['data/db']})))
    expect(error).toMatchObject({kind: 'not-found', exitCode: 2, message: '--link data/db: no such instance on vps'})
    expect(world.approver.events).toEqual([])
    expect(world.log).toEqual([])
  })
})

describe('plugUp: known bugs (it.fails until fixed; see the comments)', () => {
  // BUG (src/core/names.ts containerName/volumeName, src/core/plan/plug-up.ts instanceNetworkName):
  // object names are `aims-<tenant>-<instance>-<volume>`, and names hold inner hyphens, so tenant
  // "a-b" instance "c" and tenant "a" instance "b-c" get the same volume name "aims-a-b-c-data".
  // `docker volume create` of an existing name succeeds (checked on the bed: it keeps the first
  // labels), so the second deploy passes every gate and mounts the other tenant's data.
  // Expected: refused (names gate) or a distinct volume. Actual: a/b-c mounts a-b/c's volume.
  it("never mounts another tenant's volume when tenant-instance names run together", async () => {
    const otherApp = testPlug('other-app', {
      services: {
        app: {
          image: 'aims-fixture/web:1',
          entry: {port: 8080},
          health: {type: 'http', path: '/health'},
          volumes: [{name: 'data', path: '/data'}],
        },
      },
    })
    const world = makeWorld({plugs: [fixturePlug('fixture-web'), otherApp]})
    await deploy(world.deps, options({tenant: 'a-b', name: 'c'}))
    const second = await deploy(world.deps, options({plug: 'other-app', tenant: 'a', name: 'b-c'})).catch(
      (error: unknown) => error,
    )
    if (second instanceof AimsError) return // refusing the name is a fix too
    const mount = world.engine.container('aims-a-b-c-app')!.mounts[0]!
    expect(world.engine.volumes.get(mount.source)?.labels[LABEL.tenant]).toBe('a')
  })

  // BUG (same cause, src/core/plan/plug-up.ts instanceNetworkName + the `exists` check in
  // networkDeploys): two multi-service instances a-b/c and a/b-c share the
  // instance network "aims-i-a-b-c"; the second sees it as existing and joins it, so tenant a's
  // services can reach tenant a-b's (and their service aliases collide in DNS).
  it('never puts two tenants on one instance network when tenant-instance names run together', async () => {
    const duo = testPlug('duo', {
      services: {
        api: {image: 'aims-fixture/web:1', entry: {port: 8080}, health: {type: 'http', path: '/health'}},
        worker: {image: 'aims-fixture/web:1', ports: [9090]},
      },
    })
    const world = makeWorld({plugs: [fixturePlug('fixture-stack'), duo]})
    await deploy(world.deps, options({plug: 'fixture-stack', tenant: 'a-b', name: 'c'}))
    const second = await deploy(world.deps, options({plug: 'duo', tenant: 'a', name: 'b-c'})).catch(
      (error: unknown) => error,
    )
    if (second instanceof AimsError) return
    const tenantOf = (name: string) => world.engine.container(name)!.labels[LABEL.tenant]
    for (const network of world.engine.networkNames()) {
      const tenants = new Set(
        world.engine
          .containerNames()
          .filter((name) => world.engine.container(name)!.networks.has(network))
          .map(tenantOf),
      )
      expect(tenants.size, `${network} holds containers of ${[...tenants].join(', ')}`).toBeLessThanOrEqual(1)
    }
  })

  // BUG (src/services/plug-up.ts removeDeployObjects, and in rollback: the
  // `details.containers === 0` test before removeNetwork): Docker counts only running containers as attached, and removes a network that
  // stopped containers still reference (checked on the bed; they then fail to start with
  // "network … not found"). A re-run after a killed deploy that had created the tenant network
  // removes that network even though another instance of the tenant (stopped) still uses it.
  it('cleaning up an interrupted deploy keeps a tenant network a stopped instance still uses', async () => {
    const world = makeWorld()
    world.engine.seedNetwork(
      'aims-t-acme',
      {[LABEL.managed]: 'true', [LABEL.tenant]: 'acme', [LABEL.deployId]: 'killed-1', 'aims.network-scope': 'tenant'},
      ['10.210.0.0/24'],
    )
    world.engine.seedContainer({
      name: 'aims-acme-keep-web',
      image: 'aims-fixture/web:1',
      state: 'exited',
      labels: otherLabels('keep', {[LABEL.entry]: 'true', [LABEL.port]: '51000'}),
      ports: [{containerPort: 8080, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'}],
      networks: {'aims-t-acme': ['keep']},
    })
    world.shell.files.set(JOURNAL, JSON.stringify({deployId: 'killed-1', plug: 'fixture-web'}))
    await deploy(world.deps, options())
    await world.engine.startContainer('aims-acme-keep-web')
    expect(world.engine.container('aims-acme-keep-web')!.state).toBe('running')
  })
})
