/**
 * `plug up` as data: from a catalog entry, the request and facts about the
 * host, the exact Docker objects to create, the health gate, and the eight
 * pre-flight gates (plug-up-gates.ts). Pure and deterministic (ids and secrets come in).
 */
import type {Plug, PlugService} from '../catalog/schema.js'
import {dependencyCondition, deployOrder, entryService, isJob, type DependencyCondition} from '../catalog/model.js'
import {LABEL, type ContainerSpec, type EngineHealthcheck, type Labels, type VolumeSpec} from '../engine-types.js'
import type {ResolvedHost} from '../host-target.js'
import {instanceDomain, type InstanceView} from '../instances.js'
import {
  containerName,
  formatBytes,
  formatInstanceRef,
  tenantNetworkName,
  volumeName,
  type InstanceRef,
} from '../names.js'
import {
  maskEnv,
  renderFileTemplate,
  secretKeysOf,
  serviceEnv,
  type MissingVariable,
  type ResolvedVariable,
} from './env.js'
import {preflightGates} from './plug-up-gates.js'
import type {PlugUpRequest} from './requests.js'
import type {Plan, PlanChange} from './plan.js'
import type {Prices, TenantPolicy} from './policy.js'
import {
  DEFAULT_SERVICE_RESOURCES as CATALOG_DEFAULT_RESOURCES,
  estimateMonthlyCost,
  resourceTotals,
  serviceReservation,
  sizeToBytes,
} from '../catalog/cost.js'

export const PORT_RANGE = {first: 51_000, last: 51_999} as const
/** Resources for services whose catalog entry names none (the same defaults the cost model uses). */
export const DEFAULT_SERVICE_RESOURCES = {
  cpus: CATALOG_DEFAULT_RESOURCES.cpus,
  memoryBytes: sizeToBytes(CATALOG_DEFAULT_RESOURCES.memory),
}

/** How aims decides a service is healthy. */
export type ProbeSpec =
  | {type: 'http'; path: string; port: number}
  | {type: 'tcp'; port: number}
  /** Docker's own health status (the image's HEALTHCHECK, or a catalog `command` check). */
  | {type: 'docker'}
  /** No check declared: running without restarting. */
  | {type: 'running'}

export interface ServiceDeploy {
  service: string
  container: ContainerSpec
  dependsOn: Record<string, DependencyCondition>
  probe: ProbeSpec
  entry: boolean
  /** A one-shot job (`run: once`): started, waited for until it exits 0, then removed. */
  job: boolean
}

/** A config file (v2 `files:`) rendered for one service: written on the host, bind-mounted read-only. */
export interface FileDeploy {
  service: string
  hostPath: string
  containerPath: string
  /** The rendered text (may hold secrets: written 0700-dir, never shown). */
  content: string
  mode: number
}

/** A path route (v2 `routes:`): nginx sends this prefix of the instance's name to a service's published port. */
export interface RouteDeploy {
  path: string
  service: string
  containerPort: number
  /** Published on 127.0.0.1 only: nginx on the host is the only client. */
  hostPort: number
}

export interface NetworkDeploy {
  name: string
  labels: Labels
  /** Tenant networks are shared by the tenant's instances; instance networks hold one multi-service instance. */
  scope: 'tenant' | 'instance'
  /** Already on the host: nothing to create. */
  exists: boolean
}

/** Everything apply needs. Holds real env values: never print or serialize it. */
export interface DeploySpec {
  deployId: string
  tenant: string
  instance: string
  plug: string
  networks: NetworkDeploy[]
  volumes: VolumeSpec[]
  /** In deploy order: dependencies first. */
  services: ServiceDeploy[]
  entry: {service: string; containerPort: number; hostPort: number; protocol: 'http' | 'tcp'; hostIp: string}
  healthGate: {retries: number; intervalMs: number}
  images: string[]
  localUrl: string
  domain?: string
  /** An interrupted deploy of the same instance to clean up first. */
  replacesInterrupted: boolean
  proxy: Plug['proxy']
  links: InstanceRef[]
  /** Path routes besides `/` (which goes to the entry). */
  routes: RouteDeploy[]
  /** Rendered config files, and the host dir that holds them all (removed with the instance). */
  files: FileDeploy[]
  filesDir: string
}

/** Where an instance's rendered files live on the host: one dir per tenant/instance (no name can run together). */
export const instanceFilesDir = (stateDir: string, tenant: string, instance: string) =>
  `${stateDir}/files/${tenant}/${instance}`

