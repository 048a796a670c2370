import {describe, expect, it} from 'vitest'
import {LABEL, type ContainerState, type ContainerSummary, type HealthStatus} from '../../../src/core/engine-types.js'
import {findInstance, groupInstances, instanceDomain} from '../../../src/core/instances.js'

let ids = 0

/** A container of instance TENANT/INSTANCE as `docker ps` lists it. */
function member(
  ref: string,
  service: string,
  options: {
    state?: ContainerState
    health?: HealthStatus
    entry?: boolean
    port?: number
    replica?: number
    services?: string
    labels?: Record<string, string>
    created?: number
  } = {},
): ContainerSummary {
  const [tenant, instance] = ref.split('/') as [string, string]
  const replica = options.replica ?? 1
  ids++
  return {
    id: `id${ids}`,
    name: `aims-${tenant}-${instance}-${service}${replica > 1 ? `-${replica}` : ''}`,
    image: 'example/app:1',
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: tenant,
      [LABEL.instance]: instance,
      [LABEL.plug]: 'app',
      [LABEL.service]: service,
      [LABEL.replica]: String(replica),
      [LABEL.services]: options.services ?? service,
      [LABEL.deployId]: 'd1',
      [LABEL.createdBy]: 'me@laptop',
      ...(options.entry ? {[LABEL.entry]: 'true'} : {}),
      ...(options.port ? {[LABEL.port]: String(options.port)} : {}),
      ...options.labels,
    },
    state: options.state ?? 'running',
    status: 'Up',
    created: new Date(options.created ?? 1_700_000_000_000),
    ports: [],
    health: options.health ?? 'none',
    networks: [],
  }
}

const stack = (states: {front?: ContainerState; back?: ContainerState}, ref = 'acme/shop') => [
  ...(states.front
    ? [member(ref, 'front', {state: states.front, entry: true, port: 51000, services: 'back,front'})]
    : []),
  ...(states.back ? [member(ref, 'back', {state: states.back, services: 'back,front'})] : []),
]

