/**
 * An in-memory Docker engine for unit tests of the lifecycle services.
 *
 * It keeps containers, networks, volumes and images as state and behaves the
 * way the real engine does where the services depend on it (checked on the
 * bed's dockerd):
 * - names are unique: creating a taken container or network name is a 'conflict';
 * - `volume create` of an existing name succeeds and keeps the first labels;
 * - a network counts only running containers as attached (active endpoints),
 *   and can be removed while stopped or created containers still reference
 *   it; those containers then fail to start ("network … not found");
 * - a volume used by any container (any state) cannot be removed;
 * - `docker ps` shows published ports of running containers only, while
 *   inspect shows the bindings in every state; IPs exist only while running;
 * - start fails when a published host port is taken by a running container
 *   or a host process.
 *
 * What an app does once started (answers HTTP, exits, restarts, logs) is set
 * per container name or image with `behave`. Methods the lifecycle never
 * needs (stats, events, exec, followLogs) throw, so an unexpected call fails
 * the test. Every mutating call is recorded in `log` (shared with the fake
 * shell when given) so tests can assert on order.
 */
import {Duplex} from 'node:stream'
import {AimsError} from '../../src/core/errors.js'
import type {
  ContainerDetails,
  ContainerSpec,
  ContainerState,
  ContainerSummary,
  EngineEvent,
  EngineHealthcheck,
  EngineInfo,
  EngineVersion,
  HealthStatus,
  ImageBuildResult,
  ImageBuildSpec,
  Labels,
  LogLine,
  NetworkSpec,
  NetworkSummary,
  PortBinding,
  PullProgress,
  StatsSample,
  VolumeMount,
  VolumeSpec,
  VolumeSummary,
} from '../../src/core/engine-types.js'
import type {Engine, LabelFilter} from '../../src/services/ports.js'

export interface AppBehaviour {
  /** HTTP status the app answers once up (default 200), or 'refuse' for a closed port. */
  http?: number | 'refuse'
  /** Connections refused for this many probes after each start (a slow start). */
  refuseFirstProbes?: number
  /** Docker health status while running (default: healthy with a healthcheck, else none). */
  dockerHealth?: HealthStatus
  /** Exits with this code right after start. */
  exitCode?: number
  /** Crashes and is restarted by the restart policy, again and again. */
  restarting?: boolean
  /** What the app prints (it sees its own environment). */
  logs?: (env: Record<string, string>) => string[]
}

export interface FakeContainer {
  id: string
  name: string
  image: string
  labels: Labels
  env: Record<string, string>
  state: ContainerState
  created: Date
  exitCode?: number | undefined
  restartCount: number
  /** HostConfig.PortBindings: kept in every state. */
  ports: PortBinding[]
  exposedPorts: number[]
  /** Network name → aliases. */
  networks: Map<string, string[]>
  /** Network name → id when attached: Docker keeps the id, so a network re-created under the same name is another network. */
  networkIds: Map<string, string>
  ips: Record<string, string>
  mounts: VolumeMount[]
  memoryBytes?: number
  nanoCpus?: number
  healthcheck?: EngineHealthcheck
  stopTimeoutSeconds?: number
  command: string[]
  /** Probes since the last start. */
  probes: number
}

interface FakeNetwork {
  id: string
  name: string
  labels: Labels
  subnets: string[]
  created: Date
}

interface FakeVolume {
  name: string
  labels: Labels
}

export type SeedContainer = Partial<Omit<FakeContainer, 'networks' | 'networkIds'>> & {
  name: string
  networks?: Record<string, string[]> | string[]
}

const CREATED = new Date('2026-02-01T09:00:00.000Z')

function matches(labels: Labels, filter: LabelFilter | undefined): boolean {
  return Object.entries(filter ?? {}).every(([key, value]) => (value === true ? key in labels : labels[key] === value))
}

const notFound = (what: string) => new AimsError('not-found', what, {exitCode: 1})