export interface HostFacts {
  engineVersion: string
  apiVersion: string
  memTotalBytes: number
  memAvailableBytes?: number | undefined
  diskFreeBytes?: number | undefined
  /** CPUs the engine reports (docker info NCPU). */
  hostCpus?: number | undefined
  /** Ports published by any container, listening on the host, or claimed by aims labels. */
  usedPorts: number[]
  instances: InstanceView[]
  /** What the tenant's existing containers hold (limits from inspect, disk from labels). */
  tenantUsage: {cpus: number; memoryBytes: number; diskBytes: number}
  networks: string[]
  /**
   * Who owns each existing Docker object name that aims may want: "TENANT/INSTANCE" for aims objects of an
   * instance, "TENANT/" for tenant networks, "" for objects aims did not create. Names join tenant and
   * instance with "-", so tenant a-b/instance c and tenant a/instance b-c would share them.
   */
  objectOwners?: Record<string, string>
  /** TENANT/INSTANCE refs with an interrupted deploy journal on the host. */
  interrupted: string[]
}

export interface PlugUpInput {
  plug: Plug
  plugFile: string
  request: PlugUpRequest
  env: {variables: ResolvedVariable[]; missing: MissingVariable[]}
  host: ResolvedHost
  facts: HostFacts
  policy: TenantPolicy
  prices: Prices
  deployId: string
  createdBy: string
}

export interface PlugUpPlan {
  plan: Plan
  spec: DeploySpec
  /** Estimated monthly cost of this instance. */
  monthlyCost: number
  resources: {cpus: number; memoryBytes: number; diskBytes: number}
}

/** The lowest free port of the range, or undefined when all are taken. */
export function allocateHostPort(
  used: Iterable<number>,
  range: {first: number; last: number} = PORT_RANGE,
): number | undefined {
  const taken = new Set(used)
  for (let port = range.first; port <= range.last; port++) if (!taken.has(port)) return port
  return undefined
}

export function monthlyCost(resources: {cpus: number; memoryBytes: number; diskBytes: number}, prices: Prices): number {
  return estimateMonthlyCost(resources, prices).total
}

import {formatMoney} from './resource-gates.js'
export {formatMoney}

export function probeFor(service: PlugService, entry: {port: number} | undefined): ProbeSpec {
  const health = service.health
  if (!health) return {type: 'running'}
  switch (health.type) {
    case 'http':
      return {type: 'http', path: health.path, port: health.port ?? entry?.port ?? 80}
    case 'tcp':
      return {type: 'tcp', port: health.port ?? entry?.port ?? 80}
    default:
      return {type: 'docker'}
  }
}

/** The probe recorded on a container at deploy (aims.health); "running" when absent or unreadable. */
export function probeFromLabels(labels: Record<string, string> | undefined): ProbeSpec {
  try {
    const parsed = JSON.parse(labels?.[LABEL.health] ?? '') as ProbeSpec
    return parsed && typeof parsed === 'object' && 'type' in parsed ? parsed : {type: 'running'}
  } catch {
    return {type: 'running'}
  }
}

function dockerHealthcheck(service: PlugService, intervalSeconds: number): EngineHealthcheck | undefined {
  if (service.health?.type !== 'command') return undefined
  return {
    test: ['CMD', ...service.health.command],
    intervalSeconds: Math.max(1, Math.round(intervalSeconds)),
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 0,
  }
}

export const instanceNetworkName = (tenant: string, instance: string) => `aims-i-${tenant}-${instance}`

/**
 * The plan of a plug up, in the order a deploy reads: where the instance goes
 * (names, port, URL), its services (containers, volumes, resources), its
 * networks, the spec apply follows, and the plan people see (facts, changes,
 * the eight pre-flight gates).
 */
export function buildPlugUpPlan(input: PlugUpInput): PlugUpPlan {
  const placement = placeInstance(input)
  const {services, volumes, resources} = serviceDeploys(input, placement)
  const networks = networkDeploys(input, placement)
  const cost = monthlyCost(resources, input.prices)
  const spec = deploySpec(input, placement, {services, volumes, networks})
  const plan: Plan = {
    action: 'plug-up',
    summary: `Deploy ${input.plug.id} as ${placement.target} on ${input.host.name}`,
    host: input.host.name,
    target: placement.target,
    destructive: false,
    facts: planFacts(input, placement, spec, resources, cost),
    changes: planChanges(input, placement, spec),
    gates: preflightGates(input, {
      hostPort: placement.hostPort,
      resources,
      cost,
      target: placement.target,
      largestContainerCpus: Math.max(0, ...services.map((service) => (service.container.nanoCpus ?? 0) / 1e9)),
    }),
  }
  return {plan, spec, monthlyCost: cost, resources}
}

