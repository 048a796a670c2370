/**
 * `plug up` as data: from a catalog entry, the request and facts about the
 * host, the exact Docker objects to create, the health gate, and the eight
 * pre-flight gates. Pure and deterministic (ids and secrets come in).
 */
import type {Plug, PlugService} from '../catalog/schema.js'
import {dependencyCondition, deployOrder, entryService} from '../catalog/model.js'
import {LABEL, type ContainerSpec, type EngineHealthcheck, type Labels, type VolumeSpec} from '../engine-types.js'
import {ExitCode} from '../errors.js'
import type {ResolvedHost} from '../host-target.js'
import {findInstance, instanceDomain, type InstanceView} from '../instances.js'
import {
  containerName,
  domainClaimProblem,
  formatBytes,
  formatInstanceRef,
  tenantNetworkName,
  volumeName,
  type InstanceRef,
} from '../names.js'
import {maskEnv, secretKeysOf, serviceEnv, type MissingVariable, type ResolvedVariable} from './env.js'
import type {GateCheck, Plan, PlanChange} from './plan.js'
import {tierRank, type Prices, type TenantPolicy} from './policy.js'
import {
  DEFAULT_SERVICE_RESOURCES as CATALOG_DEFAULT_RESOURCES,
  DEFAULT_VOLUME_SIZE,
  estimateMonthlyCost,
  sizeToBytes,
} from '../catalog/cost.js'

export const PORT_RANGE = {first: 51_000, last: 51_999} as const
/** Resources for services whose catalog entry names none (the same defaults the cost model uses). */
export const DEFAULT_SERVICE_RESOURCES = {
  cpus: CATALOG_DEFAULT_RESOURCES.cpus,
  memoryBytes: sizeToBytes(CATALOG_DEFAULT_RESOURCES.memory),
}
/** Disk assumed for a volume without a size. */
export const DEFAULT_VOLUME_BYTES = sizeToBytes(DEFAULT_VOLUME_SIZE)

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
  dependsOn: Record<string, 'started' | 'healthy'>
  probe: ProbeSpec
  entry: boolean
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
}

