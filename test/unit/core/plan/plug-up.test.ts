import {describe, expect, it} from 'vitest'
import type {Plug} from '../../../../src/core/catalog/schema.js'
import {readdirSync} from 'node:fs'
import {DEFAULT_PRICES, estimateMonthlyCost, resourceTotals} from '../../../../src/core/catalog/cost.js'
import {LABEL} from '../../../../src/core/engine-types.js'
import type {HostEntry} from '../../../../src/core/host-target.js'
import type {InstanceView} from '../../../../src/core/instances.js'
import {MASK, resolveEnvSpec} from '../../../../src/core/plan/env.js'
import type {GateCheck} from '../../../../src/core/plan/plan.js'
import {
  allocateHostPort,
  buildPlugUpPlan,
  DEFAULT_SERVICE_RESOURCES,
  probeFor,
  type HostFacts,
} from '../../../../src/core/plan/plug-up.js'
import {compareVersions} from '../../../../src/core/plan/plug-up-gates.js'
import type {PlugUpRequest} from '../../../../src/core/plan/requests.js'
import {instanceRef} from '../../../../src/core/names.js'
import {DEFAULT_TIERS, tenantPolicy, type TenantPolicy} from '../../../../src/core/plan/policy.js'
import {testPlug} from '../../../support/catalog-fakes.js'
import {GiB, testHost} from '../../../support/fake-session.js'
import {catalogPlug, fixturePlug} from '../../../support/lifecycle-fakes.js'

const MiB = 1024 ** 2

function facts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    engineVersion: '24.0.7',
    apiVersion: '1.43',
    memTotalBytes: 8 * GiB,
    memAvailableBytes: 6 * GiB,
    diskFreeBytes: 100 * GiB,
    usedPorts: [],
    instances: [],
    tenantUsage: {cpus: 0, memoryBytes: 0, diskBytes: 0},
    networks: [],
    interrupted: [],
    ...overrides,
  }
}

function view(tenant: string, instance: string, plug = 'fixture-web'): InstanceView {
  return {
    tenant,
    instance,
    ref: `${tenant}/${instance}`,
    plug,
    status: 'running',
    health: 'healthy',
    exposed: false,
    createdAt: new Date(0),
    secretKeys: [],
    declaredServices: ['web'],
    replicas: [],
    links: [],
  }
}

interface PlanOptions {
  /** The request's fields; tenant and instance make its ref (acme/site by default). */
  request?: Partial<Omit<PlugUpRequest, 'ref'>> & {tenant?: string; instance?: string}
  facts?: Partial<HostFacts>
  host?: Partial<HostEntry>
  policy?: TenantPolicy
  flags?: Record<string, string>
  file?: Record<string, string>
  prices?: typeof DEFAULT_PRICES
}

/** Secrets are handed out as gen1SSSS…, gen2SSSS…: recognisable wherever they leak. */
function plan(plug: Plug, options: PlanOptions = {}) {
  const handedOut: string[] = []
  const env = resolveEnvSpec(plug, {flags: options.flags ?? {}, file: options.file ?? {}}, (spec) => {
    const value = `gen${handedOut.length + 1}${'S'.repeat(spec.length - 4)}`
    handedOut.push(value)
    return value
  })
  const {tenant = 'acme', instance = 'site', ...fields} = options.request ?? {}
  const request: PlugUpRequest = {
    plugId: plug.id,
    ref: instanceRef(tenant, instance),
    envFlags: {},
    envFile: {},
    expose: false,
    links: [],
    ...fields,
  }
  const built = buildPlugUpPlan({
    plug,
    plugFile: `/catalog/${plug.id}.yaml`,
    request,
    env: {variables: env.variables, missing: env.missing},
    host: testHost(options.host),
    facts: facts(options.facts),
    policy: options.policy ?? tenantPolicy({}, request.ref.tenant),
    prices: options.prices ?? DEFAULT_PRICES,
    deployId: 'deploy-1',
    createdBy: 'me@laptop',
  })
  return {
    ...built,
    secrets: handedOut,
    service: (name: string) => built.spec.services.find((service) => service.service === name)!,
  }
}

const gate = (gates: GateCheck[], id: GateCheck['id']) => gates.find((item) => item.id === id)!