/** Where the instance goes: its names, entry port and address, URL, and the variables every service gets. */
interface Placement {
  target: string
  entry: ReturnType<typeof entryService>
  /** Services in deploy order: dependencies first. */
  order: string[]
  multiService: boolean
  tenantNetwork: string
  instanceNetwork: string
  domain: string | undefined
  /** The lowest free port (apply re-checks it under the host lock); undefined when none is free. */
  hostPort: number | undefined
  hostIp: string
  /** Host ports of routed service ports (service:port → host port), besides the entry's. */
  routePorts: Map<string, number>
  builtins: Record<string, string>
}

const routeKey = (service: string, port: number) => `${service}:${port}`

/** One host port per routed service port; a route to the entry's own port reuses the entry's host port. */
function allocateRoutePorts(plug: Plug, used: number[], entry: {name: string; port: number}, entryPort?: number) {
  const ports = new Map<string, number>()
  const taken = [...used, ...(entryPort ? [entryPort] : [])]
  for (const route of plug.routes) {
    const key = routeKey(route.service, route.port)
    if (ports.has(key)) continue
    if (route.service === entry.name && route.port === entry.port && entryPort) {
      ports.set(key, entryPort)
      continue
    }
    const port = allocateHostPort(taken)
    if (port === undefined) continue
    taken.push(port)
    ports.set(key, port)
  }
  return ports
}

function placeInstance(input: PlugUpInput): Placement {
  const {plug, request, facts, host} = input
  const {ref} = request
  const domain = instanceDomain(ref, host.domain, request.domain)
  const hostPort = allocateHostPort(facts.usedPorts)
  const order = deployOrder(plug)
  const entry = entryService(plug)
  const scheme = domain && host.tls ? 'https' : 'http'
  return {
    target: formatInstanceRef(ref),
    entry,
    order,
    multiService: order.length > 1,
    tenantNetwork: tenantNetworkName(ref.tenant),
    instanceNetwork: instanceNetworkName(ref.tenant, ref.instance),
    domain,
    hostPort,
    hostIp: request.expose ? '0.0.0.0' : '127.0.0.1',
    routePorts: allocateRoutePorts(plug, facts.usedPorts, entry, hostPort),
    builtins: {
      AIMS_URL: domain ? `${scheme}://${domain}` : `http://127.0.0.1:${hostPort ?? 0}`,
      AIMS_SCHEME: scheme,
      AIMS_HOST: domain ?? '127.0.0.1',
      AIMS_DOMAIN: domain ?? '',
      AIMS_PORT: String(hostPort ?? 0),
      AIMS_TENANT: ref.tenant,
      AIMS_INSTANCE: ref.instance,
      AIMS_PLUG: plug.id,
    },
  }
}

/** The labels every object of this deploy carries. */
function baseLabels(input: PlugUpInput, service: string): Labels {
  const {ref} = input.request
  return {
    [LABEL.managed]: 'true',
    [LABEL.tenant]: ref.tenant,
    [LABEL.instance]: ref.instance,
    [LABEL.plug]: input.plug.id,
    [LABEL.service]: service,
    [LABEL.createdBy]: input.createdBy,
    [LABEL.deployId]: input.deployId,
  }
}

/** Every service's container, its volumes, and what they all reserve together. */
function serviceDeploys(
  input: PlugUpInput,
  placement: Placement,
): {services: ServiceDeploy[]; volumes: VolumeSpec[]; resources: PlugUpPlan['resources']} {
  const {request} = input
  const override = {service: placement.entry.name, cpus: request.cpus, memoryBytes: request.memoryBytes}
  const volumes: VolumeSpec[] = []
  const services = placement.order.map((name) => {
    const service = input.plug.services[name]!
    const resources = serviceReservation(service, name === override.service ? override : {})
    for (const volume of service.volumes) {
      // A volume shared by several services is created once, labelled with the first that mounts it.
      if (volumes.some((known) => known.labels['aims.volume'] === volume.name)) continue
      volumes.push({
        name: volumeName(input.request.ref.tenant, input.request.ref.instance, volume.name),
        labels: {...baseLabels(input, name), 'aims.volume': volume.name},
      })
    }
    return serviceDeploy(input, placement, name, resources)
  })
  // What the instance reserves in all: the sum catalog ls prices too (one cost model).
  const {cpus, memoryBytes, diskBytes} = resourceTotals(input.plug, override)
  return {services, volumes, resources: {cpus, memoryBytes, diskBytes}}
}

