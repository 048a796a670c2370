/**
 * Docker Swarm's API on one engine, through the same dockerode instance (and the same SSH
 * connection) as the engine's other calls. Membership works on any node; nodes, services and
 * tasks need a manager.
 */
import type Dockerode from 'dockerode'
import type {
  Labels,
  LogLine,
  NetworkSpec,
  PortBinding,
  SwarmAvailability,
  SwarmNode,
  SwarmRole,
  SwarmService,
  SwarmServiceSpec,
  SwarmState,
  SwarmTask,
} from '../core/engine-types.js'
import type {LabelFilter, SwarmApi} from '../services/ports.js'
import {demuxAll} from './docker-stream.js'

/** The engine's JSON, read field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

export type SwarmCall = <T>(what: string, run: (signal: AbortSignal) => Promise<T>, timeoutMs?: number) => Promise<T>

function labelFilters(labels: LabelFilter | undefined): string[] {
  return Object.entries(labels ?? {}).map(([key, value]) => (value === true ? key : `${key}=${value}`))
}

function envRecord(env: string[] | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  for (const item of env ?? []) {
    const index = item.indexOf('=')
    if (index > 0) record[item.slice(0, index)] = item.slice(index + 1)
  }
  return record
}

/** The one label a task's container carries: the service it belongs to. */
export const TASK_LABEL = 'aims.swarm-service'

const seconds = (value: number) => Math.round(value * 1e9)

function restartPolicy(policy: SwarmServiceSpec['container']['restartPolicy']): Json {
  if (policy === 'no') return {Condition: 'none'}
  if (policy === 'on-failure') return {Condition: 'on-failure', Delay: seconds(1), MaxAttempts: 5}
  return {Condition: 'any', Delay: seconds(1)}
}

/** A ContainerSpec as a Swarm service: host-mode ports, dnsrr, rollback on a failed update. */
export function serviceSpecBody(spec: SwarmServiceSpec): Json {
  const container = spec.container
  return {
    Name: container.name,
    Labels: container.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: container.image,
        ...(container.entrypoint ? {Command: container.entrypoint} : {}),
        ...(container.command ? {Args: container.command} : {}),
        Env: Object.entries(container.env).map(([key, value]) => `${key}=${value}`),
        // Not aims' labels: the node's engine seen as a host of its own must not take tasks for its containers.
        Labels: {[TASK_LABEL]: container.name},
        ...(container.user ? {User: container.user} : {}),
        ...(container.workingDir ? {Dir: container.workingDir} : {}),
        Init: container.init,
        ...(container.stopTimeoutSeconds ? {StopGracePeriod: seconds(container.stopTimeoutSeconds)} : {}),
        Mounts: container.volumes.map((volume) => ({
          Type: 'volume',
          Source: volume.source,
          Target: volume.target,
          ReadOnly: volume.readOnly ?? false,
          VolumeOptions: {Labels: container.labels},
        })),
        ...(container.healthcheck
          ? {
              Healthcheck: {
                Test: container.healthcheck.test,
                Interval: seconds(container.healthcheck.intervalSeconds),
                Timeout: seconds(container.healthcheck.timeoutSeconds),
                Retries: container.healthcheck.retries,
                StartPeriod: seconds(container.healthcheck.startPeriodSeconds),
              },
            }
          : {}),
      },
      Resources: {
        Limits: {
          ...(container.memoryBytes ? {MemoryBytes: container.memoryBytes} : {}),
          ...(container.nanoCpus ? {NanoCPUs: container.nanoCpus} : {}),
        },
      },
      RestartPolicy: restartPolicy(container.restartPolicy),
      Placement: {Constraints: spec.constraints, ...(spec.maxPerNode ? {MaxReplicas: spec.maxPerNode} : {})},
      Networks: container.networks.map((network) => ({Target: network.name, Aliases: network.aliases})),
    },
    Mode: {Replicated: {Replicas: spec.replicas}},
    // Host-mode ports cannot be held twice on a node: stop-first. A failed update rolls back (Swarm's).
    UpdateConfig: {Parallelism: 1, FailureAction: 'rollback', Monitor: seconds(5), Order: 'stop-first'},
    RollbackConfig: {Parallelism: 1, FailureAction: 'pause', Monitor: seconds(5), Order: 'stop-first'},
    EndpointSpec: {
      // No routing mesh (no IPVS on many kernels): DNS round robin inside, host-mode ports outside.
      Mode: 'dnsrr',
      Ports: container.ports.map((port) => ({
        Protocol: port.protocol,
        TargetPort: port.containerPort,
        PublishedPort: port.hostPort,
        PublishMode: 'host',
      })),
    },
  }
}

