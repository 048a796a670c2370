/**
 * A cluster as an Engine: each container aims plans becomes a Swarm service of one task (its
 * replicas are services of their own, each with its own host port, as on one host), placed,
 * restarted and rescheduled by Swarm. Services read it through the same Engine interface as a
 * single host; the calls go to a manager, and to a node's own engine over that node's own SSH
 * connection only for what lives on the node (exec, stats, volumes).
 */
import type {
  ContainerDetails,
  ContainerSpec,
  ContainerState,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  HealthStatus,
  LogLine,
  NetworkSpec,
  NetworkSummary,
  PortBinding,
  PullProgress,
  ImageBuildSpec,
  BuildProgress,
  StatsSample,
  SwarmNode,
  SwarmService,
  SwarmTask,
  VolumeSpec,
  VolumeSummary,
} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import type {Engine, LabelFilter, SwarmApi} from '../services/ports.js'

/** Task states on the way to running. */
const STARTING = new Set(['new', 'pending', 'assigned', 'accepted', 'ready', 'preparing', 'starting'])
const FAILED = new Set(['failed', 'rejected', 'orphaned'])

export interface ClusterNodeEngines {
  /** The engine of the node with this Swarm node id, over that node's own connection. */
  engineOf(nodeId: string): Promise<Engine | undefined>
  /** Every member's engine that answers (for node-local objects: volumes). */
  allEngines(): Promise<Engine[]>
}

export interface SwarmEngineOptions {
  manager: Engine
  swarm: SwarmApi
  nodes: ClusterNodeEngines
  /** Encrypted overlays only where every node's kernel supports IPsec ESP. */
  encryptOverlays: () => Promise<boolean>
  sleep: (ms: number) => Promise<void>
}

interface View {
  services: SwarmService[]
  tasks: SwarmTask[]
  nodes: SwarmNode[]
  networks: NetworkSummary[]
}

const matches = (labels: Record<string, string>, filter: LabelFilter | undefined) =>
  Object.entries(filter ?? {}).every(([key, value]) => (value === true ? key in labels : labels[key] === value))

export class SwarmEngine implements Engine {
  constructor(private readonly options: SwarmEngineOptions) {}

  private get swarmApi(): SwarmApi {
    return this.options.swarm
  }

  swarm(): SwarmApi {
    return this.options.swarm
  }

  private nodesCache?: {at: number; nodes: Promise<SwarmNode[]>}
  private nodes(): Promise<SwarmNode[]> {
    const now = Date.now()
    if (!this.nodesCache || now - this.nodesCache.at > 2000)
      this.nodesCache = {at: now, nodes: this.swarmApi.listNodes()}
    return this.nodesCache.nodes
  }

  private async view(filter: {labels?: LabelFilter; name?: string}): Promise<View> {
    const [services, tasks, nodes, networks] = await Promise.all([
      this.swarmApi.listServices(filter),
      this.swarmApi.listTasks({}),
      this.nodes(),
      this.options.manager.listNetworks({}),
    ])
    return {services, tasks, nodes, networks}
  }