export class FakeEngine implements Engine {
  readonly containers = new Map<string, FakeContainer>()
  readonly networks = new Map<string, FakeNetwork>()
  readonly volumes = new Map<string, FakeVolume>()
  readonly images = new Set<string>()
  /** Images a pull succeeds for. */
  readonly pullable = new Set<string>()
  /** Ports host processes (not containers) listen on. */
  readonly hostListening = new Set<number>()
  /** Stop and restart timeouts asked for, by container name. */
  readonly stopTimeouts: Array<{name: string; timeoutSeconds: number}> = []
  readonly updates: Array<{name: string; resources: {memoryBytes?: number; nanoCpus?: number}}> = []
  /** Engine API calls made (reads included). */
  apiCalls = 0
  versionInfo: EngineVersion = {version: '24.0.7', apiVersion: '1.43', os: 'linux', arch: 'amd64'}
  infoValue: EngineInfo = {
    name: 'vps',
    storageDriver: 'overlay2',
    memTotalBytes: 8 * 1024 ** 3,
    cpus: 4,
    dockerRootDir: '/var/lib/docker',
    containers: 0,
    swarm: false,
    warnings: [],
  }

  private readonly behaviours = new Map<string, AppBehaviour>()
  private readonly hooks = new Map<string, Array<(...args: unknown[]) => void | Promise<void>>>()
  private sequence = 0
  private ipSequence = 1

  constructor(readonly log: string[] = []) {}

  // ---- test controls -------------------------------------------------------

  /** Sets what a container (by name) or every container of an image does once started. */
  behave(nameOrImage: string, behaviour: AppBehaviour): this {
    this.behaviours.set(nameOrImage, behaviour)
    return this
  }