function serviceFrom(json: Json): SwarmService {
  const spec = json.Spec ?? {}
  const container = spec.TaskTemplate?.ContainerSpec ?? {}
  const limits = spec.TaskTemplate?.Resources?.Limits ?? {}
  return {
    id: json.ID,
    name: spec.Name,
    labels: (spec.Labels ?? {}) as Labels,
    containerLabels: (container.Labels ?? {}) as Labels,
    image: String(container.Image ?? '').replace(/@sha256:[0-9a-f]{64}$/, ''),
    replicas: spec.Mode?.Replicated?.Replicas ?? 0,
    env: envRecord(container.Env),
    ports: ((spec.EndpointSpec?.Ports ?? []) as Json[]).map((port) => ({
      containerPort: port.TargetPort,
      protocol: port.Protocol === 'udp' ? 'udp' : 'tcp',
      hostPort: port.PublishedPort,
    })),
    constraints: spec.TaskTemplate?.Placement?.Constraints ?? [],
    networks: ((spec.TaskTemplate?.Networks ?? []) as Json[]).map((network) => String(network.Target)),
    created: new Date(json.CreatedAt),
    ...(json.UpdatedAt ? {updatedAt: new Date(json.UpdatedAt)} : {}),
    ...(json.UpdateStatus?.State ? {updateState: json.UpdateStatus.State} : {}),
    ...(json.UpdateStatus?.Message ? {updateMessage: json.UpdateStatus.Message} : {}),
    ...(limits.MemoryBytes ? {memoryBytes: limits.MemoryBytes} : {}),
    ...(limits.NanoCPUs ? {nanoCpus: limits.NanoCPUs} : {}),
    mounts: ((container.Mounts ?? []) as Json[]).map((mount) => ({source: mount.Source, target: mount.Target})),
    healthcheck: Boolean(container.Healthcheck?.Test?.length && container.Healthcheck.Test[0] !== 'NONE'),
    version: json.Version?.Index ?? 0,
  }
}

function taskFrom(json: Json): SwarmTask {
  const status = json.Status ?? {}
  return {
    id: json.ID,
    serviceId: json.ServiceID,
    nodeId: json.NodeID ?? '',
    ...(json.Slot ? {slot: json.Slot} : {}),
    state: status.State ?? 'unknown',
    desiredState: json.DesiredState ?? 'unknown',
    message: status.Message ?? '',
    ...(status.Err ? {error: status.Err} : {}),
    ...(status.ContainerStatus?.ContainerID ? {containerId: status.ContainerStatus.ContainerID} : {}),
    ...(typeof status.ContainerStatus?.ExitCode === 'number' ? {exitCode: status.ContainerStatus.ExitCode} : {}),
    timestamp: new Date(status.Timestamp ?? json.UpdatedAt ?? 0),
    image: String(json.Spec?.ContainerSpec?.Image ?? ''),
    addresses: Object.fromEntries(
      ((json.NetworksAttachments ?? []) as Json[]).flatMap((attachment) =>
        attachment.Network?.ID && attachment.Addresses?.[0]
          ? [[attachment.Network.ID as string, String(attachment.Addresses[0]).replace(/\/\d+$/, '')]]
          : [],
      ),
    ),
  }
}