describe('buildPlugUpPlan: one service (fixture-web)', () => {
  const web = fixturePlug('fixture-web')

  it('names the container aims-TENANT-INSTANCE-SERVICE and labels it with everything aims reads back', () => {
    const {spec} = plan(web)
    expect(spec.services).toHaveLength(1)
    const container = spec.services[0]!.container
    expect(container.name).toBe('aims-acme-site-web')
    expect(container.image).toBe('aims-fixture/web:1')
    expect(container.labels).toEqual({
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.instance]: 'site',
      [LABEL.plug]: 'fixture-web',
      [LABEL.service]: 'web',
      [LABEL.createdBy]: 'me@laptop',
      [LABEL.deployId]: 'deploy-1',
      [LABEL.replica]: '1',
      [LABEL.services]: 'web',
      [LABEL.plugVersion]: '1',
      [LABEL.secretKeys]: 'APP_SECRET',
      [LABEL.entry]: 'true',
      [LABEL.port]: '51000',
      [LABEL.diskEstimate]: String(100 * MiB),
      [LABEL.health]: JSON.stringify({type: 'http', path: '/health', port: 8080}),
      [LABEL.healthBudget]: '7500',
    })
  })

  it('puts a single-service instance on the tenant network only, reachable as INSTANCE and INSTANCE-SERVICE', () => {
    const {spec} = plan(web)
    expect(spec.services[0]!.container.networks).toEqual([{name: 'aims-t-acme', aliases: ['site', 'site-web']}])
    expect(spec.networks).toEqual([
      {
        name: 'aims-t-acme',
        scope: 'tenant',
        exists: false,
        labels: {
          [LABEL.managed]: 'true',
          [LABEL.tenant]: 'acme',
          [LABEL.createdBy]: 'me@laptop',
          [LABEL.deployId]: 'deploy-1',
          'aims.network-scope': 'tenant',
        },
      },
    ])
  })

  it('publishes the entry port on 127.0.0.1 from 51000 up', () => {
    const {spec, plan: shown} = plan(web)
    expect(spec.services[0]!.container.ports).toEqual([
      {containerPort: 8080, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'},
    ])
    expect(spec.entry).toEqual({
      service: 'web',
      containerPort: 8080,
      hostPort: 51000,
      protocol: 'http',
      hostIp: '127.0.0.1',
    })
    expect(spec.localUrl).toBe('http://127.0.0.1:51000/')
    expect(shown.facts).toContainEqual({label: 'port', value: '127.0.0.1:51000 → web:8080'})
  })

  it('publishes on 0.0.0.0 with --expose and says so in a label', () => {
    const {spec} = plan(web, {request: {expose: true}})
    expect(spec.services[0]!.container.ports[0]?.hostIp).toBe('0.0.0.0')
    expect(spec.services[0]!.container.labels[LABEL.exposed]).toBe('true')
    expect(plan(web).spec.services[0]!.container.labels[LABEL.exposed]).toBeUndefined()
  })

  it('takes the lowest free port above the used ones', () => {
    expect(plan(web, {facts: {usedPorts: [51000, 51001, 51003]}}).spec.entry.hostPort).toBe(51002)
  })

  it('sets the catalog resources, an init, a restart policy and a stop timeout', () => {
    const container = plan(web).spec.services[0]!.container
    expect(container).toMatchObject({
      nanoCpus: 250_000_000,
      memoryBytes: 64 * MiB,
      init: true,
      restartPolicy: 'unless-stopped',
      stopTimeoutSeconds: 10,
    })
    expect(container.healthcheck).toBeUndefined()
  })

  it('applies --cpus and --memory to the entry service', () => {
    const {spec, resources} = plan(web, {request: {cpus: 1.5, memoryBytes: 256 * MiB}})
    expect(spec.services[0]!.container).toMatchObject({nanoCpus: 1_500_000_000, memoryBytes: 256 * MiB})
    expect(resources).toEqual({cpus: 1.5, memoryBytes: 256 * MiB, diskBytes: 100 * MiB})
  })

  it('uses 0.5 CPU and 512 MiB for a service whose catalog entry names no resources', () => {
    const bare = testPlug('bare', {
      services: {web: {image: 'example/bare:1.0.0', entry: {port: 80}, health: {type: 'http', path: '/'}}},
    })
    const container = plan(bare).spec.services[0]!.container
    expect(container.nanoCpus).toBe(DEFAULT_SERVICE_RESOURCES.cpus * 1e9)
    expect(container.memoryBytes).toBe(512 * MiB)
  })

  it('creates the volumes with aims labels and mounts them', () => {
    const {spec} = plan(web)
    expect(spec.volumes).toEqual([
      {
        name: 'aims-acme-site-data',
        labels: expect.objectContaining({
          [LABEL.managed]: 'true',
          [LABEL.tenant]: 'acme',
          [LABEL.instance]: 'site',
          [LABEL.deployId]: 'deploy-1',
          'aims.volume': 'data',
        }),
      },
    ])
    expect(spec.services[0]!.container.volumes).toEqual([{source: 'aims-acme-site-data', target: '/data'}])
  })

  it('fills the env: defaults, generated secrets and literal values', () => {
    const {spec, secrets} = plan(web)
    expect(spec.services[0]!.container.env).toEqual({
      GREETING: 'hello from the aims fixture',
      APP_SECRET: secrets[0],
      SERVICE_NAME: 'web',
    })
    expect(secrets).toHaveLength(1)
    expect(secrets[0]).toHaveLength(24)
  })

  it('passes an env value byte for byte into the container', () => {
    const value = `$(touch /tmp/x) "quoted" 'single'`
    expect(plan(web, {flags: {GREETING: value}}).spec.services[0]!.container.env.GREETING).toBe(value)
  })

  it('takes the health gate from the plug', () => {
    expect(plan(web).spec.healthGate).toEqual({retries: 15, intervalMs: 500})
  })

  it('plans pull, tenant network, volume and container, in that order, and no proxy conf without a domain', () => {
    expect(plan(web).plan.changes).toEqual([
      {action: 'pull', kind: 'image', name: 'aims-fixture/web:1', detail: 'if missing on the host'},
      {action: 'create', kind: 'network', name: 'aims-t-acme', detail: 'tenant network'},
      {action: 'create', kind: 'volume', name: 'aims-acme-site-data'},
      {
        action: 'create',
        kind: 'container',
        name: 'aims-acme-site-web',
        detail: 'aims-fixture/web:1, 127.0.0.1:51000 → 8080',
      },
    ])
  })

  it('does not plan the tenant network when the host has it already', () => {
    const {spec, plan: shown} = plan(web, {facts: {networks: ['bridge', 'aims-t-acme']}})
    expect(spec.networks[0]?.exists).toBe(true)
    expect(shown.changes.filter((change) => change.kind === 'network')).toEqual([])
  })

  it('plans cleaning up an interrupted deploy first', () => {
    const {spec, plan: shown} = plan(web, {facts: {interrupted: ['acme/site']}})
    expect(spec.replacesInterrupted).toBe(true)
    expect(shown.changes[0]).toEqual({
      action: 'remove',
      kind: 'instance',
      name: 'acme/site',
      detail: 'leftovers of an interrupted deploy',
    })
    expect(plan(web, {facts: {interrupted: ['other/site']}}).spec.replacesInterrupted).toBe(false)
  })

  it('plans a link network per --link and labels the entry with the links', () => {
    const {spec, plan: shown} = plan(web, {
      request: {
        links: [instanceRef('data', 'db'), instanceRef('ops', 'cache')],
      },
    })
    expect(spec.services[0]!.container.labels[LABEL.links]).toBe('data/db,ops/cache')
    expect(spec.links).toEqual([
      {tenant: 'data', instance: 'db'},
      {tenant: 'ops', instance: 'cache'},
    ])
    expect(shown.changes.filter((change) => change.action === 'connect')).toEqual([
      {
        action: 'connect',
        kind: 'network',
        name: 'aims-l-acme-site--data-db',
        detail: 'lets acme/site reach data/db (cross-tenant link)',
      },
      {
        action: 'connect',
        kind: 'network',
        name: 'aims-l-acme-site--ops-cache',
        detail: 'lets acme/site reach ops/cache (cross-tenant link)',
      },
    ])
  })

  it('summarises the plan for the gate', () => {
    const {plan: shown} = plan(web)
    expect(shown).toMatchObject({
      action: 'plug-up',
      summary: 'Deploy fixture-web as acme/site on vps',
      host: 'vps',
      target: 'acme/site',
      destructive: false,
    })
    expect(shown.confirmWord).toBeUndefined()
    expect(shown.facts.map((fact) => fact.label)).toEqual([
      'plug',
      'service web',
      'port',
      'url',
      'resources',
      'cost',
      'env web',
    ])
  })
})