describe('groupInstances', () => {
  it('groups containers by tenant and instance, sorted by tenant then instance', () => {
    const views = groupInstances([
      member('zeta/a', 'web', {entry: true}),
      member('acme/web', 'web', {entry: true}),
      member('acme/api', 'web', {entry: true}),
      ...stack({front: 'running', back: 'running'}),
    ])
    expect(views.map((view) => view.ref)).toEqual(['acme/api', 'acme/shop', 'acme/web', 'zeta/a'])
    expect(findInstance(views, {tenant: 'acme', instance: 'shop'})?.replicas).toHaveLength(2)
    expect(findInstance(views, {tenant: 'acme', instance: 'nope'})).toBeUndefined()
  })

  it('ignores containers aims does not manage or that lack tenant/instance labels', () => {
    const foreign = {...member('acme/web', 'web'), labels: {'com.example': 'x'}}
    const unmanaged = {
      ...member('acme/web', 'web'),
      labels: {...member('acme/web', 'web').labels, [LABEL.managed]: 'false'},
    }
    const noInstance = member('acme/web', 'web')
    delete noInstance.labels[LABEL.instance]
    expect(groupInstances([foreign, unmanaged, noInstance])).toEqual([])
  })

  describe('status', () => {
    it.each([
      ['running', {front: 'running', back: 'running'}, 'running'],
      ['partial when a declared service is missing', {front: 'running'}, 'partial'],
      ['partial when some services run and others stopped', {front: 'running', back: 'exited'}, 'partial'],
      ['stopped when all exited', {front: 'exited', back: 'exited'}, 'stopped'],
      ['stopped when exited and created', {front: 'exited', back: 'created'}, 'stopped'],
      ['restarting when any restarts', {front: 'running', back: 'restarting'}, 'restarting'],
      ['created when nothing started yet', {front: 'created', back: 'created'}, 'created'],
      ['failed when a container is dead', {front: 'running', back: 'dead'}, 'failed'],
      ['failed when dead and exited', {front: 'exited', back: 'dead'}, 'failed'],
    ] as const)('%s', (_name, states, status) => {
      expect(groupInstances(stack(states))[0]?.status).toBe(status)
    })

    it('uses the services present when the services label is missing', () => {
      const lone = member('acme/web', 'web', {entry: true})
      delete lone.labels[LABEL.services]
      expect(groupInstances([lone])[0]).toMatchObject({status: 'running', declaredServices: []})
    })
  })

  describe('health', () => {
    it('comes from the entry service only', () => {
      const views = groupInstances([
        member('acme/shop', 'front', {entry: true, health: 'healthy', services: 'back,front'}),
        member('acme/shop', 'back', {health: 'unhealthy', services: 'back,front'}),
      ])
      expect(views[0]?.health).toBe('healthy')
    })

    it.each([
      ['healthy', 'healthy'],
      ['unhealthy', 'unhealthy'],
      ['starting', 'starting'],
      ['none', 'unknown'],
    ] as const)('Docker health %s → %s', (docker, health) => {
      expect(groupInstances([member('acme/web', 'web', {entry: true, health: docker})])[0]?.health).toBe(health)
    })

    it('is unknown without an entry container', () => {
      expect(groupInstances(stack({back: 'running'}))[0]?.health).toBe('unknown')
    })
  })

  describe('URLs', () => {
    it('gives the local URL from the entry port', () => {
      const [view] = groupInstances([member('acme/web', 'web', {entry: true, port: 51003})])
      expect(view).toMatchObject({hostPort: 51003, localUrl: 'http://127.0.0.1:51003/'})
      expect(view?.domainUrl).toBeUndefined()
    })

    it('has no port or local URL without an entry port label', () => {
      const [view] = groupInstances([member('acme/web', 'web', {entry: true})])
      expect(view?.hostPort).toBeUndefined()
      expect(view?.localUrl).toBeUndefined()
    })

    it('derives INSTANCE.TENANT.DOMAIN from the host domain, over http, or https with TLS', () => {
      const containers = [member('acme/web', 'web', {entry: true, port: 51000})]
      expect(groupInstances(containers, {domain: 'example.com'})[0]).toMatchObject({
        domain: 'web.acme.example.com',
        domainUrl: 'http://web.acme.example.com/',
      })
      expect(groupInstances(containers, {domain: 'example.com', tls: true})[0]?.domainUrl).toBe(
        'https://web.acme.example.com/',
      )
    })

    it('prefers the domain label of the instance (an explicit --domain)', () => {
      const containers = [
        member('acme/web', 'web', {entry: true, port: 51000, labels: {[LABEL.domain]: 'www.shop.example'}}),
      ]
      expect(groupInstances(containers, {domain: 'example.com'})[0]).toMatchObject({
        domain: 'www.shop.example',
        domainUrl: 'http://www.shop.example/',
      })
      expect(groupInstances(containers)[0]?.domain).toBe('www.shop.example')
    })

    it('instanceDomain: explicit, else derived, else none', () => {
      expect(instanceDomain({tenant: 't', instance: 'i'}, 'example.com', 'x.example.org')).toBe('x.example.org')
      expect(instanceDomain({tenant: 't', instance: 'i'}, 'example.com')).toBe('i.t.example.com')
      expect(instanceDomain({tenant: 't', instance: 'i'})).toBeUndefined()
    })
  })

  it('orders replicas entry first, then by service, then by replica number; health and port from replica 1', () => {
    const containers = [
      member('acme/web', 'worker', {services: 'web,worker'}),
      member('acme/web', 'web', {entry: true, port: 51002, replica: 3, health: 'unhealthy', services: 'web,worker'}),
      member('acme/web', 'web', {entry: true, port: 51000, replica: 1, health: 'healthy', services: 'web,worker'}),
      member('acme/web', 'cache', {services: 'web,worker'}),
      member('acme/web', 'web', {entry: true, port: 51001, replica: 2, services: 'web,worker'}),
    ]
    const [view] = groupInstances(containers)
    expect(view?.replicas.map((replica) => `${replica.service}#${replica.replica}`)).toEqual([
      'web#1',
      'web#2',
      'web#3',
      'cache#1',
      'worker#1',
    ])
    expect(view).toMatchObject({hostPort: 51000, health: 'healthy'})
    expect(view?.replicas[1]).toMatchObject({hostPort: 51001, entry: true, containerName: 'aims-acme-web-web-2'})
  })

  it('unions the secret keys of all services, sorted and without duplicates', () => {
    const containers = [
      member('acme/shop', 'front', {entry: true, labels: {[LABEL.secretKeys]: 'SESSION_SECRET,API_KEY'}}),
      member('acme/shop', 'back', {labels: {[LABEL.secretKeys]: 'DB_PASSWORD,API_KEY'}}),
    ]
    expect(groupInstances(containers)[0]?.secretKeys).toEqual(['API_KEY', 'DB_PASSWORD', 'SESSION_SECRET'])
  })

  it('reads plug, links, exposure, creator, deploy id and the oldest creation time', () => {
    const containers = [
      member('acme/web', 'web', {
        entry: true,
        created: 2000,
        labels: {[LABEL.links]: 'data/db,ops/cache', [LABEL.exposed]: 'true'},
      }),
      member('acme/web', 'side', {created: 1000}),
    ]
    expect(groupInstances(containers)[0]).toMatchObject({
      plug: 'app',
      links: ['data/db', 'ops/cache'],
      exposed: true,
      createdBy: 'me@laptop',
      deployId: 'd1',
      createdAt: new Date(1000),
    })
    expect(groupInstances([member('acme/x', 'web', {entry: true})])[0]).toMatchObject({links: [], exposed: false})
  })
})