  /** Runs before the named method (after its arguments are known); may throw to inject a failure or change state to simulate a race. */
  before(method: keyof Engine, hook: (...args: never[]) => void | Promise<void>): this {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook as (...args: unknown[]) => void])
    return this
  }

  seedContainer(seed: SeedContainer): FakeContainer {
    const networks = Array.isArray(seed.networks)
      ? new Map(seed.networks.map((name) => [name, [] as string[]]))
      : new Map(Object.entries(seed.networks ?? {}))
    const container: FakeContainer = {
      id: seed.id ?? this.newId('c'),
      image: 'example/app:1',
      labels: {},
      env: {},
      state: 'running',
      created: CREATED,
      restartCount: 0,
      ports: [],
      exposedPorts: [],
      ips: {},
      mounts: [],
      command: [],
      probes: 0,
      ...seed,
      networks,
      networkIds: new Map(
        [...networks.keys()].flatMap((name) =>
          this.networks.has(name) ? [[name, this.networks.get(name)!.id] as [string, string]] : [],
        ),
      ),
    }
    if (container.state === 'running') this.assignIps(container)
    this.containers.set(container.id, container)
    return container
  }

  seedNetwork(name: string, labels: Labels = {}, subnets: string[] = []): void {
    this.networks.set(name, {id: this.newId('n'), name, labels, subnets, created: CREATED})
  }

  seedVolume(name: string, labels: Labels = {}): void {
    this.volumes.set(name, {name, labels})
  }

  container(nameOrId: string): FakeContainer | undefined {
    return this.find(nameOrId)
  }

  containerNames(): string[] {
    return [...this.containers.values()].map((container) => container.name).sort()
  }

  networkNames(): string[] {
    return [...this.networks.keys()].sort()
  }

  volumeNames(): string[] {
    return [...this.volumes.keys()].sort()
  }

  /** Mutating calls of one kind, e.g. calls('start') → container names in order. */
  calls(kind: string): string[] {
    return this.log.filter((entry) => entry.startsWith(`${kind} `)).map((entry) => entry.slice(kind.length + 1))
  }

  // ---- the Engine interface ------------------------------------------------

  async ping(): Promise<void> {}

  async version(): Promise<EngineVersion> {
    await this.hook('version')
    return {...this.versionInfo}
  }

  async info(): Promise<EngineInfo> {
    await this.hook('info')
    return {...this.infoValue}
  }

  async listContainers(filter: {labels?: LabelFilter; all?: boolean; name?: string}): Promise<ContainerSummary[]> {
    await this.hook('listContainers', filter)
    return [...this.containers.values()]
      .filter((container) => (filter.all ?? true) || container.state === 'running')
      .filter((container) => !filter.name || container.name.includes(filter.name))
      .filter((container) => matches(container.labels, filter.labels))
      .map((container) => this.summary(container))
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    await this.hook('inspectContainer', idOrName)
    const container = this.find(idOrName)
    if (!container) return undefined
    return {
      ...this.summary(container),
      ports: container.ports.map((port) => ({...port})),
      health: this.health(container),
      ...(container.exitCode !== undefined ? {exitCode: container.exitCode} : {}),
      restartCount: container.restartCount,
      env: {...container.env},
      ips: {...container.ips},
      ...(container.memoryBytes ? {memoryBytes: container.memoryBytes} : {}),
      ...(container.nanoCpus ? {nanoCpus: container.nanoCpus} : {}),
      command: [...container.command],
      mounts: container.mounts.map((mount) => ({
        type: 'volume',
        name: mount.source,
        source: `/var/lib/docker/volumes/${mount.source}/_data`,
        destination: mount.target,
      })),
      oomKilled: false,
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    await this.hook('createContainer', spec)
    if (this.byName(spec.name))
      throw new AimsError(
        'conflict',
        `create container ${spec.name}: Conflict. The container name "/${spec.name}" is already in use`,
      )
    if (!this.images.has(spec.image)) throw notFound(`create container ${spec.name}: No such image: ${spec.image}`)
    const [first, ...others] = spec.networks
    if (first && !this.networks.has(first.name))
      throw notFound(`create container ${spec.name}: network ${first.name} not found`)
    // Docker creates missing named volumes on the fly, without labels.
    for (const volume of spec.volumes)
      if (!this.volumes.has(volume.source)) this.volumes.set(volume.source, {name: volume.source, labels: {}})
    const container: FakeContainer = {
      id: this.newId('c'),
      name: spec.name,
      image: spec.image,
      labels: {...spec.labels},
      env: {...spec.env},
      state: 'created',
      created: new Date(CREATED.getTime() + this.sequence * 1000),
      restartCount: 0,
      ports: spec.ports.map((port) => ({...port})),
      exposedPorts: [
        ...spec.ports.map((port) => port.containerPort),
        ...(spec.exposedPorts ?? []).map((port) => port.containerPort),
      ],
      networks: new Map(first ? [[first.name, [...first.aliases]]] : []),
      networkIds: new Map(first ? [[first.name, this.networks.get(first.name)!.id]] : []),
      ips: {},
      mounts: spec.volumes.map((volume) => ({...volume})),
      ...(spec.memoryBytes ? {memoryBytes: spec.memoryBytes} : {}),
      ...(spec.nanoCpus ? {nanoCpus: spec.nanoCpus} : {}),
      ...(spec.healthcheck ? {healthcheck: spec.healthcheck} : {}),
      ...(spec.stopTimeoutSeconds ? {stopTimeoutSeconds: spec.stopTimeoutSeconds} : {}),
      command: [...(spec.entrypoint ?? []), ...(spec.command ?? [])],
      probes: 0,
    }
    this.containers.set(container.id, container)
    this.log.push(`createContainer ${spec.name}`)
    for (const network of others) await this.connectNetwork(network.name, container.id, network.aliases)
    return container.id
  }

  async startContainer(id: string): Promise<void> {
    await this.hook('startContainer', id)
    const container = this.require(id, 'start container')
    if (container.state === 'running') return
    for (const network of container.networks.keys()) {
      const id = container.networkIds.get(network)
      const current = this.networks.get(network)
      if (!current || (id !== undefined && current.id !== id))
        throw notFound(`start container ${container.name}: network ${id ?? network} not found`)
    }
    for (const binding of container.ports) {
      const holder = [...this.containers.values()].find(
        (other) =>
          other !== container &&
          other.state === 'running' &&
          other.ports.some((port) => port.hostPort === binding.hostPort),
      )
      if (holder)
        throw new AimsError(
          'engine',
          `Docker refused start container ${container.name}: Bind for ${binding.hostIp}:${binding.hostPort} failed: port is already allocated`,
        )
      if (this.hostListening.has(binding.hostPort))
        throw new AimsError(
          'engine',
          `Docker refused start container ${container.name}: listen tcp4 ${binding.hostIp}:${binding.hostPort}: bind: address already in use`,
        )
    }
    this.log.push(`start ${container.name}`)
    this.run(container)
  }

  // Like Docker: without an explicit timeout the container's own StopTimeout applies (10 s by default).
  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.hook('stopContainer', id, timeoutSeconds)
    const container = this.require(id, 'stop container')
    this.stopTimeouts.push({name: container.name, timeoutSeconds: timeoutSeconds ?? container.stopTimeoutSeconds ?? 10})
    this.log.push(`stop ${container.name}`)
    if (container.state !== 'running' && container.state !== 'restarting') return
    container.state = 'exited'
    container.exitCode = 0
    container.ips = {}
  }

  async restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.hook('restartContainer', id, timeoutSeconds)
    const container = this.require(id, 'restart container')
    this.stopTimeouts.push({name: container.name, timeoutSeconds: timeoutSeconds ?? container.stopTimeoutSeconds ?? 10})
    this.log.push(`restart ${container.name}`)
    this.run(container)
  }

  async removeContainer(id: string, options: {force?: boolean} = {}): Promise<void> {
    await this.hook('removeContainer', id, options)
    const container = this.find(id)
    if (!container) return
    if (container.state === 'running' && options.force === false)
      throw new AimsError('conflict', `remove container ${container.name}: container is running`)
    this.containers.delete(container.id)
    this.log.push(`removeContainer ${container.name}`)
  }

  async updateContainer(id: string, resources: {memoryBytes?: number; nanoCpus?: number}): Promise<void> {
    await this.hook('updateContainer', id, resources)
    const container = this.require(id, 'update container')
    if (resources.memoryBytes) container.memoryBytes = resources.memoryBytes
    if (resources.nanoCpus) container.nanoCpus = resources.nanoCpus
    this.updates.push({name: container.name, resources: {...resources}})
    this.log.push(`updateContainer ${container.name}`)
  }

  async cloneContainer(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]; image?: string},
  ): Promise<string> {
    await this.hook('cloneContainer', source, changes)
    const original = this.require(source, `inspect container`)
    if (this.byName(changes.name))
      throw new AimsError(
        'conflict',
        `create container ${changes.name}: Conflict. The container name "/${changes.name}" is already in use`,
      )
    const copy: FakeContainer = {
      ...original,
      id: this.newId('c'),
      name: changes.name,
      ...(changes.image ? {image: changes.image} : {}),
      labels: {...original.labels, ...changes.labels},
      env: {...original.env},
      state: 'created',
      exitCode: undefined,
      restartCount: 0,
      ports: changes.ports.map((port) => ({...port})),
      networks: new Map([...original.networks].map(([name, aliases]) => [name, [...aliases]])),
      networkIds: new Map(original.networkIds),
      ips: {},
      mounts: original.mounts.map((mount) => ({...mount})),
      probes: 0,
    }
    this.containers.set(copy.id, copy)
    this.log.push(`cloneContainer ${changes.name}`)
    return copy.id
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.hook('renameContainer', id, name)
    const container = this.require(id, 'rename container')
    if (this.byName(name)) throw new AimsError('conflict', `rename container: the name "/${name}" is already in use`)
    this.log.push(`renameContainer ${container.name} ${name}`)
    container.name = name
  }

  async pauseContainer(id: string): Promise<void> {
    await this.hook('pauseContainer', id)
    const container = this.require(id, 'pause container')
    this.log.push(`pause ${container.name}`)
    if (container.state === 'running') container.state = 'paused'
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.hook('unpauseContainer', id)
    const container = this.require(id, 'unpause container')
    this.log.push(`unpause ${container.name}`)
    if (container.state === 'paused') container.state = 'running'
  }

  async connectNetwork(network: string, container: string, aliases: string[]): Promise<void> {
    await this.hook('connectNetwork', network, container, aliases)
    if (!this.networks.has(network)) throw notFound(`connect ${container} to ${network}: network ${network} not found`)
    const target = this.require(container, `connect to ${network}`)
    if (target.networks.has(network))
      throw new AimsError(
        'engine',
        `Docker refused connect ${container} to ${network}: endpoint with name ${target.name} already exists in network ${network}`,
      )
    target.networks.set(network, [...aliases])
    target.networkIds.set(network, this.networks.get(network)!.id)
    if (target.state === 'running') target.ips[network] = this.nextIp()
    this.log.push(`connectNetwork ${network} ${target.name}`)
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.hook('disconnectNetwork', network, container)
    const target = this.find(container)
    const name =
      this.networks.get(network)?.name ?? [...this.networks.values()].find((item) => item.id === network)?.name
    if (!target || !name || !target.networks.has(name)) return
    target.networks.delete(name)
    target.networkIds.delete(name)
    delete target.ips[name]
    this.log.push(`disconnectNetwork ${name} ${target.name}`)
  }

  async logs(id: string, options: {tail?: number; since?: Date; timestamps?: boolean}): Promise<LogLine[]> {
    await this.hook('logs', id, options)
    const container = this.require(id, 'read logs of')
    const lines = (this.behaviour(container).logs?.(container.env) ?? []).map((text, index): LogLine => ({
      stream: 'stdout',
      text,
      time: new Date(CREATED.getTime() + index),
    }))
    return options.tail !== undefined ? lines.slice(-options.tail) : lines
  }

  // eslint-disable-next-line require-yield
  async *followLogs(id: string): AsyncIterable<LogLine> {
    throw new Error(`unexpected engine call: followLogs(${id})`)
  }

  async stats(id: string): Promise<StatsSample> {
    throw new Error(`unexpected engine call: stats(${id})`)
  }

  async execInContainer(id: string, command: string[]): Promise<{exitCode: number; output: string}> {
    throw new Error(`unexpected engine call: execInContainer(${id}, ${command.join(' ')})`)
  }

  async listNetworks(filter: {labels?: LabelFilter; name?: string}): Promise<NetworkSummary[]> {
    await this.hook('listNetworks', filter)
    return [...this.networks.values()]
      .filter((network) => (!filter.name || network.name === filter.name) && matches(network.labels, filter.labels))
      .map((network) => this.networkSummary(network))
  }

  async inspectNetwork(idOrName: string): Promise<(NetworkSummary & {containerNames: string[]}) | undefined> {
    await this.hook('inspectNetwork', idOrName)
    const network = this.networks.get(idOrName) ?? [...this.networks.values()].find((item) => item.id === idOrName)
    if (!network) return undefined
    return {
      ...this.networkSummary(network),
      containerNames: this.activeEndpoints(network.name).map((container) => container.name),
    }
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    await this.hook('createNetwork', spec)
    if (this.networks.has(spec.name))
      throw new AimsError('conflict', `create network ${spec.name}: network with name ${spec.name} already exists`)
    const network: FakeNetwork = {
      id: this.newId('n'),
      name: spec.name,
      labels: {...spec.labels},
      subnets: spec.subnet ? [spec.subnet] : [],
      created: CREATED,
    }
    this.networks.set(spec.name, network)
    this.log.push(`createNetwork ${spec.name}`)
    return network.id
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.hook('removeNetwork', idOrName)
    const network = this.networks.get(idOrName) ?? [...this.networks.values()].find((item) => item.id === idOrName)
    if (!network) return
    if (this.activeEndpoints(network.name).length > 0)
      throw new AimsError(
        'conflict',
        `remove network ${network.name}: error while removing network: network ${network.name} has active endpoints`,
      )
    this.networks.delete(network.name)
    this.log.push(`removeNetwork ${network.name}`)
  }

  async listVolumes(filter: {labels?: LabelFilter}): Promise<VolumeSummary[]> {
    await this.hook('listVolumes', filter)
    return [...this.volumes.values()]
      .filter((volume) => matches(volume.labels, filter.labels))
      .map((volume) => ({name: volume.name, labels: {...volume.labels}}))
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.hook('createVolume', spec)
    this.log.push(`createVolume ${spec.name}`)
    // Docker: creating an existing volume succeeds and keeps the existing labels.
    if (!this.volumes.has(spec.name)) this.volumes.set(spec.name, {name: spec.name, labels: {...spec.labels}})
  }

  async removeVolume(name: string): Promise<void> {
    await this.hook('removeVolume', name)
    if (!this.volumes.has(name)) return
    const user = [...this.containers.values()].find((container) =>
      container.mounts.some((mount) => mount.source === name),
    )
    if (user) throw new AimsError('conflict', `remove volume ${name}: volume is in use - [${user.id}]`)
    this.volumes.delete(name)
    this.log.push(`removeVolume ${name}`)
  }

  async inspectImage(reference: string): Promise<{id: string; repoDigests: string[]} | undefined> {
    await this.hook('inspectImage', reference)
    if (!this.images.has(reference)) return undefined
    const id = `sha256:${Buffer.from(reference).toString('hex').padEnd(64, '0').slice(0, 64)}`
    return {id, repoDigests: []}
  }

  async imageExists(reference: string): Promise<boolean> {
    await this.hook('imageExists', reference)
    return this.images.has(reference)
  }

  async pullImage(reference: string, onProgress?: (progress: PullProgress) => void): Promise<void> {
    await this.hook('pullImage', reference)
    this.log.push(`pullImage ${reference}`)
    if (!this.pullable.has(reference)) throw new AimsError('engine', `pull of ${reference} failed: manifest unknown`)
    onProgress?.({image: reference, status: 'Downloading', layer: 'a1b2c3', current: 512, total: 1024})
    onProgress?.({image: reference, status: 'Pull complete', layer: 'a1b2c3'})
    this.images.add(reference)
  }

  async tagImage(source: string, target: string): Promise<void> {
    await this.hook('tagImage', source)
    this.log.push(`tagImage ${source} ${target}`)
    if (!this.images.has(source)) throw new AimsError('not-found', `no such image: ${source}`)
    this.images.add(target)
  }

  /** Builds "succeed" by default: the image appears; a context holding FAIL_BUILD fails like a failed RUN. */
  async buildImage(context: Buffer, spec: ImageBuildSpec): Promise<ImageBuildResult> {
    await this.hook('buildImage', spec.tag)
    this.log.push(`buildImage ${spec.tag}`)
    if (context.includes('FAIL_BUILD'))
      throw new AimsError('build', 'the image build failed on fake: The command returned a non-zero code: 1', {
        details: {log: ['Step 1/1 : RUN false']},
      })
    this.images.add(spec.tag)
    return {imageId: `sha256:${spec.tag.length.toString(16).padStart(64, '0')}`, log: [], steps: 1, cachedSteps: 0}
  }

  async removeImage(reference: string): Promise<void> {
    this.log.push(`removeImage ${reference}`)
    this.images.delete(reference)
  }

  async execAttached(): Promise<number> {
    throw new Error('unexpected engine call: execAttached')
  }

  // eslint-disable-next-line require-yield
  async *events(): AsyncIterable<EngineEvent> {
    throw new Error('unexpected engine call: events')
  }

  // ---- TCP from the host's side (the session's connectTcp) -------------------

  /** A connection to host:port as seen from the host: a published port on 127.0.0.1 or a container IP. */
  async connect(host: string, port: number): Promise<Duplex> {
    const container = [...this.containers.values()].find(
      (item) =>
        item.state === 'running' &&
        (host === '127.0.0.1' || host === 'localhost'
          ? item.ports.some((binding) => binding.hostPort === port)
          : Object.values(item.ips).includes(host) && item.exposedPorts.includes(port)),
    )
    const refused = () =>
      Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), {code: 'ECONNREFUSED'}))
    if (!container) return refused()
    container.probes++
    this.log.push(`probe ${container.name}`)
    const behaviour = this.behaviour(container)
    if (container.probes <= (behaviour.refuseFirstProbes ?? 0)) return refused()
    const status = behaviour.http ?? 200
    if (status === 'refuse') return refused()
    return httpResponder(status)
  }

  // ---- internals -------------------------------------------------------------

  private async hook(method: string, ...args: unknown[]): Promise<void> {
    this.apiCalls++
    for (const hook of this.hooks.get(method) ?? []) await hook(...args)
  }

  private newId(prefix: string): string {
    this.sequence++
    return `${prefix}${String(this.sequence).padStart(4, '0')}${'0'.repeat(59)}`
  }

  private nextIp(): string {
    this.ipSequence++
    return `10.210.${Math.floor(this.ipSequence / 250)}.${this.ipSequence % 250}`
  }

  private assignIps(container: FakeContainer): void {
    container.ips = Object.fromEntries([...container.networks.keys()].map((network) => [network, this.nextIp()]))
  }

  private run(container: FakeContainer): void {
    const behaviour = this.behaviour(container)
    container.probes = 0
    if (behaviour.exitCode !== undefined) {
      container.state = 'exited'
      container.exitCode = behaviour.exitCode
      container.ips = {}
      return
    }
    if (behaviour.restarting) {
      container.state = 'restarting'
      container.restartCount++
      container.exitCode = 1
      container.ips = {}
      return
    }
    container.state = 'running'
    container.exitCode = 0
    this.assignIps(container)
  }

  private behaviour(container: FakeContainer): AppBehaviour {
    return this.behaviours.get(container.name) ?? this.behaviours.get(container.image) ?? {}
  }

  private health(container: FakeContainer): HealthStatus {
    if (container.state !== 'running') return 'none'
    return this.behaviour(container).dockerHealth ?? (container.healthcheck ? 'healthy' : 'none')
  }

  private find(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? this.byName(idOrName)
  }

  private byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((container) => container.name === name)
  }

  private require(idOrName: string, what: string): FakeContainer {
    const container = this.find(idOrName)
    if (!container) throw notFound(`${what} ${idOrName}: No such container: ${idOrName}`)
    return container
  }

  private activeEndpoints(network: string): FakeContainer[] {
    return [...this.containers.values()].filter(
      (container) => container.state === 'running' && container.networks.has(network),
    )
  }

  private networkSummary(network: FakeNetwork): NetworkSummary {
    return {
      id: network.id,
      name: network.name,
      labels: {...network.labels},
      subnets: [...network.subnets],
      created: network.created,
      containers: this.activeEndpoints(network.name).length,
    }
  }

  private summary(container: FakeContainer): ContainerSummary {
    const health = this.health(container)
    const status =
      container.state === 'running'
        ? `Up 5 seconds${health === 'none' ? '' : health === 'starting' ? ' (health: starting)' : ` (${health})`}`
        : container.state === 'exited'
          ? `Exited (${container.exitCode ?? 0}) 2 seconds ago`
          : container.state === 'restarting'
            ? `Restarting (${container.exitCode ?? 1}) 1 second ago`
            : container.state === 'created'
              ? 'Created'
              : container.state
    return {
      id: container.id,
      name: container.name,
      image: container.image,
      labels: {...container.labels},
      state: container.state,
      status,
      created: container.created,
      ports: container.state === 'running' ? container.ports.map((port) => ({...port})) : [],
      health,
      networks: [...container.networks.keys()],
    }
  }
}

/** A stream that answers the first request with an HTTP status line and closes. */
function httpResponder(status: number): Duplex {
  const stream: Duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback()
      queueMicrotask(() => {
        stream.push(
          `HTTP/1.1 ${status} ${status < 400 ? 'OK' : 'Error'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        )
        stream.push(null)
      })
    },
  })
  return stream
}