describe('buildPlugUpPlan: several services (fixture-stack)', () => {
  const stack = fixturePlug('fixture-stack')

  it('deploys dependencies first', () => {
    expect(plan(stack).spec.services.map((service) => service.service)).toEqual(['backend', 'front'])
    expect(plan(stack).service('front').dependsOn).toEqual({backend: 'healthy'})
    expect(plan(stack).service('backend').dependsOn).toEqual({})
  })

  it('puts every service on an instance network under its service name, and on the tenant network as INSTANCE-SERVICE', () => {
    const built = plan(stack)
    expect(built.service('backend').container.networks).toEqual([
      {name: 'aims-i-acme-site', aliases: ['backend']},
      {name: 'aims-t-acme', aliases: ['site-backend']},
    ])
    expect(built.service('front').container.networks).toEqual([
      {name: 'aims-i-acme-site', aliases: ['front']},
      {name: 'aims-t-acme', aliases: ['site', 'site-front']},
    ])
    expect(built.spec.networks.map((network) => [network.name, network.scope])).toEqual([
      ['aims-t-acme', 'tenant'],
      ['aims-i-acme-site', 'instance'],
    ])
    expect(built.spec.networks[1]?.labels).toMatchObject({
      [LABEL.instance]: 'site',
      [LABEL.plug]: 'fixture-stack',
      'aims.network-scope': 'instance',
    })
  })

  it('publishes only the entry; other services expose their ports to the networks', () => {
    const built = plan(stack)
    expect(built.service('backend').container.ports).toEqual([])
    expect(built.service('backend').container.exposedPorts).toEqual([{containerPort: 9090, protocol: 'tcp'}])
    expect(built.service('front').container.ports).toEqual([
      {containerPort: 8080, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'},
    ])
  })

  it('marks only the entry with entry, port and disk labels; every service carries the service list', () => {
    const built = plan(stack)
    const backend = built.service('backend').container.labels
    const front = built.service('front').container.labels
    expect(backend[LABEL.entry]).toBeUndefined()
    expect(backend[LABEL.port]).toBeUndefined()
    expect(front).toMatchObject({[LABEL.entry]: 'true', [LABEL.port]: '51000', [LABEL.diskEstimate]: String(200 * MiB)})
    expect(backend[LABEL.services]).toBe('backend,front')
    expect(front[LABEL.services]).toBe('backend,front')
    expect(backend[LABEL.secretKeys]).toBe('DB_PASSWORD')
    expect(front[LABEL.secretKeys]).toBeUndefined()
  })

  it('applies --cpus and --memory to the entry service only', () => {
    const built = plan(stack, {request: {cpus: 2, memoryBytes: 1 * GiB}})
    expect(built.service('front').container).toMatchObject({nanoCpus: 2e9, memoryBytes: GiB})
    expect(built.service('backend').container).toMatchObject({nanoCpus: 0.25e9, memoryBytes: 64 * MiB})
    expect(built.resources).toEqual({cpus: 2.25, memoryBytes: GiB + 64 * MiB, diskBytes: 200 * MiB})
  })

  it('probes each service on its own port', () => {
    const built = plan(stack)
    expect(built.service('backend').probe).toEqual({type: 'http', path: '/health', port: 9090})
    expect(built.service('front').probe).toEqual({type: 'http', path: '/health', port: 8080})
  })

  it('substitutes built-ins in service env', () => {
    expect(plan(stack).service('front').container.env).toEqual({
      SERVICE_NAME: 'front',
      UPSTREAM_URL: 'http://backend:9090/',
      GREETING: 'front of site',
    })
  })

  it('plans one pull per image, both networks, the volume and the containers in deploy order', () => {
    expect(plan(stack).plan.changes.map((change) => `${change.action} ${change.kind} ${change.name}`)).toEqual([
      'pull image aims-fixture/web:1',
      'create network aims-t-acme',
      'create network aims-i-acme-site',
      'create volume aims-acme-site-backend-data',
      'create container aims-acme-site-backend',
      'create container aims-acme-site-front',
    ])
  })

  it('creates only the missing network', () => {
    const changes = plan(stack, {facts: {networks: ['aims-t-acme']}}).plan.changes
    expect(changes.filter((change) => change.kind === 'network').map((change) => change.name)).toEqual([
      'aims-i-acme-site',
    ])
  })
})

describe('buildPlugUpPlan: real catalog entries', () => {
  const ghost = catalogPlug('ghost')
  const n8n = catalogPlug('n8n')

  it('ghost: MySQL first, Ghost waits for it to be healthy, both share the generated password', () => {
    const built = plan(ghost, {request: {instance: 'blog'}})
    expect(built.spec.services.map((service) => service.container.name)).toEqual([
      'aims-acme-blog-mysql',
      'aims-acme-blog-ghost',
    ])
    expect(built.service('ghost').dependsOn).toEqual({mysql: 'healthy'})
    const [mysqlPassword, rootPassword] = built.secrets
    expect(built.service('ghost').container.env.database__connection__password).toBe(mysqlPassword)
    expect(built.service('mysql').container.env).toMatchObject({
      MYSQL_PASSWORD: mysqlPassword,
      MYSQL_ROOT_PASSWORD: rootPassword,
    })
    expect(built.service('ghost').container.env.database__connection__host).toBe('mysql')
    expect(built.service('mysql').container.networks[0]).toEqual({name: 'aims-i-acme-blog', aliases: ['mysql']})
  })

  it('ghost: a `command` health check becomes a Docker healthcheck, $VARS left to the container shell', () => {
    const built = plan(ghost, {request: {instance: 'blog'}})
    const mysql = built.service('mysql')
    expect(mysql.probe).toEqual({type: 'docker'})
    expect(mysql.container.healthcheck).toEqual({
      test: ['CMD', 'sh', '-c', 'mysqladmin ping -h 127.0.0.1 -u root -p"$MYSQL_ROOT_PASSWORD" --silent'],
      intervalSeconds: 2,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 0,
    })
    expect(mysql.container.stopTimeoutSeconds).toBe(60)
    expect(built.service('ghost').probe).toEqual({type: 'http', path: '/ghost/api/admin/site/', port: 2368})
    expect(built.service('ghost').container.healthcheck).toBeUndefined()
    expect(built.spec.healthGate).toEqual({retries: 90, intervalMs: 2000})
  })

  it('ghost: totals and per-service resources with --cpus/--memory on Ghost only', () => {
    const built = plan(ghost, {request: {instance: 'blog', cpus: 0.5, memoryBytes: 512 * MiB}})
    expect(built.service('ghost').container).toMatchObject({nanoCpus: 0.5e9, memoryBytes: 512 * MiB})
    expect(built.service('mysql').container).toMatchObject({nanoCpus: 1e9, memoryBytes: GiB})
    expect(built.resources).toEqual({cpus: 1.5, memoryBytes: 512 * MiB + GiB, diskBytes: 10 * GiB})
  })

  it('ghost: the url is the local one without a host domain', () => {
    expect(plan(ghost, {request: {instance: 'blog'}}).service('ghost').container.env.url).toBe('http://127.0.0.1:51000')
  })

  it('n8n without a host domain: built-ins point at 127.0.0.1 and no proxy conf is planned', () => {
    const built = plan(n8n, {request: {instance: 'n8n'}})
    expect(built.service('n8n').container.env).toMatchObject({
      N8N_HOST: '127.0.0.1',
      N8N_EDITOR_BASE_URL: 'http://127.0.0.1:51000',
      WEBHOOK_URL: 'http://127.0.0.1:51000',
      TZ: 'UTC',
      N8N_SECURE_COOKIE: 'false',
    })
    expect(built.spec.domain).toBeUndefined()
    expect(built.service('n8n').container.labels[LABEL.domain]).toBeUndefined()
    expect(built.plan.changes.some((change) => change.kind === 'proxy-conf')).toBe(false)
    expect(built.plan.facts).toContainEqual({label: 'url', value: 'http://127.0.0.1:51000/ (on the host)'})
  })

  it('n8n with a host domain: INSTANCE.TENANT.DOMAIN over http, a domain label and a proxy conf', () => {
    const built = plan(n8n, {request: {instance: 'n8n'}, host: {domain: 'example.com'}})
    expect(built.spec.domain).toBe('n8n.acme.example.com')
    expect(built.service('n8n').container.env).toMatchObject({
      N8N_HOST: 'n8n.acme.example.com',
      WEBHOOK_URL: 'http://n8n.acme.example.com',
    })
    expect(built.service('n8n').container.labels[LABEL.domain]).toBe('n8n.acme.example.com')
    expect(built.plan.changes.at(-1)).toEqual({
      action: 'write',
      kind: 'proxy-conf',
      name: 'acme-n8n.conf',
      detail: 'nginx routes n8n.acme.example.com → 127.0.0.1:51000',
    })
    expect(built.plan.facts).toContainEqual({
      label: 'url',
      value: 'http://n8n.acme.example.com/ (and http://127.0.0.1:51000/ on the host)',
    })
  })

  it('n8n with a host domain and TLS: https URLs', () => {
    const built = plan(n8n, {
      request: {instance: 'n8n'},
      host: {domain: 'example.com', tls: {certbotLiveDir: '/etc/letsencrypt/live/example.com'}},
    })
    expect(built.service('n8n').container.env).toMatchObject({
      N8N_EDITOR_BASE_URL: 'https://n8n.acme.example.com',
      WEBHOOK_URL: 'https://n8n.acme.example.com',
    })
    expect(built.plan.facts).toContainEqual({
      label: 'url',
      value: 'https://n8n.acme.example.com/ (and http://127.0.0.1:51000/ on the host)',
    })
  })

  it('an explicit --domain wins over the host domain', () => {
    const built = plan(n8n, {request: {instance: 'n8n', domain: 'flows.example.org'}, host: {domain: 'example.com'}})
    expect(built.spec.domain).toBe('flows.example.org')
    expect(built.service('n8n').container.env.N8N_HOST).toBe('flows.example.org')
  })

  it('a TCP entry (redis) gets no proxy conf even on a host with a domain, and keeps user and command', () => {
    const built = plan(catalogPlug('redis'), {request: {instance: 'cache'}, host: {domain: 'example.com'}})
    expect(built.spec.entry.protocol).toBe('tcp')
    expect(built.plan.changes.some((change) => change.kind === 'proxy-conf')).toBe(false)
    expect(built.service('redis').container).toMatchObject({
      user: 'redis',
      command: ['sh', '-c', 'exec redis-server --appendonly yes --requirepass "$REDIS_PASSWORD"'],
    })
  })

  it.each([
    ['ghost', ghost, {}],
    ['n8n', n8n, {}],
    [
      'fixture-web with a given secret and a secret-looking extra',
      fixturePlug('fixture-web'),
      {APP_SECRET: 'given-app-secret-value', MY_TOKEN: 'extra-token-value'},
    ],
    ['fixture-stack', fixturePlug('fixture-stack'), {}],
  ])('%s: the plan never holds a secret value, and shows secret keys masked', (_name, plug, flags) => {
    const built = plan(plug as Plug, {flags: flags as Record<string, string>, host: {domain: 'example.com'}})
    const text = JSON.stringify(built.plan)
    const secretValues = [...built.secrets, ...Object.values(flags as Record<string, string>)]
    expect(secretValues.length).toBeGreaterThan(0)
    for (const value of secretValues) expect(text).not.toContain(value)
    expect(text).toContain(MASK)
  })
})

describe('one cost model', () => {
  const prices = {currency: 'EUR', cpuMonthly: 3.3, memoryGiBMonthly: 1.7, diskGiBMonthly: 0.07}
  const ids = readdirSync('plugs-catalog').filter((name) => name.endsWith('.yaml'))
  it.each(ids.map((name) => name.replace(/\.yaml$/, '')))(
    '%s: the plan reserves and costs what catalog ls quotes, at the same prices',
    (id) => {
      const plug = catalogPlug(id)
      const built = plan(plug, {prices})
      const {cpus, memoryBytes, diskBytes} = resourceTotals(plug)
      expect(built.resources).toEqual({cpus, memoryBytes, diskBytes})
      expect(built.monthlyCost).toBe(estimateMonthlyCost(resourceTotals(plug), prices).total)
    },
  )
})

describe('probeFor', () => {
  const service = (health: unknown) =>
    ({...fixturePlug('fixture-web').services.web!, health}) as Plug['services'][string]

  it('http: the path on the health port, else the entry port, else 80', () => {
    expect(probeFor(service({type: 'http', path: '/h', port: 9000}), {port: 8080})).toEqual({
      type: 'http',
      path: '/h',
      port: 9000,
    })
    expect(probeFor(service({type: 'http', path: '/h'}), {port: 8080})).toEqual({type: 'http', path: '/h', port: 8080})
    expect(probeFor(service({type: 'http', path: '/h'}), undefined)).toEqual({type: 'http', path: '/h', port: 80})
  })

  it('tcp: the health port, else the entry port', () => {
    expect(probeFor(service({type: 'tcp', port: 5432}), undefined)).toEqual({type: 'tcp', port: 5432})
    expect(probeFor(service({type: 'tcp'}), {port: 6379})).toEqual({type: 'tcp', port: 6379})
  })

  it('docker and command: Docker health status; none: running', () => {
    expect(probeFor(service({type: 'docker'}), undefined)).toEqual({type: 'docker'})
    expect(probeFor(service({type: 'command', command: ['true']}), undefined)).toEqual({type: 'docker'})
    expect(probeFor(service(undefined), {port: 8080})).toEqual({type: 'running'})
  })
})

describe('allocateHostPort', () => {
  it('takes the lowest free port of the range', () => {
    expect(allocateHostPort([])).toBe(51_000)
    expect(allocateHostPort([51_000, 51_002])).toBe(51_001)
    expect(allocateHostPort([80, 443, 50_999, 52_000])).toBe(51_000)
  })

  it('returns undefined when the range is full', () => {
    expect(allocateHostPort(Array.from({length: 1000}, (_, index) => 51_000 + index))).toBeUndefined()
    expect(allocateHostPort([10, 11], {first: 10, last: 11})).toBeUndefined()
    expect(allocateHostPort(new Set([10]), {first: 10, last: 12})).toBe(11)
  })
})

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    expect(compareVersions('1.41', '1.41')).toBe(0)
    expect(compareVersions('1.9', '1.41')).toBeLessThan(0)
    expect(compareVersions('1.100', '1.41')).toBeGreaterThan(0)
    expect(compareVersions('2', '1.41')).toBeGreaterThan(0)
  })
})