function serviceDeploy(
  input: PlugUpInput,
  placement: Placement,
  name: string,
  resources: {cpus: number; memoryBytes: number},
): ServiceDeploy {
  const {plug, request} = input
  const {tenant, instance} = request.ref
  const service = plug.services[name]!
  const isEntry = name === placement.entry.name
  const probe = probeFor(service, isEntry ? {port: placement.entry.port} : undefined)
  const healthcheck = dockerHealthcheck(service, plug.health_gate.interval_seconds)
  const job = isJob(service)
  const routed = [...new Set(plug.routes.filter((route) => route.service === name).map((route) => route.port))]
    .filter((port) => !(isEntry && port === placement.entry.port))
    .map((port) => ({
      containerPort: port,
      protocol: 'tcp' as const,
      hostPort: placement.routePorts.get(routeKey(name, port)) ?? 0,
      hostIp: '127.0.0.1',
    }))
  const container: ContainerSpec = {
    name: containerName(tenant, instance, name),
    image: service.image,
    ...(service.command ? {command: service.command} : {}),
    ...(service.entrypoint ? {entrypoint: service.entrypoint} : {}),
    env: serviceEnv(plug, name, input.env.variables, placement.builtins),
    labels: serviceLabels(input, placement, name, probe),
    networks: serviceNetworks(placement, instance, name, isEntry),
    ports: isEntry
      ? [
          {
            containerPort: placement.entry.port,
            protocol: 'tcp',
            hostPort: placement.hostPort ?? 0,
            hostIp: placement.hostIp,
          },
          ...routed,
        ]
      : routed,
    exposedPorts: service.ports.map((port) => ({containerPort: port, protocol: 'tcp' as const})),
    volumes: [
      ...service.volumes.map((volume) => ({
        source: volumeName(tenant, instance, volume.name),
        target: volume.path,
      })),
      ...filesOf(input, name).map((file) => ({
        source: file.hostPath,
        target: file.containerPath,
        readOnly: true,
        bind: true,
      })),
    ],
    // A job runs once: restarting it would run a migration twice.
    restartPolicy: job ? 'no' : 'unless-stopped',
    // Busybox and many app images ignore SIGTERM as PID 1: an init forwards it.
    init: true,
    memoryBytes: resources.memoryBytes,
    nanoCpus: Math.round(resources.cpus * 1e9),
    ...(healthcheck ? {healthcheck} : {}),
    ...(service.user ? {user: service.user} : {}),
    ...(service.working_dir ? {workingDir: service.working_dir} : {}),
    ...(service.tmpfs ? {tmpfs: service.tmpfs} : {}),
    stopTimeoutSeconds: service.stop_grace_seconds ?? 10,
  }
  return {
    service: name,
    container,
    dependsOn: Object.fromEntries(
      Object.entries(service.depends_on).map(([dependency, condition]) => [dependency, dependencyCondition(condition)]),
    ),
    probe,
    entry: isEntry,
    job,
  }
}

/** The rendered files of one service (or of all services), at their host paths. */
export function filesOf(input: PlugUpInput, only?: string): FileDeploy[] {
  const {plug, request, host} = input
  const dir = instanceFilesDir(host.stateDir, request.ref.tenant, request.ref.instance)
  const builtins = placeInstance(input).builtins
  return Object.entries(plug.services)
    .filter(([name]) => only === undefined || name === only)
    .flatMap(([name, service]) =>
      service.files.map((file, index) => ({
        service: name,
        // The index keeps two files of one basename apart; the name is reduced to plain characters.
        hostPath: `${dir}/${name}/${index}-${(file.path.split('/').pop() ?? 'file').replace(/[^A-Za-z0-9._-]/g, '_')}`,
        containerPath: file.path,
        content: renderFileTemplate(plug, file.template, input.env.variables, builtins),
        mode: Number.parseInt(file.mode, 8),
      })),
    )
}