export interface HostFacts {
  engineVersion: string
  apiVersion: string
  memTotalBytes: number
  memAvailableBytes?: number
  diskFreeBytes?: number
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

export interface PlugUpRequest {
  tenant: string
  instance: string
  cpus?: number
  memoryBytes?: number
  domain?: string
  expose: boolean
  links: InstanceRef[]
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

export function parseSize(text: string | undefined): number | undefined {
  if (!text) return undefined
  try {
    return sizeToBytes(text)
  } catch {
    return undefined
  }
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

export function formatMoney(amount: number, currency: string): string {
  return `${currency} ${amount.toFixed(2)}`
}

function serviceResources(
  service: PlugService,
  entry: boolean,
  request: PlugUpRequest,
): {cpus: number; memoryBytes: number} {
  const catalogMemory = parseSize(service.resources.memory)
  return {
    cpus: (entry ? request.cpus : undefined) ?? service.resources.cpus ?? DEFAULT_SERVICE_RESOURCES.cpus,
    memoryBytes: (entry ? request.memoryBytes : undefined) ?? catalogMemory ?? DEFAULT_SERVICE_RESOURCES.memoryBytes,
  }
}

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

/** Disk the plug's volumes are expected to use (sizes from the catalog, or a default). */
export function totalDiskFor(plug: Plug): number {
  return Object.values(plug.services).reduce(
    (sum, service) =>
      sum + service.volumes.reduce((total, volume) => total + (parseSize(volume.size) ?? DEFAULT_VOLUME_BYTES), 0),
    0,
  )
}

export const instanceNetworkName = (tenant: string, instance: string) => `aims-i-${tenant}-${instance}`

export function buildPlugUpPlan(input: PlugUpInput): PlugUpPlan {
  const {plug, request, facts, host} = input
  const ref = {tenant: request.tenant, instance: request.instance}
  const target = formatInstanceRef(ref)
  const entry = entryService(plug)
  const order = deployOrder(plug)
  const multiService = order.length > 1
  const tenantNetwork = tenantNetworkName(request.tenant)
  const instanceNetwork = instanceNetworkName(request.tenant, request.instance)
  const domain = instanceDomain(ref, host.domain, request.domain)

  // Port: the lowest free one; apply re-checks under the host lock.
  const hostPort = allocateHostPort(facts.usedPorts)
  const hostIp = request.expose ? '0.0.0.0' : '127.0.0.1'
  const variables = input.env.variables
  const builtins: Record<string, string> = {
    AIMS_URL: domain ? `${host.tls ? 'https' : 'http'}://${domain}` : `http://127.0.0.1:${hostPort ?? 0}`,
    AIMS_HOST: domain ?? '127.0.0.1',
    AIMS_DOMAIN: domain ?? '',
    AIMS_PORT: String(hostPort ?? 0),
    AIMS_TENANT: request.tenant,
    AIMS_INSTANCE: request.instance,
    AIMS_PLUG: plug.id,
  }

  const baseLabels = (service: string): Labels => ({
    [LABEL.managed]: 'true',
    [LABEL.tenant]: request.tenant,
    [LABEL.instance]: request.instance,
    [LABEL.plug]: plug.id,
    [LABEL.service]: service,
    [LABEL.createdBy]: input.createdBy,
    [LABEL.deployId]: input.deployId,
  })

  const volumes: VolumeSpec[] = []
  let totalCpus = 0
  let totalMemory = 0
  let totalDisk = 0
  const services: ServiceDeploy[] = order.map((name) => {
    const service = plug.services[name]!
    const isEntry = name === entry.name
    const resources = serviceResources(service, isEntry, request)
    totalCpus += resources.cpus
    totalMemory += resources.memoryBytes
    for (const volume of service.volumes) {
      totalDisk += parseSize(volume.size) ?? DEFAULT_VOLUME_BYTES
      volumes.push({
        name: volumeName(request.tenant, request.instance, volume.name),
        labels: {...baseLabels(name), 'aims.volume': volume.name},
      })
    }
    const secretKeys = secretKeysOf(plug, name, variables)
    const labels: Labels = {
      ...baseLabels(name),
      [LABEL.replica]: '1',
      [LABEL.services]: order.join(','),
      [LABEL.plugVersion]: String(plug.version),
      ...(secretKeys.length > 0 ? {[LABEL.secretKeys]: secretKeys.join(',')} : {}),
      ...(isEntry
        ? {[LABEL.entry]: 'true', [LABEL.port]: String(hostPort ?? 0), [LABEL.diskEstimate]: String(totalDiskFor(plug))}
        : {}),
      ...(isEntry && domain ? {[LABEL.domain]: domain} : {}),
      ...(isEntry && request.expose ? {[LABEL.exposed]: 'true'} : {}),
      ...(isEntry && request.links.length > 0 ? {[LABEL.links]: request.links.map(formatInstanceRef).join(',')} : {}),
    }
    const probe = probeFor(service, isEntry ? {port: entry.port} : undefined)
    labels[LABEL.health] = JSON.stringify(probe)
    labels[LABEL.healthBudget] = String(Math.round(plug.health_gate.retries * plug.health_gate.interval_seconds * 1000))
    const networks = multiService
      ? [
          {name: instanceNetwork, aliases: [name]},
          {
            name: tenantNetwork,
            aliases: isEntry ? [request.instance, `${request.instance}-${name}`] : [`${request.instance}-${name}`],
          },
        ]
      : [{name: tenantNetwork, aliases: [request.instance, `${request.instance}-${name}`]}]
    const container: ContainerSpec = {
      name: containerName(request.tenant, request.instance, name),
      image: service.image,
      ...(service.command ? {command: service.command} : {}),
      ...(service.entrypoint ? {entrypoint: service.entrypoint} : {}),
      env: serviceEnv(plug, name, variables, builtins),
      labels,
      networks,
      ports: isEntry ? [{containerPort: entry.port, protocol: 'tcp', hostPort: hostPort ?? 0, hostIp}] : [],
      exposedPorts: service.ports.map((port) => ({containerPort: port, protocol: 'tcp' as const})),
      volumes: service.volumes.map((volume) => ({
        source: volumeName(request.tenant, request.instance, volume.name),
        target: volume.path,
      })),
      restartPolicy: 'unless-stopped',
      // Busybox and many app images ignore SIGTERM as PID 1: an init forwards it.
      init: true,
      memoryBytes: resources.memoryBytes,
      nanoCpus: Math.round(resources.cpus * 1e9),
      ...(dockerHealthcheck(service, plug.health_gate.interval_seconds)
        ? {healthcheck: dockerHealthcheck(service, plug.health_gate.interval_seconds)}
        : {}),
      ...(service.user ? {user: service.user} : {}),
      ...(service.working_dir ? {workingDir: service.working_dir} : {}),
      ...(service.tmpfs ? {tmpfs: service.tmpfs} : {}),
      stopTimeoutSeconds: service.stop_grace_seconds ?? 10,
    }
    return {
      service: name,
      container,
      dependsOn: Object.fromEntries(
        Object.entries(service.depends_on).map(([dependency, condition]) => [
          dependency,
          dependencyCondition(condition),
        ]),
      ),
      probe,
      entry: isEntry,
    }
  })

  const networkLabels = (scope: 'tenant' | 'instance'): Labels => ({
    [LABEL.managed]: 'true',
    [LABEL.tenant]: request.tenant,
    ...(scope === 'instance' ? {[LABEL.instance]: request.instance, [LABEL.plug]: plug.id} : {}),
    [LABEL.createdBy]: input.createdBy,
    [LABEL.deployId]: input.deployId,
    'aims.network-scope': scope,
  })
  const networks: NetworkDeploy[] = [
    {
      name: tenantNetwork,
      labels: networkLabels('tenant'),
      scope: 'tenant',
      exists: facts.networks.includes(tenantNetwork),
    },
  ]
  if (multiService)
    networks.push({
      name: instanceNetwork,
      labels: networkLabels('instance'),
      scope: 'instance',
      exists: facts.networks.includes(instanceNetwork),
    })

  const resources = {cpus: Math.round(totalCpus * 100) / 100, memoryBytes: totalMemory, diskBytes: totalDisk}
  const cost = monthlyCost(resources, input.prices)
  const replacesInterrupted = facts.interrupted.includes(target)
  const spec: DeploySpec = {
    deployId: input.deployId,
    tenant: request.tenant,
    instance: request.instance,
    plug: plug.id,
    networks,
    volumes,
    services,
    entry: {service: entry.name, containerPort: entry.port, hostPort: hostPort ?? 0, protocol: entry.protocol, hostIp},
    healthGate: {retries: plug.health_gate.retries, intervalMs: Math.round(plug.health_gate.interval_seconds * 1000)},
    images: [...new Set(services.map((service) => service.container.image))],
    localUrl: `http://127.0.0.1:${hostPort ?? 0}/`,
    ...(domain ? {domain} : {}),
    replacesInterrupted,
    proxy: plug.proxy,
    links: request.links,
  }

  const gates = preflightGates(input, {hostPort, resources, cost, target})
  const changes: PlanChange[] = [
    ...(replacesInterrupted
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
    ...networks
      .filter((network) => !network.exists)
      .map((network) => ({
        action: 'create' as const,
        kind: 'network' as const,
        name: network.name,
        detail: `${network.scope} network`,
      })),
    ...volumes.map((volume) => ({action: 'create' as const, kind: 'volume' as const, name: volume.name})),
    ...services.map((service) => ({
      action: 'create' as const,
      kind: 'container' as const,
      name: service.container.name,
      detail: `${service.container.image}${service.entry ? `, ${hostIp}:${hostPort ?? '?'} → ${entry.port}` : ''}`,
    })),
    ...(domain && entry.protocol === 'http'
      ? [
          {
            action: 'write' as const,
            kind: 'proxy-conf' as const,
            name: `${request.tenant}-${request.instance}.conf`,
            detail: `nginx routes ${domain} → 127.0.0.1:${hostPort ?? '?'}`,
          },
        ]
      : []),
    ...request.links.map((link) => ({
      action: 'connect' as const,
      kind: 'network' as const,
      name: `aims-l-${request.tenant}-${request.instance}--${link.tenant}-${link.instance}`,
      detail: `lets ${target} reach ${formatInstanceRef(link)} (cross-tenant link)`,
    })),
  ]
  const envFacts = services.map((service) => {
    const masked = maskEnv(service.container.env, service.container.labels[LABEL.secretKeys]?.split(',') ?? [])
    const shownEnv = Object.entries(masked)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')
    return {label: `env ${service.service}`, value: shownEnv || '(none)'}
  })
  const plan: Plan = {
    action: 'plug-up',
    summary: `Deploy ${plug.id} as ${target} on ${host.name}`,
    host: host.name,
    target,
    destructive: false,
    facts: [
      {label: 'plug', value: `${plug.name} (${plug.id} v${plug.version})`},
      ...services.map((service) => ({
        label: `service ${service.service}`,
        value: `${service.container.image}, ${(service.container.nanoCpus ?? 0) / 1e9} CPU, ${formatBytes(service.container.memoryBytes ?? 0)}${
          Object.keys(service.dependsOn).length > 0
            ? `, after ${Object.entries(service.dependsOn)
                .map(([name, condition]) => `${name} (${condition})`)
                .join(', ')}`
            : ''
        }`,
      })),
      {label: 'port', value: hostPort ? `${hostIp}:${hostPort} → ${entry.name}:${entry.port}` : 'none free'},
      {
        label: 'url',
        value: domain
          ? `${host.tls ? 'https' : 'http'}://${domain}/ (and ${spec.localUrl} on the host)`
          : `${spec.localUrl} (on the host)`,
      },
      {
        label: 'resources',
        value: `${resources.cpus} CPU, ${formatBytes(resources.memoryBytes)} memory, ${formatBytes(resources.diskBytes)} disk`,
      },
      {label: 'cost', value: `${formatMoney(cost, input.prices.currency)}/month (estimate)`},
      ...envFacts,
    ],
    changes,
    gates,
  }
  return {plan, spec, monthlyCost: cost, resources}
}

function gate(
  id: GateCheck['id'],
  title: string,
  ok: boolean,
  detail: string,
  fix?: string,
  exitCode: ExitCode = ExitCode.failure,
): GateCheck {
  return {id, title, status: ok ? 'pass' : 'fail', detail, ...(ok || !fix ? {} : {fix}), ...(ok ? {} : {exitCode})}
}

/** The eight pre-flight gates, all evaluated before any effect. */
export function preflightGates(
  input: PlugUpInput,
  computed: {
    hostPort: number | undefined
    resources: {cpus: number; memoryBytes: number; diskBytes: number}
    cost: number
    target: string
  },
): GateCheck[] {
  const {plug, request, facts, policy} = input
  const tenantInstances = facts.instances.filter((instance) => instance.tenant === request.tenant)
  // This instance counts once, whether or not leftovers of an interrupted deploy of it exist.
  const instancesAfter = tenantInstances.filter((instance) => instance.instance !== request.instance).length + 1
  const existing = findInstance(facts.instances, request)
  const interrupted = facts.interrupted.includes(computed.target)
  const gates: GateCheck[] = []

  gates.push(gate('catalog', 'catalog entry valid', true, `${plug.id} v${plug.version} from ${input.plugFile}`))

  const clash = nameClash(input, computed.target)
  const domain = instanceDomain(request, input.host.domain, request.domain)
  const domainClaim = domain
    ? domainClaimProblem({
        domain,
        tenant: request.tenant,
        instance: request.instance,
        ...(input.host.domain ? {hostDomain: input.host.domain} : {}),
        owners: facts.instances.flatMap((view) =>
          view.domain ? [{tenant: view.tenant, instance: view.instance, domain: view.domain}] : [],
        ),
      })
    : undefined
  gates.push(
    domainClaim
      ? gate('names', 'names valid and free', false, domainClaim.rule, domainClaim.fix, ExitCode.badInput)
      : clash
        ? gate(
            'names',
            'names valid and free',
            false,
            `${clash.name} is already used by ${clash.owner === '' ? 'something aims did not create' : clash.owner} (names join tenant and instance with "-")`,
            `choose another name with --name, e.g. --name ${request.instance}-2`,
            ExitCode.badInput,
          )
        : existing && !interrupted
          ? gate(
              'names',
              'names valid and free',
              false,
              `${computed.target} already exists (${existing.plug}, ${existing.status})`,
              `choose another name with --name, e.g. --name ${request.instance}-2, or take it down first`,
              ExitCode.badInput,
            )
          : gate(
              'names',
              'names valid and free',
              true,
              interrupted ? `${computed.target} (replaces an interrupted deploy)` : `${computed.target} is free`,
            ),
  )

  const missing = input.env.missing
  gates.push(
    missing.length > 0
      ? gate(
          'config',
          'config complete',
          false,
          `missing ${missing.map((item) => item.key).join(', ')}`,
          `pass ${missing.map((item) => `--env ${item.key}=…`).join(' ')} or an --env-file (${missing.map((item) => `${item.key}: ${item.spec.question ?? item.spec.description}`).join('; ')})`,
          ExitCode.badInput,
        )
      : gate(
          'config',
          'config complete',
          true,
          `${input.env.variables.length} variable${input.env.variables.length === 1 ? '' : 's'} set`,
        ),
  )

  const tenantCpus = facts.tenantUsage.cpus
  const tenantMemory = facts.tenantUsage.memoryBytes
  const quotaProblems: string[] = []
  // Every comparison is "provably within": a NaN or a missing number fails the gate, never passes it.
  if (!(tierRank(policy.tier) >= tierRank(plug.tier)))
    quotaProblems.push(`${plug.id} needs tier ${plug.tier}, tenant ${request.tenant} is ${policy.tier}`)
  if (!within(instancesAfter, policy.limits.instances))
    quotaProblems.push(`${instancesAfter - 1} of ${policy.limits.instances} instances used`)
  if (!within(tenantCpus + computed.resources.cpus, policy.limits.cpus + 1e-9))
    quotaProblems.push(`CPU ${round2(tenantCpus)} + ${computed.resources.cpus} > ${policy.limits.cpus}`)
  if (!within(tenantMemory + computed.resources.memoryBytes, policy.limits.memoryBytes))
    quotaProblems.push(
      `memory ${formatBytes(tenantMemory)} + ${formatBytes(computed.resources.memoryBytes)} > ${formatBytes(policy.limits.memoryBytes)}`,
    )
  gates.push(
    quotaProblems.length > 0
      ? gate(
          'quota',
          'tenant quota',
          false,
          `tier ${policy.tier}: ${quotaProblems.join('; ')}`,
          `raise the tier (aims config set tenants.${request.tenant}.tier pro) or free resources`,
        )
      : gate(
          'quota',
          'tenant quota',
          true,
          `tier ${policy.tier}: ${instancesAfter}/${policy.limits.instances} instances, ${round2(tenantCpus + computed.resources.cpus)}/${policy.limits.cpus} CPU, ${formatBytes(tenantMemory + computed.resources.memoryBytes)}/${formatBytes(policy.limits.memoryBytes)}`,
        ),
  )

  const apiOk = compareVersions(facts.apiVersion, '1.41') >= 0
  gates.push(
    gate(
      'host',
      'host reachable, engine supported',
      apiOk,
      `Docker ${facts.engineVersion}, API ${facts.apiVersion} on ${input.host.name}`,
      'upgrade Docker on the host to 20.10 or newer',
    ),
  )

  const capacityProblems: string[] = []
  const unknowns: string[] = []
  const memoryAvailable = known(facts.memAvailableBytes) ? facts.memAvailableBytes : facts.memTotalBytes
  const diskFree = facts.diskFreeBytes
  if (!known(memoryAvailable)) unknowns.push(`available memory on ${input.host.name} is unknown`)
  else if (!within(computed.resources.memoryBytes, memoryAvailable))
    capacityProblems.push(
      `needs ${formatBytes(computed.resources.memoryBytes)} memory, ${formatBytes(memoryAvailable)} available`,
    )
  if (!known(diskFree))
    unknowns.push(`free disk on ${input.host.name} is unknown (no statvfs answer for Docker's root dir)`)
  else if (!within(computed.resources.diskBytes, diskFree))
    capacityProblems.push(`needs ${formatBytes(computed.resources.diskBytes)} disk, ${formatBytes(diskFree)} free`)
  gates.push(
    unknowns.length > 0
      ? gate(
          'capacity',
          'host capacity',
          false,
          `cannot check: ${[...unknowns, ...capacityProblems].join('; ')}`,
          `run aims doctor --host ${input.host.name}: the SSH user must be able to read /proc/meminfo and the SFTP server must answer statvfs (OpenSSH's does)`,
        )
      : capacityProblems.length > 0
        ? gate(
            'capacity',
            'host capacity',
            false,
            capacityProblems.join('; '),
            'free memory or disk on the host, lower --memory, or use a bigger host',
          )
        : gate(
            'capacity',
            'host capacity',
            true,
            `${formatBytes(memoryAvailable!)} memory available, ${formatBytes(diskFree!)} disk free`,
          ),
  )

  gates.push(
    computed.hostPort === undefined
      ? gate(
          'port',
          'free host port',
          false,
          `all ports ${PORT_RANGE.first}-${PORT_RANGE.last} are taken`,
          'take down unused instances (aims plug ls)',
        )
      : gate('port', 'free host port', true, `${computed.hostPort}`),
  )

  const tenantCost = monthlyCost(facts.tenantUsage, input.prices)
  const currency = input.prices.currency
  if (policy.spendingLimit === undefined) {
    gates.push(
      gate(
        'cost',
        'estimated cost within limit',
        true,
        `${formatMoney(computed.cost, currency)}/month; no spending limit for ${request.tenant}`,
      ),
    )
  } else {
    const total = round2(tenantCost + computed.cost)
    gates.push(
      !within(total, policy.spendingLimit)
        ? gate(
            'cost',
            'estimated cost within limit',
            false,
            `${formatMoney(total, currency)}/month with this instance > limit ${formatMoney(policy.spendingLimit, currency)}`,
            `raise it (aims config set tenants.${request.tenant}.spending-limit N) or lower --cpus/--memory`,
          )
        : gate(
            'cost',
            'estimated cost within limit',
            true,
            `${formatMoney(total, currency)}/month of ${formatMoney(policy.spendingLimit, currency)}`,
          ),
    )
  }
  return gates
}

const round2 = (value: number) => Math.round(value * 100) / 100

/** A number a gate can compare. NaN and undefined are not: a gate that meets one fails. */
export const known = (value: number | undefined): value is number => typeof value === 'number' && Number.isFinite(value)
/** `value <= limit`, provably: false when either side is NaN or missing (a plain `>` test would let NaN pass). */
export const within = (value: number | undefined, limit: number | undefined): boolean =>
  known(value) && known(limit) && value <= limit

/** A container, volume or instance network this deploy would create that already belongs to someone else. */
function nameClash(input: PlugUpInput, target: string): {name: string; owner: string} | undefined {
  const owners = input.facts.objectOwners ?? {}
  const {tenant, instance} = input.request
  const services = Object.keys(input.plug.services)
  const names = [
    ...services.map((service) => containerName(tenant, instance, service)),
    ...Object.values(input.plug.services).flatMap((service) =>
      service.volumes.map((volume) => volumeName(tenant, instance, volume.name)),
    ),
    ...(services.length > 1 ? [instanceNetworkName(tenant, instance)] : []),
  ]
  for (const name of names) {
    const owner = owners[name]
    if (owner !== undefined && owner !== target) return {name, owner}
  }
  return undefined
}

export function compareVersions(a: string, b: string): number {
  // An unreadable part counts as 0 (older), so a garbled version fails a minimum check rather than NaN.
  const left = String(a)
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0)
  const right = String(b)
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0)
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}