  /** The task that counts for a service now: the one Swarm wants running, else the latest. */
  private static current(tasks: SwarmTask[]): SwarmTask | undefined {
    const sorted = [...tasks].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())
    return sorted.find((task) => task.desiredState === 'running') ?? sorted[0]
  }

  private summary(service: SwarmService, view: View): ContainerDetails {
    const tasks = view.tasks.filter((task) => task.serviceId === service.id)
    const task = SwarmEngine.current(tasks)
    const node = task ? view.nodes.find((item) => item.id === task.nodeId) : undefined
    const healthcheck = service.healthcheck
    let state: ContainerState
    let health: HealthStatus = 'none'
    if (service.replicas === 0) state = tasks.length === 0 ? 'created' : 'exited'
    else if (!task) state = 'created'
    else if (task.state === 'running') state = 'running'
    else if (task.state === 'starting') {
      state = 'running'
      health = 'starting'
    } else if (STARTING.has(task.state)) state = 'created'
    else if (FAILED.has(task.state)) state = task.desiredState === 'running' ? 'restarting' : 'exited'
    else state = 'exited'
    if (state === 'running' && health === 'none' && healthcheck) health = 'healthy'
    const running = state === 'running' && node
    const ports: PortBinding[] = service.ports.map((port) => ({
      containerPort: port.containerPort,
      protocol: port.protocol,
      hostPort: port.hostPort,
      // Host-mode publishing: the port is open on the node that runs the task.
      hostIp: running ? node.addr : '0.0.0.0',
    }))
    const networkName = (id: string) => view.networks.find((network) => network.id === id)?.name ?? id
    const failures = tasks.filter((item) => FAILED.has(item.state)).length
    return {
      id: service.name,
      name: service.name,
      image: service.image,
      labels: service.labels,
      state,
      status: task
        ? `${task.state}${node ? ` on ${node.hostname}` : ''}${task.error ? `: ${task.error}` : ''}`
        : 'no task',
      created: service.created,
      ports,
      health,
      networks: service.networks.map(networkName),
      ...(task && state === 'running' ? {startedAt: task.timestamp} : {}),
      ...(task?.exitCode !== undefined ? {exitCode: task.exitCode} : {}),
      restartCount: failures,
      env: service.env,
      ips: Object.fromEntries(Object.entries(task?.addresses ?? {}).map(([id, ip]) => [networkName(id), ip])),
      ...(service.memoryBytes ? {memoryBytes: service.memoryBytes} : {}),
      ...(service.nanoCpus ? {nanoCpus: service.nanoCpus} : {}),
      command: [],
      mounts: service.mounts.map((mount) => ({
        type: 'volume',
        name: mount.source,
        source: mount.source,
        destination: mount.target,
      })),
      oomKilled: false,
      ...(task?.error ? {error: task.error} : {}),
      ...(node ? {node: node.hostname} : {}),
    } as ContainerDetails
  }

  async ping(): Promise<void> {
    await this.options.manager.ping()
  }

  version(): Promise<EngineVersion> {
    return this.options.manager.version()
  }

  /** The manager's engine, with the capacity of every node that takes tasks (ready and active). */
  async info(): Promise<EngineInfo> {
    const [info, nodes] = await Promise.all([this.options.manager.info(), this.nodes()])
    const eligible = nodes.filter((node) => node.state === 'ready' && node.availability === 'active')
    return {
      ...info,
      name: `${info.name} (+${nodes.length - 1} nodes)`,
      memTotalBytes: eligible.reduce((sum, node) => sum + node.memoryBytes, 0) || info.memTotalBytes,
      cpus: eligible.reduce((sum, node) => sum + node.cpus, 0) || info.cpus,
    }
  }

  async listContainers(filter: {labels?: LabelFilter; all?: boolean; name?: string}): Promise<ContainerSummary[]> {
    const view = await this.view({
      ...(filter.labels ? {labels: filter.labels} : {}),
      ...(filter.name ? {name: filter.name} : {}),
    })
    return view.services
      .filter((service) => matches(service.labels, filter.labels))
      .map((service) => this.summary(service, view))
      .filter((container) => filter.all !== false || container.state === 'running')
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    const service = await this.swarmApi.inspectService(idOrName)
    if (!service) return undefined
    const [tasks, nodes, networks] = await Promise.all([
      this.swarmApi.listTasks({service: service.name}),
      this.nodes(),
      this.options.manager.listNetworks({}),
    ])
    return this.summary(service, {services: [service], tasks, nodes, networks})
  }

  /** A service of 0 tasks (started later); a service with volumes is pinned to one node (its data stays there). */
  async createContainer(spec: ContainerSpec): Promise<string> {
    const constraints: string[] = []
    let labels = spec.labels
    if (spec.volumes.length > 0) {
      const node = await this.leastLoadedNode()
      if (node) {
        constraints.push(`node.id==${node.id}`)
        labels = {...labels, 'aims.node': node.hostname}
      }
    }
    await this.swarmApi.createService({container: {...spec, labels}, replicas: 0, constraints})
    return spec.name
  }

  private async leastLoadedNode(): Promise<SwarmNode | undefined> {
    const [nodes, tasks] = await Promise.all([this.nodes(), this.swarmApi.listTasks({desiredState: 'running'})])
    const eligible = nodes.filter((node) => node.state === 'ready' && node.availability === 'active')
    const load = (node: SwarmNode) => tasks.filter((task) => task.nodeId === node.id).length
    return eligible.sort((a, b) => load(a) - load(b) || a.hostname.localeCompare(b.hostname))[0]
  }

  async startContainer(id: string): Promise<void> {
    const service = await this.mustService(id)
    if (service.replicas !== 1) await this.swarmApi.updateService(id, {replicas: 1})
  }

  private async mustService(id: string): Promise<SwarmService> {
    const service = await this.swarmApi.inspectService(id)
    if (!service) throw new AimsError('not-found', `no service ${id} in the cluster`, {exitCode: 1})
    return service
  }

  /** Scales to 0 and waits (bounded) until the task has stopped, as `docker stop` does. */
  async stopContainer(id: string, timeoutSeconds = 10): Promise<void> {
    const service = await this.mustService(id)
    if (service.replicas !== 0) await this.swarmApi.updateService(id, {replicas: 0})
    const deadline = Date.now() + (timeoutSeconds + 20) * 1000
    while (Date.now() < deadline) {
      const tasks = await this.swarmApi.listTasks({service: service.name})
      if (!tasks.some((task) => task.state === 'running' || STARTING.has(task.state))) return
      await this.options.sleep(250)
    }
  }

  async restartContainer(id: string): Promise<void> {
    const service = await this.mustService(id)
    if (service.replicas === 0) await this.swarmApi.updateService(id, {replicas: 1})
    else await this.swarmApi.updateService(id, {forceRestart: true})
  }

  async removeContainer(id: string): Promise<void> {
    await this.swarmApi.removeService(id)
  }

  async updateContainer(id: string, resources: {memoryBytes?: number; nanoCpus?: number}): Promise<void> {
    await this.swarmApi.updateService(id, resources)
  }

  async cloneContainer(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]},
  ): Promise<string> {
    await this.swarmApi.cloneService(source, {...changes, replicas: 0})
    return changes.name
  }

  async connectNetwork(network: string, container: string, aliases: string[]): Promise<void> {
    const service = await this.mustService(container)
    const networks = await this.options.manager.listNetworks({})
    const names = service.networks.map((id) => networks.find((item) => item.id === id)?.name ?? id)
    if (names.includes(network)) return
    await this.swarmApi.updateService(container, {
      networks: [...names.map((name) => ({name, aliases: []})), {name: network, aliases}],
    })
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    const service = await this.swarmApi.inspectService(container)
    if (!service) return
    const networks = await this.options.manager.listNetworks({})
    const names = service.networks.map((id) => networks.find((item) => item.id === id)?.name ?? id)
    await this.swarmApi.updateService(container, {
      networks: names.filter((name) => name !== network).map((name) => ({name, aliases: []})),
    })
  }

  /** Logs of every task of the service (Swarm gathers them from the nodes). */
  logs(id: string, options: {tail?: number; since?: Date; timestamps?: boolean}): Promise<LogLine[]> {
    return this.swarmApi.serviceLogs(id, {
      ...(options.tail !== undefined ? {tail: options.tail} : {}),
      ...(options.timestamps !== undefined ? {timestamps: options.timestamps} : {}),
    })
  }

  async *followLogs(id: string, options: {tail?: number; signal: AbortSignal}): AsyncIterable<LogLine> {
    const {engine, containerId} = await this.taskContainer(id)
    yield* engine.followLogs(containerId, options)
  }

  /** The running task's container, on its node's engine. */
  private async taskContainer(id: string): Promise<{engine: Engine; containerId: string}> {
    const tasks = await this.swarmApi.listTasks({service: id, desiredState: 'running'})
    const task = tasks.find((item) => item.state === 'running' && item.containerId)
    if (!task?.containerId)
      throw new AimsError('engine', `${id} has no running task in the cluster`, {hint: `see aims plug status`})
    const engine = await this.options.nodes.engineOf(task.nodeId)
    if (!engine)
      throw new AimsError('connection', `the node running ${id} is not one of the cluster's aims hosts`, {
        hint: 'add it with aims host add and aims cluster join',
      })
    return {engine, containerId: task.containerId}
  }

  async stats(id: string): Promise<StatsSample> {
    const {engine, containerId} = await this.taskContainer(id)
    return {...(await engine.stats(containerId)), id, name: id}
  }

  async execInContainer(id: string, command: string[]): Promise<{exitCode: number; output: string}> {
    const {engine, containerId} = await this.taskContainer(id)
    return engine.execInContainer(containerId, command)
  }

  async listNetworks(filter: {labels?: LabelFilter; name?: string}): Promise<NetworkSummary[]> {
    return this.options.manager.listNetworks(filter)
  }

  /** containerNames: the services attached (an overlay's container list shows only the manager's own). */
  async inspectNetwork(idOrName: string): Promise<(NetworkSummary & {containerNames: string[]}) | undefined> {
    const network = await this.options.manager.inspectNetwork(idOrName)
    if (!network) return undefined
    const services = await this.swarmApi.listServices({})
    const attached = services
      .filter((service) => service.networks.includes(network.id) || service.networks.includes(network.name))
      .map((service) => service.name)
    return {...network, containers: attached.length, containerNames: attached}
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    return this.swarmApi.createOverlay(spec, {encrypted: await this.options.encryptOverlays()})
  }

  removeNetwork(idOrName: string): Promise<void> {
    return this.options.manager.removeNetwork(idOrName)
  }

  /** Volumes are node-local: every node's that answers. */
  async listVolumes(filter: {labels?: LabelFilter}): Promise<VolumeSummary[]> {
    const engines = await this.options.nodes.allEngines()
    const lists = await Promise.allSettled(engines.map((engine) => engine.listVolumes(filter)))
    const byName = new Map<string, VolumeSummary>()
    for (const list of lists)
      if (list.status === 'fulfilled') for (const item of list.value) byName.set(item.name, item)
    return [...byName.values()]
  }

  /** Swarm creates a service's volume on the node its task lands on (with the labels aims gave it). */
  async createVolume(spec: VolumeSpec): Promise<void> {
    void spec
  }

  /** On every node; a task container Swarm is still removing holds it for a moment, so a conflict is retried. */
  async removeVolume(name: string): Promise<void> {
    const engines = await this.options.nodes.allEngines()
    for (let attempt = 0; ; attempt++) {
      const results = await Promise.allSettled(engines.map((engine) => engine.removeVolume(name)))
      const conflict = results.find(
        (result) =>
          result.status === 'rejected' && result.reason instanceof AimsError && result.reason.kind === 'conflict',
      )
      if (conflict?.status !== 'rejected') return
      if (attempt >= 40) throw conflict.reason
      await this.options.sleep(500)
    }
  }

  imageExists(reference: string): Promise<boolean> {
    return this.options.manager.imageExists(reference)
  }

  /** On the manager (a bad reference fails here, before anything is created); Swarm pulls on the others. */
  pullImage(
    reference: string,
    onProgress?: (progress: PullProgress) => void,
    auth?: {username: string; password: string; serveraddress: string},
  ): Promise<void> {
    return this.options.manager.pullImage(reference, onProgress, auth)
  }

  inspectImage(reference: string): Promise<{id: string; repoDigests: string[]} | undefined> {
    return this.options.manager.inspectImage(reference)
  }

  tagImage(source: string, target: string): Promise<void> {
    return this.options.manager.tagImage(source, target)
  }

  /**
   * Built on the manager: the other nodes cannot pull an image that exists only there, so a built
   * image runs on a cluster once it is pushed to a registry the nodes reach.
   */
  buildImage(context: Buffer, spec: ImageBuildSpec, onProgress?: (progress: BuildProgress) => void) {
    return this.options.manager.buildImage(context, spec, onProgress)
  }

  removeImage(reference: string): Promise<void> {
    return this.options.manager.removeImage(reference)
  }

  /** A service is renamed by Swarm's own update, not here: the operations that need it are single-host. */
  renameContainer(id: string): Promise<void> {
    return Promise.reject(notOnCluster(`renaming ${id}`))
  }

  pauseContainer(id: string): Promise<void> {
    return Promise.reject(notOnCluster(`pausing ${id}`))
  }

  unpauseContainer(id: string): Promise<void> {
    return Promise.reject(notOnCluster(`unpausing ${id}`))
  }

  async execAttached(
    id: string,
    command: string[],
    io: {stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty: boolean},
  ): Promise<number> {
    const {engine, containerId} = await this.taskContainer(id)
    return engine.execAttached(containerId, command, io)
  }

  events(options: {since?: Date; until?: Date; labels?: LabelFilter; signal: AbortSignal}): AsyncIterable<EngineEvent> {
    return this.options.manager.events(options)
  }
}

function notOnCluster(what: string): AimsError {
  return new AimsError('usage', `${what} is not done on a cluster: Swarm replaces a service's tasks itself`, {
    hint: 'run it on a single host, or change the service with aims plug scale / aims plug restart',
  })
}