function nodeFrom(json: Json): SwarmNode {
  return {
    id: json.ID,
    hostname: json.Description?.Hostname ?? '',
    role: json.Spec?.Role === 'manager' ? 'manager' : 'worker',
    availability: (json.Spec?.Availability ?? 'active') as SwarmAvailability,
    state: json.Status?.State ?? 'unknown',
    addr: json.Status?.Addr ?? '',
    leader: Boolean(json.ManagerStatus?.Leader),
    ...(json.ManagerStatus?.Reachability ? {reachability: json.ManagerStatus.Reachability} : {}),
    engineVersion: json.Description?.Engine?.EngineVersion ?? '',
    labels: (json.Spec?.Labels ?? {}) as Labels,
    cpus: (json.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
    memoryBytes: json.Description?.Resources?.MemoryBytes ?? 0,
  }
}

export class DockerSwarm implements SwarmApi {
  constructor(
    private readonly docker: Dockerode,
    private readonly call: SwarmCall,
  ) {}

  private get api(): Json {
    return this.docker as Json
  }

  async state(): Promise<SwarmState> {
    const info: Json = await this.call('info', (abortSignal) => this.api.info({abortSignal}))
    const swarm = info.Swarm ?? {}
    return {
      nodeId: swarm.NodeID ?? '',
      localState: swarm.LocalNodeState ?? 'inactive',
      controlAvailable: Boolean(swarm.ControlAvailable),
      ...(swarm.NodeAddr ? {nodeAddr: swarm.NodeAddr} : {}),
      ...(swarm.Cluster?.ID ? {clusterId: swarm.Cluster.ID} : {}),
      ...(typeof swarm.Managers === 'number' ? {managers: swarm.Managers} : {}),
      ...(typeof swarm.Nodes === 'number' ? {nodes: swarm.Nodes} : {}),
      remoteManagers: ((swarm.RemoteManagers ?? []) as Json[]).map((manager) => ({
        nodeId: manager.NodeID,
        addr: manager.Addr,
      })),
      ...(swarm.Error ? {error: swarm.Error} : {}),
    }
  }

  async init(options: {advertiseAddr: string; listenAddr: string; defaultAddrPool?: string[]}): Promise<string> {
    const answer: Json = await this.call(
      'swarm init',
      (abortSignal) =>
        this.api.swarmInit({
          AdvertiseAddr: options.advertiseAddr,
          ListenAddr: options.listenAddr,
          ...(options.defaultAddrPool ? {DefaultAddrPool: options.defaultAddrPool, SubnetSize: 24} : {}),
          // A lost node is noticed in seconds, not the default 5 s × several heartbeats.
          Spec: {Dispatcher: {HeartbeatPeriod: seconds(2)}},
          abortSignal,
        }),
      60_000,
    )
    return String(answer ?? '').replace(/"/g, '')
  }

  async joinTokens(): Promise<Record<SwarmRole, string>> {
    const swarm: Json = await this.call('swarm inspect', (abortSignal) => this.api.swarmInspect({abortSignal}))
    return {worker: swarm.JoinTokens.Worker, manager: swarm.JoinTokens.Manager}
  }

  async join(options: {remoteAddrs: string[]; joinToken: string; advertiseAddr: string; listenAddr: string}) {
    await this.call(
      'swarm join',
      (abortSignal) =>
        this.api.swarmJoin({
          RemoteAddrs: options.remoteAddrs,
          JoinToken: options.joinToken,
          AdvertiseAddr: options.advertiseAddr,
          ListenAddr: options.listenAddr,
          abortSignal,
        }),
      60_000,
    )
  }

  async leave(force: boolean): Promise<void> {
    await this.call('swarm leave', (abortSignal) => this.api.swarmLeave({force, abortSignal}), 60_000)
  }

  async listNodes(): Promise<SwarmNode[]> {
    const nodes: Json[] = await this.call('list nodes', (abortSignal) => this.api.listNodes({abortSignal}))
    return nodes.map(nodeFrom)
  }

  async updateNode(
    id: string,
    change: {labels?: Record<string, string | null>; availability?: SwarmAvailability; role?: SwarmRole},
  ): Promise<void> {
    const node: Json = this.api.getNode(id)
    const current: Json = await this.call(`inspect node ${id}`, (abortSignal) => node.inspect({abortSignal}))
    const labels: Record<string, string> = {...(current.Spec?.Labels ?? {})}
    for (const [key, value] of Object.entries(change.labels ?? {})) {
      if (value === null) delete labels[key]
      else labels[key] = value
    }
    const spec = {
      ...current.Spec,
      Labels: labels,
      ...(change.availability ? {Availability: change.availability} : {}),
      ...(change.role ? {Role: change.role} : {}),
    }
    await this.call(`update node ${id}`, (abortSignal) =>
      node.update({...spec, version: current.Version.Index, abortSignal}),
    )
  }

  async removeNode(id: string, force: boolean): Promise<void> {
    await this.call(`remove node ${id}`, (abortSignal) => this.api.getNode(id).remove({force, abortSignal}))
  }

  async listServices(filter: {labels?: LabelFilter; name?: string}): Promise<SwarmService[]> {
    const filters: Record<string, string[]> = {}
    const labels = labelFilters(filter.labels)
    if (labels.length > 0) filters.label = labels
    if (filter.name) filters.name = [filter.name]
    const list: Json[] = await this.call('list services', (abortSignal) =>
      this.api.listServices({filters, abortSignal}),
    )
    // The name filter matches prefixes: keep exact names only.
    return list.map(serviceFrom).filter((service) => !filter.name || service.name === filter.name)
  }

  async inspectService(idOrName: string): Promise<SwarmService | undefined> {
    try {
      return serviceFrom(
        await this.call(`inspect service ${idOrName}`, (abortSignal) =>
          this.api.getService(idOrName).inspect({abortSignal}),
        ),
      )
    } catch (error) {
      if ((error as {kind?: string}).kind === 'not-found') return undefined
      throw error
    }
  }

  async createService(spec: SwarmServiceSpec): Promise<string> {
    const created: Json = await this.call(`create service ${spec.container.name}`, (abortSignal) =>
      this.api.createService({...serviceSpecBody(spec), abortSignal}),
    )
    return String(created.id ?? created.ID)
  }

  async updateService(idOrName: string, change: Parameters<SwarmApi['updateService']>[1]): Promise<void> {
    const service: Json = this.api.getService(idOrName)
    const current: Json = await this.call(`inspect service ${idOrName}`, (abortSignal) =>
      service.inspect({abortSignal}),
    )
    const spec = structuredClone(current.Spec)
    const template = spec.TaskTemplate
    if (change.replicas !== undefined) spec.Mode = {Replicated: {Replicas: change.replicas}}
    if (change.memoryBytes !== undefined || change.nanoCpus !== undefined) {
      template.Resources = template.Resources ?? {}
      template.Resources.Limits = {
        ...template.Resources.Limits,
        ...(change.memoryBytes !== undefined ? {MemoryBytes: change.memoryBytes} : {}),
        ...(change.nanoCpus !== undefined ? {NanoCPUs: change.nanoCpus} : {}),
      }
    }
    if (change.constraints) template.Placement = {...template.Placement, Constraints: change.constraints}
    if (change.labels) spec.Labels = {...spec.Labels, ...change.labels}
    if (change.networks)
      template.Networks = change.networks.map((network) => ({Target: network.name, Aliases: network.aliases}))
    if (change.forceRestart) template.ForceUpdate = (template.ForceUpdate ?? 0) + 1
    await this.call(`update service ${idOrName}`, (abortSignal) =>
      service.update({...spec, version: current.Version.Index, abortSignal}),
    )
  }

  async removeService(idOrName: string): Promise<void> {
    try {
      await this.call(`remove service ${idOrName}`, (abortSignal) =>
        this.api.getService(idOrName).remove({abortSignal}),
      )
    } catch (error) {
      if ((error as {kind?: string}).kind !== 'not-found') throw error
    }
  }

  async cloneService(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]; replicas: number},
  ): Promise<string> {
    const current: Json = await this.call(`inspect service ${source}`, (abortSignal) =>
      this.api.getService(source).inspect({abortSignal}),
    )
    const spec = structuredClone(current.Spec)
    spec.Name = changes.name
    spec.Labels = {...spec.Labels, ...changes.labels}
    spec.TaskTemplate.ContainerSpec.Labels = {[TASK_LABEL]: changes.name}
    spec.Mode = {Replicated: {Replicas: changes.replicas}}
    spec.EndpointSpec = {
      Mode: 'dnsrr',
      Ports: changes.ports.map((port) => ({
        Protocol: port.protocol,
        TargetPort: port.containerPort,
        PublishedPort: port.hostPort,
        PublishMode: 'host',
      })),
    }
    const created: Json = await this.call(`create service ${changes.name}`, (abortSignal) =>
      this.api.createService({...spec, abortSignal}),
    )
    return String(created.id ?? created.ID)
  }

  async createOverlay(spec: NetworkSpec, options: {encrypted: boolean}): Promise<string> {
    const created: Json = await this.call(`create network ${spec.name}`, (abortSignal) =>
      this.api.createNetwork({
        Name: spec.name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: spec.labels,
        ...(options.encrypted ? {Options: {encrypted: 'true'}} : {}),
        ...(spec.subnet
          ? {
              IPAM: {
                Driver: 'default',
                Config: [{Subnet: spec.subnet, ...(spec.gateway ? {Gateway: spec.gateway} : {})}],
              },
            }
          : {}),
        ...(spec.internal ? {Internal: true} : {}),
        abortSignal,
      }),
    )
    return String(created.id ?? created.Id)
  }

  async listTasks(filter: {service?: string; labels?: LabelFilter; desiredState?: string}): Promise<SwarmTask[]> {
    const filters: Record<string, string[]> = {}
    if (filter.service) filters.service = [filter.service]
    const labels = labelFilters(filter.labels)
    if (labels.length > 0) filters.label = labels
    if (filter.desiredState) filters['desired-state'] = [filter.desiredState]
    const tasks: Json[] = await this.call('list tasks', (abortSignal) => this.api.listTasks({filters, abortSignal}))
    return tasks.map(taskFrom)
  }

  async serviceLogs(idOrName: string, options: {tail?: number; timestamps?: boolean}): Promise<LogLine[]> {
    const buffer: Json = await this.call(`read logs of ${idOrName}`, (abortSignal) =>
      this.api.getService(idOrName).logs({
        stdout: true,
        stderr: true,
        follow: false,
        ...(options.tail !== undefined ? {tail: options.tail} : {}),
        timestamps: options.timestamps ?? false,
        abortSignal,
      }),
    )
    return demuxAll(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)), options.timestamps ?? false)
  }
}