describe('preflightGates', () => {
  const web = fixturePlug('fixture-web')

  it('runs the eight gates in order and passes them on a roomy host', () => {
    const {plan: shown} = plan(web)
    expect(shown.gates.map((item) => item.id)).toEqual([
      'catalog',
      'names',
      'config',
      'quota',
      'host',
      'capacity',
      'port',
      'cost',
    ])
    expect(shown.gates.every((item) => item.status === 'pass')).toBe(true)
    expect(shown.gates.every((item) => item.fix === undefined && item.exitCode === undefined)).toBe(true)
    expect(gate(shown.gates, 'catalog').detail).toBe('fixture-web v1 from /catalog/fixture-web.yaml')
  })

  describe('names', () => {
    it('fails with exit 2 and suggests --name when the instance exists', () => {
      const result = gate(plan(web, {facts: {instances: [view('acme', 'site')]}}).plan.gates, 'names')
      expect(result).toMatchObject({
        status: 'fail',
        exitCode: 2,
        detail: 'acme/site already exists (fixture-web, running)',
      })
      expect(result.fix).toMatch(/--name site-2/)
    })

    it('passes when the same name exists in another tenant', () => {
      expect(gate(plan(web, {facts: {instances: [view('other', 'site')]}}).plan.gates, 'names')).toMatchObject({
        status: 'pass',
        detail: 'acme/site is free',
      })
    })

    it('passes when what exists is an interrupted deploy of the same instance', () => {
      expect(
        gate(plan(web, {facts: {instances: [view('acme', 'site')], interrupted: ['acme/site']}}).plan.gates, 'names'),
      ).toMatchObject({status: 'pass', detail: 'acme/site (replaces an interrupted deploy)'})
    })
  })

  describe('config', () => {
    it('fails with exit 2 naming the missing variables and how to give them', () => {
      const result = gate(plan(fixturePlug('fixture-ask')).plan.gates, 'config')
      expect(result).toMatchObject({status: 'fail', exitCode: 2, detail: 'missing SITE_NAME'})
      expect(result.fix).toBe('pass --env SITE_NAME=… or an --env-file (SITE_NAME: What is the site called?)')
    })

    it('passes and counts the variables when everything is set', () => {
      expect(
        gate(plan(fixturePlug('fixture-ask'), {flags: {SITE_NAME: 'My Site'}}).plan.gates, 'config'),
      ).toMatchObject({status: 'pass', detail: '1 variable set'})
      expect(gate(plan(web).plan.gates, 'config').detail).toBe('2 variables set')
    })
  })

  describe('quota', () => {
    const free = tenantPolicy({tenants: {acme: {tier: 'free'}}}, 'acme')

    it('passes within the tier and reports usage', () => {
      expect(gate(plan(web, {policy: free}).plan.gates, 'quota')).toMatchObject({
        status: 'pass',
        detail: 'tier free: 1/2 instances, 0.25/1 CPU, 64 MiB/1.0 GiB',
      })
    })

    it('fails on the instance count of the tier, with exit 1 and the fix', () => {
      const result = gate(
        plan(web, {policy: free, facts: {instances: [view('acme', 'a'), view('acme', 'b'), view('other', 'c')]}}).plan
          .gates,
        'quota',
      )
      expect(result).toMatchObject({status: 'fail', exitCode: 1, detail: 'tier free: 2 of 2 instances used'})
      expect(result.fix).toBe('raise the tier (aims config set tenants.acme.tier pro) or free resources')
    })

    it('does not count a redeploy over an interrupted one as a new instance', () => {
      const result = gate(
        plan(web, {
          policy: free,
          facts: {instances: [view('acme', 'a'), view('acme', 'site')], interrupted: ['acme/site']},
        }).plan.gates,
        'quota',
      )
      expect(result.status).toBe('pass')
    })

    // BUG (src/core/plan/plug-up-gates.ts quotaGate, the passing detail): it always shows
    // `tenantInstances.length + 1`, though a redeploy over an interrupted deploy is not counted as a
    // new instance; the gate passes while saying "3/2 instances".
    it('reports the instance count it checked when redeploying over an interrupted deploy', () => {
      const result = gate(
        plan(web, {
          policy: free,
          facts: {instances: [view('acme', 'a'), view('acme', 'site')], interrupted: ['acme/site']},
        }).plan.gates,
        'quota',
      )
      expect(result.detail).toMatch(/^tier free: 2\/2 instances/)
    })

    it('fails on CPUs and on memory of the tenant', () => {
      expect(
        gate(
          plan(web, {policy: free, facts: {tenantUsage: {cpus: 0.9, memoryBytes: 0, diskBytes: 0}}}).plan.gates,
          'quota',
        ),
      ).toMatchObject({status: 'fail', detail: 'tier free: CPU 0.9 + 0.25 > 1'})
      expect(
        gate(
          plan(web, {policy: free, facts: {tenantUsage: {cpus: 0.75, memoryBytes: 0, diskBytes: 0}}}).plan.gates,
          'quota',
        ).status,
      ).toBe('pass')
      expect(
        gate(
          plan(web, {policy: free, facts: {tenantUsage: {cpus: 0, memoryBytes: 1000 * MiB, diskBytes: 0}}}).plan.gates,
          'quota',
        ),
      ).toMatchObject({status: 'fail', detail: 'tier free: memory 1000 MiB + 64 MiB > 1.0 GiB'})
    })

    it('fails when the plug needs a higher tier than the tenant has', () => {
      const result = gate(plan(catalogPlug('ghost'), {policy: free}).plan.gates, 'quota')
      expect(result.status).toBe('fail')
      expect(result.detail).toContain('ghost needs tier starter, tenant acme is free')
      expect(
        gate(
          plan(catalogPlug('ghost'), {policy: tenantPolicy({tenants: {acme: {tier: 'starter'}}}, 'acme')}).plan.gates,
          'quota',
        ).status,
      ).toBe('pass')
    })

    it('uses configured tier limits', () => {
      const tight = tenantPolicy({tenants: {acme: {tier: 'pro'}}, tiers: {pro: {instances: 1}}}, 'acme')
      expect(gate(plan(web, {policy: tight, facts: {instances: [view('acme', 'a')]}}).plan.gates, 'quota').detail).toBe(
        'tier pro: 1 of 1 instances used',
      )
    })
  })

  describe('host', () => {
    it('fails below Docker API 1.41 with the upgrade as the fix', () => {
      const result = gate(plan(web, {facts: {apiVersion: '1.40', engineVersion: '19.03.15'}}).plan.gates, 'host')
      expect(result).toMatchObject({
        status: 'fail',
        exitCode: 1,
        detail: 'Docker 19.03.15, API 1.40 on vps',
        fix: 'upgrade Docker on the host to 20.10 or newer',
      })
    })

    it('passes at API 1.41 and above', () => {
      expect(gate(plan(web, {facts: {apiVersion: '1.41'}}).plan.gates, 'host').status).toBe('pass')
      expect(gate(plan(web, {facts: {apiVersion: '1.45'}}).plan.gates, 'host').status).toBe('pass')
    })
  })

  describe('capacity', () => {
    it('fails when the limits exceed the available memory', () => {
      const result = gate(plan(web, {facts: {memAvailableBytes: 32 * MiB}}).plan.gates, 'capacity')
      expect(result).toMatchObject({status: 'fail', exitCode: 1, detail: 'needs 64 MiB memory, 32 MiB available'})
      expect(result.fix).toMatch(/lower --memory/)
    })

    it('falls back to total memory when available memory is unknown', () => {
      expect(
        gate(plan(web, {facts: {memAvailableBytes: undefined, memTotalBytes: 32 * MiB}}).plan.gates, 'capacity').status,
      ).toBe('fail')
      expect(
        gate(plan(web, {facts: {memAvailableBytes: undefined, memTotalBytes: 2 * GiB}}).plan.gates, 'capacity').status,
      ).toBe('pass')
    })

    it('fails when the volumes exceed the free disk, and fails (never passes) when the host cannot say', () => {
      expect(gate(plan(web, {facts: {diskFreeBytes: 50 * MiB}}).plan.gates, 'capacity')).toMatchObject({
        status: 'fail',
        detail: 'needs 100 MiB disk, 50 MiB free',
      })
      const unknown = gate(plan(web, {facts: {diskFreeBytes: undefined}}).plan.gates, 'capacity')
      expect(unknown).toMatchObject({
        status: 'fail',
        exitCode: 1,
        detail: "cannot check: free disk on vps is unknown (no statvfs answer for Docker's root dir)",
      })
      expect(unknown.fix).toMatch(/aims doctor --host vps/)
      expect(gate(plan(web).plan.gates, 'capacity')).toMatchObject({
        status: 'pass',
        detail: '6.0 GiB memory available, 100 GiB disk free',
      })
    })
  })

  describe('a number that is not a number (NaN) fails its gate, never passes it', () => {
    // ssh2's statvfs answer read with the wrong field names made every disk check NaN, and
    // `needs > NaN` is false: an 879 TiB plug passed. Each gate must prove it is within its limit.
    const huge = testPlug('huge', {
      services: {
        web: {
          image: 'example/huge:1',
          entry: {port: 8080},
          health: {type: 'http', path: '/'},
          resources: {cpus: 0.25, memory: '64m'},
          volumes: [{name: 'data', path: '/data', size: '900096g'}],
        },
      },
    })
    it('capacity: NaN free disk, NaN memory', () => {
      expect(gate(plan(huge, {facts: {diskFreeBytes: Number.NaN}}).plan.gates, 'capacity')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/free disk on vps is unknown/),
      })
      expect(
        gate(plan(web, {facts: {memAvailableBytes: Number.NaN, memTotalBytes: Number.NaN}}).plan.gates, 'capacity'),
      ).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/available memory on vps is unknown/),
      })
      // NaN available memory falls back to the engine's total, as undefined does.
      expect(
        gate(plan(web, {facts: {memAvailableBytes: Number.NaN, memTotalBytes: 2 * GiB}}).plan.gates, 'capacity').status,
      ).toBe('pass')
      expect(gate(plan(huge).plan.gates, 'capacity')).toMatchObject({
        status: 'fail',
        detail: 'needs 879 TiB disk, 100 GiB free',
      })
    })
    it('quota: NaN usage or limits', () => {
      expect(
        gate(plan(web, {facts: {tenantUsage: {cpus: Number.NaN, memoryBytes: 0, diskBytes: 0}}}).plan.gates, 'quota')
          .status,
      ).toBe('fail')
      expect(
        gate(plan(web, {facts: {tenantUsage: {cpus: 0, memoryBytes: Number.NaN, diskBytes: 0}}}).plan.gates, 'quota')
          .status,
      ).toBe('fail')
      const policy = tenantPolicy({}, 'acme')
      expect(
        gate(plan(web, {policy: {...policy, limits: {...policy.limits, instances: Number.NaN}}}).plan.gates, 'quota')
          .status,
      ).toBe('fail')
    })
    it('cost: a NaN price with a spending limit', () => {
      const policy = {...tenantPolicy({}, 'acme'), spendingLimit: 100}
      expect(
        gate(plan(web, {policy, prices: {...DEFAULT_PRICES, cpuMonthly: Number.NaN}}).plan.gates, 'cost').status,
      ).toBe('fail')
    })
    it('host: an unreadable API version', () => {
      expect(gate(plan(web, {facts: {apiVersion: 'garbage'}}).plan.gates, 'host').status).toBe('fail')
    })
  })

  describe('port', () => {
    it('fails when every port of 51000-51999 is taken', () => {
      const built = plan(web, {facts: {usedPorts: Array.from({length: 1000}, (_, index) => 51_000 + index)}})
      expect(gate(built.plan.gates, 'port')).toMatchObject({
        status: 'fail',
        exitCode: 1,
        detail: 'all ports 51000-51999 are taken',
      })
      expect(built.plan.facts).toContainEqual({label: 'port', value: 'none free'})
    })

    it('passes with the port it picked', () => {
      expect(gate(plan(web, {facts: {usedPorts: [51_000]}}).plan.gates, 'port')).toMatchObject({
        status: 'pass',
        detail: '51001',
      })
    })
  })

  describe('cost', () => {
    // fixture-web: 0.25 CPU × 4 + 64 MiB × 2.5/GiB + 100 MiB × 0.1/GiB = USD 1.17 a month.
    it('passes with no spending limit and says so', () => {
      const built = plan(web)
      expect(built.monthlyCost).toBe(1.17)
      expect(gate(built.plan.gates, 'cost')).toMatchObject({
        status: 'pass',
        detail: 'USD 1.17/month; no spending limit for acme',
      })
    })

    it('fails when the tenant total with this instance exceeds the limit, with exit 1 and the fix', () => {
      const policy = {...tenantPolicy({}, 'acme'), spendingLimit: 5}
      const result = gate(
        plan(web, {policy, facts: {tenantUsage: {cpus: 1, memoryBytes: 0, diskBytes: 0}}}).plan.gates,
        'cost',
      )
      expect(result).toMatchObject({
        status: 'fail',
        exitCode: 1,
        detail: 'USD 5.17/month with this instance > limit USD 5.00',
      })
      expect(result.fix).toBe('raise it (aims config set tenants.acme.spending-limit N) or lower --cpus/--memory')
    })

    it('passes within the limit, in the host currency', () => {
      const policy = {...tenantPolicy({}, 'acme'), spendingLimit: 2}
      expect(gate(plan(web, {policy, prices: {...DEFAULT_PRICES, currency: 'EUR'}}).plan.gates, 'cost')).toMatchObject({
        status: 'pass',
        detail: 'EUR 1.17/month of EUR 2.00',
      })
      expect(gate(plan(web, {policy: {...policy, spendingLimit: 1.17}}).plan.gates, 'cost').status).toBe('pass')
    })

    it('is computed from the host prices', () => {
      const built = plan(web, {prices: {currency: 'USD', cpuMonthly: 10, memoryGiBMonthly: 0, diskGiBMonthly: 0}})
      expect(built.monthlyCost).toBe(2.5)
      expect(built.plan.facts).toContainEqual({label: 'cost', value: 'USD 2.50/month (estimate)'})
    })
  })

  it('default tiers stay generous for a self-hoster (a regression guard on the defaults)', () => {
    expect(tenantPolicy({}, 'acme')).toEqual({tier: 'business', limits: DEFAULT_TIERS.business})
  })
})