/** A container's labels: what aims reads back from the engine (the engine is the source of truth). */
function serviceLabels(input: PlugUpInput, placement: Placement, name: string, probe: ProbeSpec): Labels {
  const {plug, request} = input
  const isEntry = name === placement.entry.name
  const secretKeys = secretKeysOf(plug, name, input.env.variables)
  return {
    ...baseLabels(input, name),
    [LABEL.replica]: '1',
    // Jobs are removed once done: they are not part of what a complete instance runs.
    [LABEL.services]: placement.order.filter((service) => !isJob(plug.services[service]!)).join(','),
    ...(isJob(plug.services[name]!) ? {[LABEL.job]: 'true'} : {}),
    [LABEL.plugVersion]: String(plug.version),
    ...(secretKeys.length > 0 ? {[LABEL.secretKeys]: secretKeys.join(',')} : {}),
    ...(isEntry
      ? {
          [LABEL.entry]: 'true',
          [LABEL.port]: String(placement.hostPort ?? 0),
          [LABEL.diskEstimate]: String(resourceTotals(plug).diskBytes),
        }
      : {}),
    ...(isEntry && placement.domain ? {[LABEL.domain]: placement.domain} : {}),
    ...(isEntry && plug.routes.length > 0 ? {[LABEL.routes]: JSON.stringify(routeDeploys(plug, placement))} : {}),
    ...(isEntry && request.expose ? {[LABEL.exposed]: 'true'} : {}),
    ...(isEntry && request.links.length > 0 ? {[LABEL.links]: request.links.map(formatInstanceRef).join(',')} : {}),
    [LABEL.health]: JSON.stringify(probe),
    [LABEL.healthBudget]: String(Math.round(plug.health_gate.retries * plug.health_gate.interval_seconds * 1000)),
  }
}

/** A multi-service instance has a network of its own; the tenant network carries the entry's name. */
function serviceNetworks(placement: Placement, instance: string, name: string, isEntry: boolean) {
  if (!placement.multiService) return [{name: placement.tenantNetwork, aliases: [instance, `${instance}-${name}`]}]
  return [
    {name: placement.instanceNetwork, aliases: [name]},
    {name: placement.tenantNetwork, aliases: isEntry ? [instance, `${instance}-${name}`] : [`${instance}-${name}`]},
  ]
}

function routeDeploys(plug: Plug, placement: Placement): RouteDeploy[] {
  return plug.routes.map((route) => ({
    path: route.path,
    service: route.service,
    containerPort: route.port,
    hostPort: placement.routePorts.get(routeKey(route.service, route.port)) ?? 0,
  }))
}

function networkDeploys(input: PlugUpInput, placement: Placement): NetworkDeploy[] {
  const networkLabels = (scope: 'tenant' | 'instance'): Labels => ({
    [LABEL.managed]: 'true',
    [LABEL.tenant]: input.request.ref.tenant,
    ...(scope === 'instance' ? {[LABEL.instance]: input.request.ref.instance, [LABEL.plug]: input.plug.id} : {}),
    [LABEL.createdBy]: input.createdBy,
    [LABEL.deployId]: input.deployId,
    'aims.network-scope': scope,
  })
  const networks: NetworkDeploy[] = [
    {
      name: placement.tenantNetwork,
      labels: networkLabels('tenant'),
      scope: 'tenant',
      exists: input.facts.networks.includes(placement.tenantNetwork),
    },
  ]
  if (placement.multiService)
    networks.push({
      name: placement.instanceNetwork,
      labels: networkLabels('instance'),
      scope: 'instance',
      exists: input.facts.networks.includes(placement.instanceNetwork),
    })
  return networks
}

function deploySpec(
  input: PlugUpInput,
  placement: Placement,
  parts: {services: ServiceDeploy[]; volumes: VolumeSpec[]; networks: NetworkDeploy[]},
): DeploySpec {
  const {plug, request} = input
  const {entry, hostPort, hostIp, domain} = placement
  return {
    deployId: input.deployId,
    tenant: request.ref.tenant,
    instance: request.ref.instance,
    plug: plug.id,
    networks: parts.networks,
    volumes: parts.volumes,
    services: parts.services,
    entry: {service: entry.name, containerPort: entry.port, hostPort: hostPort ?? 0, protocol: entry.protocol, hostIp},
    healthGate: {retries: plug.health_gate.retries, intervalMs: Math.round(plug.health_gate.interval_seconds * 1000)},
    images: [...new Set(parts.services.map((service) => service.container.image))],
    localUrl: `http://127.0.0.1:${hostPort ?? 0}/`,
    ...(domain ? {domain} : {}),
    replacesInterrupted: input.facts.interrupted.includes(placement.target),
    proxy: plug.proxy,
    links: request.links,
    routes: routeDeploys(plug, placement),
    files: filesOf(input),
    filesDir: instanceFilesDir(input.host.stateDir, request.ref.tenant, request.ref.instance),
  }
}