describe('buildPlugUpPlan: catalog v2 (fixture-v2: path route, file, init job)', () => {
  const v2 = fixturePlug('fixture-v2')
  const domainHost = {domain: 'example.com'}

  it('starts the one-shot job first, never restarts it, and keeps it out of the services a complete instance runs', () => {
    const {spec, service} = plan(v2, {host: domainHost})
    expect(spec.services.map((item) => [item.service, item.job])).toEqual([
      ['setup', true],
      ['api', false],
      ['web', false],
    ])
    expect(service('setup').container.restartPolicy).toBe('no')
    expect(service('setup').container.labels[LABEL.job]).toBe('true')
    expect(service('setup').container.ports).toEqual([])
    expect(service('web').container.labels[LABEL.services]).toBe('api,web')
    expect(service('api').dependsOn).toEqual({setup: 'completed'})
    expect(service('web').dependsOn).toEqual({api: 'healthy', setup: 'completed'})
  })

  it('publishes the routed port on 127.0.0.1 on its own host port and records the route on the entry', () => {
    const {spec, service} = plan(v2, {host: domainHost, facts: {usedPorts: [51000, 51002]}})
    expect(spec.entry.hostPort).toBe(51001)
    expect(service('api').container.ports).toEqual([
      {containerPort: 8081, protocol: 'tcp', hostPort: 51003, hostIp: '127.0.0.1'},
    ])
    expect(spec.routes).toEqual([{path: '/api/', service: 'api', containerPort: 8081, hostPort: 51003}])
    expect(JSON.parse(service('web').container.labels[LABEL.routes]!)).toEqual(spec.routes)
    expect(service('api').container.labels[LABEL.routes]).toBeUndefined()
  })

  it('renders the file with the plug variables and built-ins, leaves $NAME alone, and bind-mounts it read-only', () => {
    const {spec, service, secrets} = plan(v2, {host: {domain: 'example.com', stateDir: '/srv/aims'}})
    expect(spec.files).toEqual([
      {
        service: 'api',
        hostPath: '/srv/aims/files/acme/site/api/0-app.conf',
        containerPath: '/etc/fixture/app.conf',
        content: `url = http://site.acme.example.com\nscheme = http\ntoken = ${secrets[0]}\nshell = $HOME\n`,
        mode: 0o644,
      },
    ])
    expect(spec.filesDir).toBe('/srv/aims/files/acme/site')
    expect(service('api').container.volumes).toContainEqual({
      source: '/srv/aims/files/acme/site/api/0-app.conf',
      target: '/etc/fixture/app.conf',
      readOnly: true,
      bind: true,
    })
  })

  it('says https in AIMS_SCHEME behind TLS', () => {
    const {spec} = plan(v2, {host: {domain: 'example.com', tls: {certbotLiveDir: '/etc/letsencrypt/live/x'}}})
    expect(spec.files[0]!.content).toContain('url = https://site.acme.example.com\nscheme = https\n')
  })

  it('shows the file, the job and the route in the plan, never the rendered secret', () => {
    const {plan: shown, secrets} = plan(v2, {host: domainHost})
    const changes = shown.changes.map((change) => `${change.action} ${change.kind} ${change.name} ${change.detail}`)
    expect(changes).toContain(
      'write file /var/lib/aims/files/acme/site/api/0-app.conf api:/etc/fixture/app.conf (read-only)',
    )
    expect(changes.find((change) => change.includes('aims-acme-site-setup'))).toContain('one-shot job')
    expect(changes.find((change) => change.includes('proxy-conf'))).toContain('/api/ → api:8081')
    expect(JSON.stringify(shown)).not.toContain(secrets[0])
  })
})