/** What the plan will change, in the order apply changes it. */
function planChanges(input: PlugUpInput, placement: Placement, spec: DeploySpec): PlanChange[] {
  const {tenant, instance} = input.request.ref
  const {target, domain, entry, hostIp, hostPort} = placement
  return [
    ...(spec.replacesInterrupted
      ? [
          {
            action: 'remove' as const,
            kind: 'instance' as const,
            name: target,
            detail: 'leftovers of an interrupted deploy',
          },
        ]
      : []),
    ...spec.images.map((image) => ({
      action: 'pull' as const,
      kind: 'image' as const,
      name: image,
      detail: 'if missing on the host',
    })),
    ...spec.networks
      .filter((network) => !network.exists)
      .map((network) => ({
        action: 'create' as const,
        kind: 'network' as const,
        name: network.name,
        detail: `${network.scope} network`,
      })),
    ...spec.volumes.map((volume) => ({action: 'create' as const, kind: 'volume' as const, name: volume.name})),
    ...spec.files.map((file) => ({
      action: 'write' as const,
      kind: 'file' as const,
      name: file.hostPath,
      detail: `${file.service}:${file.containerPath} (read-only)`,
    })),
    ...spec.services.map((service) => ({
      action: 'create' as const,
      kind: 'container' as const,
      name: service.container.name,
      detail:
        `${service.container.image}${service.entry ? `, ${hostIp}:${hostPort ?? '?'} → ${entry.port}` : ''}` +
        (service.job ? ', one-shot job: must exit 0, then removed' : ''),
    })),
    ...(domain && entry.protocol === 'http'
      ? [
          {
            action: 'write' as const,
            kind: 'proxy-conf' as const,
            name: `${tenant}-${instance}.conf`,
            detail:
              `nginx routes ${domain} → 127.0.0.1:${hostPort ?? '?'}` +
              spec.routes.map((route) => `, ${route.path} → ${route.service}:${route.containerPort}`).join(''),
          },
        ]
      : []),
    ...input.request.links.map((link) => ({
      action: 'connect' as const,
      kind: 'network' as const,
      name: `aims-l-${tenant}-${instance}--${link.tenant}-${link.instance}`,
      detail: `lets ${target} reach ${formatInstanceRef(link)} (cross-tenant link)`,
    })),
  ]
}

/** What people read before they confirm: the plug, each service, port, URL, resources, cost, env (masked). */
function planFacts(
  input: PlugUpInput,
  placement: Placement,
  spec: DeploySpec,
  resources: PlugUpPlan['resources'],
  cost: number,
): Plan['facts'] {
  const {plug, host} = input
  const {domain, entry, hostIp, hostPort} = placement
  const serviceFact = (service: ServiceDeploy) => {
    const after = Object.entries(service.dependsOn)
      .map(([name, condition]) => `${name} (${condition})`)
      .join(', ')
    const limits = `${(service.container.nanoCpus ?? 0) / 1e9} CPU, ${formatBytes(service.container.memoryBytes ?? 0)}`
    return {
      label: `service ${service.service}`,
      value: `${service.container.image}, ${limits}${after ? `, after ${after}` : ''}`,
    }
  }
  const envFact = (service: ServiceDeploy) => {
    const masked = maskEnv(service.container.env, service.container.labels[LABEL.secretKeys]?.split(',') ?? [])
    const shownEnv = Object.entries(masked)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')
    return {label: `env ${service.service}`, value: shownEnv || '(none)'}
  }
  const size = `${formatBytes(resources.memoryBytes)} memory, ${formatBytes(resources.diskBytes)} disk`
  return [
    {label: 'plug', value: `${plug.name} (${plug.id} v${plug.version})`},
    ...spec.services.map(serviceFact),
    {label: 'port', value: hostPort ? `${hostIp}:${hostPort} → ${entry.name}:${entry.port}` : 'none free'},
    {
      label: 'url',
      value: domain
        ? `${host.tls ? 'https' : 'http'}://${domain}/ (and ${spec.localUrl} on the host)`
        : `${spec.localUrl} (on the host)`,
    },
    {label: 'resources', value: `${resources.cpus} CPU, ${size}`},
    {label: 'cost', value: `${formatMoney(cost, input.prices.currency)}/month (estimate)`},
    ...spec.services.map(envFact),
  ]
}
