/**
 * The one file that speaks dockerode. Maps aims' Engine interface to Docker
 * Engine API v1.41 calls, and Docker's errors to typed AimsErrors.
 */
import {oneLine} from '../core/text/sanitize.js'
import type Dockerode from 'dockerode'
import {AimsError} from '../core/errors.js'
import {engineWords, pullFailure} from '../core/pull-failure.js'
import type {
  ContainerDetails,
  ContainerSpec,
  ContainerState,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  BuildProgress,
  HealthStatus,
  ImageBuildResult,
  ImageBuildSpec,
  LogLine,
  NetworkSpec,
  NetworkSummary,
  PortBinding,
  PullProgress,
  StatsSample,
  VolumeSpec,
  VolumeSummary,
} from '../core/engine-types.js'
import type {Engine, LabelFilter, SwarmApi} from '../services/ports.js'
import {demuxAll, demuxChunk, emptyDemuxState} from './docker-stream.js'
import {DockerSwarm} from './docker-swarm.js'

export const MIN_API_VERSION = '1.41'

export interface DockerEngineOptions {
  /** Per-call timeout for non-streaming calls. */
  callTimeoutMs: number
  /** Turns transport failures (socket, SSH) into AimsErrors with a diagnosis. */
  mapTransportError: (error: unknown) => Promise<AimsError>
  /** Counts API calls for metrics. */
  onCall?: () => void
  where: string
}

interface DockerError extends Error {
  statusCode?: number
  json?: {message?: string}
  reason?: string
  code?: string
}

function labelFilters(labels: LabelFilter | undefined): string[] {
  return Object.entries(labels ?? {}).map(([key, value]) => (value === true ? key : `${key}=${value}`))
}

export function healthFromStatus(status: string): HealthStatus {
  if (/\(healthy\)/.test(status)) return 'healthy'
  if (/\(unhealthy\)/.test(status)) return 'unhealthy'
  if (/health: starting/.test(status)) return 'starting'
  return 'none'
}

function portsFromSummary(ports: Dockerode.Port[] | undefined): PortBinding[] {
  return (ports ?? [])
    .filter((port) => port.PublicPort !== undefined)
    .map((port) => ({
      containerPort: port.PrivatePort,
      protocol: port.Type === 'udp' ? 'udp' : 'tcp',
      hostPort: port.PublicPort,
      hostIp: port.IP ?? '0.0.0.0',
    }))
}

function portsFromBindings(
  bindings: Record<string, Array<{HostIp?: string; HostPort?: string}> | null> | undefined,
): PortBinding[] {
  const result: PortBinding[] = []
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [port, protocol] = key.split('/')
    for (const binding of list ?? []) {
      if (!binding.HostPort) continue
      result.push({
        containerPort: Number(port),
        protocol: protocol === 'udp' ? 'udp' : 'tcp',
        hostPort: Number(binding.HostPort),
        hostIp: binding.HostIp || '0.0.0.0',
      })
    }
  }
  return result
}

function envToRecord(env: string[] | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  for (const item of env ?? []) {
    const index = item.indexOf('=')
    if (index > 0) record[item.slice(0, index)] = item.slice(index + 1)
  }
  return record
}

const stripSlash = (name: string) => name.replace(/^\//, '')
const validDate = (text: string | undefined) => (text && !text.startsWith('0001-') ? new Date(text) : undefined)

export class DockerEngine implements Engine {
  constructor(
    private readonly docker: Dockerode,
    private readonly options: DockerEngineOptions,
  ) {}

  /** Runs one API call with a timeout and maps its errors. */
  private async call<T>(
    what: string,
    run: (signal: AbortSignal) => Promise<T>,
    timeoutMs = this.options.callTimeoutMs,
  ): Promise<T> {
    this.options.onCall?.()
    const signal = AbortSignal.timeout(timeoutMs)
    const started = performance.now()
    try {
      return await run(signal)
    } catch (error) {
      throw await this.mapError(error, what, signal)
    } finally {
      // AIMS_TRACE=1: every engine call and its duration on stderr (diagnosing slow hosts).
      if (process.env.AIMS_TRACE)
        process.stderr.write(
          `trace: ${Math.round(performance.now())} ms  ${what} (${Math.round(performance.now() - started)} ms)\n`,
        )
    }
  }

  private async mapError(error: unknown, what: string, signal?: AbortSignal): Promise<AimsError> {
    if (error instanceof AimsError) return error
    const docker = error as DockerError
    if (signal?.aborted || docker.name === 'AbortError' || docker.name === 'TimeoutError') {
      return new AimsError('connection', `the Docker engine on ${this.options.where} did not answer ${what} in time`, {
        hint: 'check the host load and network, then retry',
      })
    }
    if (typeof docker.statusCode === 'number') {
      // Streamed requests leave json null: the engine's words are then in the message, after dockerode's prefix.
      const message = oneLine(docker.json?.message ?? (engineWords(docker.message ?? '') || docker.reason || ''))
      if (docker.statusCode === 400 && /client version .* is too new/i.test(message)) {
        const max = /maximum supported API version is ([\d.]+)/i.exec(message)?.[1] ?? 'older'
        return new AimsError(
          'engine',
          `the Docker engine on ${this.options.where} speaks API ${max}, older than ${MIN_API_VERSION}`,
          {hint: 'upgrade Docker on the host to 20.10 or newer'},
        )
      }
      if (docker.statusCode === 404) return new AimsError('not-found', `${what}: ${message}`, {exitCode: 1})
      if (docker.statusCode === 409) return new AimsError('conflict', `${what}: ${message}`)
      return new AimsError('engine', `Docker refused ${what}: ${message}`, {details: {statusCode: docker.statusCode}})
    }
    return this.options.mapTransportError(error)
  }

  private swarmApi?: SwarmApi
  /** The same connection's Swarm API (cluster work only). */
  swarm(): SwarmApi {
    return (this.swarmApi ??= new DockerSwarm(this.docker, (what, run, timeoutMs) => this.call(what, run, timeoutMs)))
  }

  async ping(): Promise<void> {
    await this.call('ping', (abortSignal) => loose(this.docker).ping({abortSignal}))
  }

  async version(): Promise<EngineVersion> {
    const version = await this.call(
      'version',
      (abortSignal) => loose(this.docker).version({abortSignal}) as Promise<Dockerode.DockerVersion>,
    )
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      minApiVersion: version.MinAPIVersion,
      os: version.Os,
      arch: version.Arch,
      kernel: version.KernelVersion,
    }
  }

  async info(): Promise<EngineInfo> {
    const info = await this.call(
      'info',
      (abortSignal) => loose(this.docker).info({abortSignal}) as Promise<Record<string, EngineJson>>,
    )
    return {
      name: info.Name,
      storageDriver: info.Driver,
      memTotalBytes: info.MemTotal,
      cpus: info.NCPU,
      dockerRootDir: info.DockerRootDir,
      containers: info.Containers,
      serverTime: validDate(info.SystemTime),
      swarm: info.Swarm?.LocalNodeState === 'active',
      warnings: info.Warnings ?? [],
      registryMirrors: (info.RegistryConfig?.Mirrors as string[] | undefined) ?? [],
    }
  }

  async listContainers(filter: {labels?: LabelFilter; all?: boolean; name?: string}): Promise<ContainerSummary[]> {
    const filters: Record<string, string[]> = {}
    const labels = labelFilters(filter.labels)
    if (labels.length > 0) filters.label = labels
    if (filter.name) filters.name = [filter.name]
    const list = await this.call('list containers', (abortSignal) =>
      this.docker.listContainers({all: filter.all ?? true, filters, abortSignal} as Dockerode.ContainerListOptions),
    )
    return list.map((item) => ({
      id: item.Id,
      name: stripSlash(item.Names[0] ?? item.Id),
      image: item.Image,
      labels: item.Labels ?? {},
      state: item.State as ContainerState,
      status: item.Status,
      created: new Date(item.Created * 1000),
      ports: portsFromSummary(item.Ports),
      health: healthFromStatus(item.Status),
      networks: Object.keys(item.NetworkSettings?.Networks ?? {}),
    }))
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | undefined> {
    try {
      const info = await this.call(`inspect container ${idOrName}`, (abortSignal) =>
        this.docker.getContainer(idOrName).inspect({abortSignal}),
      )
      const networks = info.NetworkSettings?.Networks ?? {}
      return {
        id: info.Id,
        name: stripSlash(info.Name),
        image: info.Config.Image,
        labels: info.Config.Labels ?? {},
        state: info.State.Status as ContainerState,
        status: info.State.Status,
        created: new Date(info.Created),
        ports: portsFromBindings(info.HostConfig.PortBindings as never),
        health: (info.State.Health?.Status as HealthStatus | undefined) ?? 'none',
        networks: Object.keys(networks),
        startedAt: validDate(info.State.StartedAt),
        finishedAt: validDate(info.State.FinishedAt),
        exitCode: info.State.ExitCode,
        restartCount: info.RestartCount ?? 0,
        env: envToRecord(info.Config.Env),
        ips: Object.fromEntries(Object.entries(networks).map(([name, network]) => [name, network.IPAddress])),
        memoryBytes: info.HostConfig.Memory || undefined,
        nanoCpus: info.HostConfig.NanoCpus || undefined,
        command: [...(info.Config.Entrypoint ? [info.Config.Entrypoint].flat() : []), ...(info.Config.Cmd ?? [])],
        mounts: (info.Mounts ?? []).map((mount) => ({
          type: mount.Type,
          name: mount.Name,
          source: mount.Source,
          destination: mount.Destination,
        })),
        oomKilled: info.State.OOMKilled,
        error: info.State.Error || undefined,
      }
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return undefined
      throw error
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const [first, ...others] = spec.networks
    const exposed: Record<string, object> = {}
    for (const port of spec.ports) exposed[`${port.containerPort}/${port.protocol}`] = {}
    for (const port of spec.exposedPorts ?? []) exposed[`${port.containerPort}/${port.protocol}`] = {}
    const bindings: Record<string, Array<{HostIp: string; HostPort: string}>> = {}
    for (const port of spec.ports) {
      const key = `${port.containerPort}/${port.protocol}`
      bindings[key] = [...(bindings[key] ?? []), {HostIp: port.hostIp, HostPort: String(port.hostPort)}]
    }
    const options: Dockerode.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      ...(spec.command ? {Cmd: spec.command} : {}),
      ...(spec.entrypoint ? {Entrypoint: spec.entrypoint} : {}),
      Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      Labels: spec.labels,
      ExposedPorts: exposed,
      ...(spec.user ? {User: spec.user} : {}),
      ...(spec.workingDir ? {WorkingDir: spec.workingDir} : {}),
      ...(spec.stopTimeoutSeconds ? {StopTimeout: spec.stopTimeoutSeconds} : {}),
      ...(spec.healthcheck
        ? {
            Healthcheck: {
              Test: spec.healthcheck.test,
              Interval: spec.healthcheck.intervalSeconds * 1e9,
              Timeout: spec.healthcheck.timeoutSeconds * 1e9,
              Retries: spec.healthcheck.retries,
              StartPeriod: spec.healthcheck.startPeriodSeconds * 1e9,
            },
          }
        : {}),
      HostConfig: {
        Init: spec.init,
        // No swap beyond the memory limit: limits mean what they say.
        ...(spec.memoryBytes ? {MemorySwap: spec.memoryBytes} : {}),
        RestartPolicy: {
          Name: spec.restartPolicy,
          ...(spec.restartPolicy === 'on-failure' ? {MaximumRetryCount: 5} : {}),
        },
        PortBindings: bindings,
        Mounts: spec.volumes.map((volume) => ({
          Type: volume.bind ? ('bind' as const) : ('volume' as const),
          Source: volume.source,
          Target: volume.target,
          ReadOnly: volume.readOnly ?? false,
        })),
        ...(spec.memoryBytes ? {Memory: spec.memoryBytes} : {}),
        ...(spec.nanoCpus ? {NanoCpus: spec.nanoCpus} : {}),
        ...(spec.tmpfs ? {Tmpfs: Object.fromEntries(spec.tmpfs.map((path) => [path, '']))} : {}),
        ...(spec.extraHosts ? {ExtraHosts: spec.extraHosts} : {}),
        ...(spec.autoRemove ? {AutoRemove: true} : {}),
        ...(spec.pidsLimit ? {PidsLimit: spec.pidsLimit} : {}),
        ...(spec.capDrop ? {CapDrop: spec.capDrop} : {}),
        ...(spec.noNewPrivileges ? {SecurityOpt: ['no-new-privileges']} : {}),
        ...(first ? {NetworkMode: first.name} : {}),
      },
      ...(first ? {NetworkingConfig: {EndpointsConfig: {[first.name]: {Aliases: first.aliases}}}} : {}),
    }
    const container = await this.call(`create container ${spec.name}`, (abortSignal) =>
      this.docker.createContainer({...options, abortSignal} as never),
    )
    for (const network of others) await this.connectNetwork(network.name, container.id, network.aliases)
    return container.id
  }

  async startContainer(id: string): Promise<void> {
    await this.call(`start container ${id}`, (abortSignal) =>
      this.docker.getContainer(id).start({abortSignal}).catch(ignoreNotModified),
    )
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.call(
      `stop container ${id}`,
      (abortSignal) =>
        this.docker
          .getContainer(id)
          .stop({...(timeoutSeconds === undefined ? {} : {t: timeoutSeconds}), abortSignal})
          .catch(ignoreNotModified),
      ((timeoutSeconds ?? 600) + 30) * 1000,
    )
  }

  async restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.call(
      `restart container ${id}`,
      (abortSignal) =>
        this.docker
          .getContainer(id)
          .restart({...(timeoutSeconds === undefined ? {} : {t: timeoutSeconds}), abortSignal}),
      ((timeoutSeconds ?? 600) + 30) * 1000,
    )
  }

  async removeContainer(id: string, options: {force?: boolean} = {}): Promise<void> {
    try {
      await this.call(`remove container ${id}`, (abortSignal) =>
        this.docker.getContainer(id).remove({force: options.force ?? true, v: false, abortSignal}),
      )
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return
      // "removal of container … is already in progress" is as good as done.
      if (error instanceof AimsError && error.kind === 'conflict' && /already in progress/.test(error.message)) return
      throw error
    }
  }

  async updateContainer(id: string, resources: {memoryBytes?: number; nanoCpus?: number}): Promise<void> {
    await this.call(`update container ${id}`, (abortSignal) =>
      loose(this.docker.getContainer(id)).update({
        ...(resources.memoryBytes ? {Memory: resources.memoryBytes, MemorySwap: resources.memoryBytes} : {}),
        ...(resources.nanoCpus ? {NanoCpus: resources.nanoCpus} : {}),
        abortSignal,
      }),
    )
  }

  async cloneContainer(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]; image?: string},
  ): Promise<string> {
    const info = (await this.call(`inspect container ${source}`, (abortSignal) =>
      this.docker.getContainer(source).inspect({abortSignal}),
    )) as Dockerode.ContainerInspectInfo
    const bindings: Record<string, Array<{HostIp: string; HostPort: string}>> = {}
    for (const port of changes.ports) {
      const key = `${port.containerPort}/${port.protocol}`
      bindings[key] = [...(bindings[key] ?? []), {HostIp: port.hostIp, HostPort: String(port.hostPort)}]
    }
    const networks = Object.entries(info.NetworkSettings?.Networks ?? {})
    const [first, ...others] = networks
    // Aliases Docker adds itself (the container's short id) must not be copied.
    const aliasesOf = (network: Dockerode.NetworkInfo | undefined) =>
      ((network?.Aliases ?? []) as string[]).filter((alias: string) => !info.Id.startsWith(alias))
    const hostConfig = {...(info.HostConfig as Record<string, unknown>), PortBindings: bindings}
    const config = changes.image ? await this.imageDefaultsFor(info, changes.image) : info.Config
    const options = {
      ...(config as unknown as Record<string, unknown>),
      name: changes.name,
      Hostname: undefined,
      Labels: {...(info.Config.Labels ?? {}), ...changes.labels},
      HostConfig: hostConfig,
      ...(first ? {NetworkingConfig: {EndpointsConfig: {[first[0]]: {Aliases: aliasesOf(first[1])}}}} : {}),
    }
    const created = await this.call(`create container ${changes.name}`, (abortSignal) =>
      this.docker.createContainer({...options, abortSignal} as never),
    )
    for (const [name, network] of others) await this.connectNetwork(name, created.id, aliasesOf(network))
    return created.id
  }

  /**
   * A container's config for another image: what the container took from its old image (command,
   * entrypoint, workdir, env entries the image set) is left out, so the new image's defaults apply;
   * what aims or the catalog set stays.
   */
  private async imageDefaultsFor(
    info: Dockerode.ContainerInspectInfo,
    image: string,
  ): Promise<Dockerode.ContainerInspectInfo['Config']> {
    const oldImage = (await this.call(`inspect image ${info.Image}`, (abortSignal) =>
      loose(this.docker.getImage(info.Image)).inspect({abortSignal}),
    ).catch(() => undefined)) as {Config?: {Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string; Env?: string[]}}
    const defaults = oldImage?.Config ?? {}
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
    const config: Record<string, unknown> = {...(info.Config as unknown as Record<string, unknown>), Image: image}
    if (same(info.Config.Cmd, defaults.Cmd)) delete config.Cmd
    if (same(info.Config.Entrypoint, defaults.Entrypoint)) delete config.Entrypoint
    if (same(info.Config.WorkingDir, defaults.WorkingDir)) delete config.WorkingDir
    const imageEnv = new Set(defaults.Env ?? [])
    config.Env = (info.Config.Env ?? []).filter((entry) => !imageEnv.has(entry))
    return config as unknown as Dockerode.ContainerInspectInfo['Config']
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call(`rename container ${id}`, (abortSignal) =>
      (this.docker.getContainer(id) as unknown as Resumable).rename({name, abortSignal}),
    )
  }

  async pauseContainer(id: string): Promise<void> {
    await this.call(`pause container ${id}`, (abortSignal) =>
      (this.docker.getContainer(id) as unknown as Resumable).pause({abortSignal}),
    )
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.call(`unpause container ${id}`, (abortSignal) =>
      (this.docker.getContainer(id) as unknown as Resumable).unpause({abortSignal}).catch((error: DockerError) => {
        // 409/500 "is not paused": nothing to undo.
        if (/not paused/i.test(String(error?.json?.message ?? error?.message))) return undefined
        throw error
      }),
    )
  }

  async recreateContainer(idOrName: string, changes: {image?: string} = {}): Promise<string> {
    const info = (await this.call(`inspect container ${idOrName}`, (abortSignal) =>
      this.docker.getContainer(idOrName).inspect({abortSignal}),
    )) as Dockerode.ContainerInspectInfo
    const name = info.Name.replace(/^\//, '')
    const ports = Object.entries(
      (info.HostConfig.PortBindings ?? {}) as Record<string, Array<{HostIp: string; HostPort: string}>>,
    ).flatMap(([key, bindings]) => {
      const [port, protocol] = key.split('/')
      return (bindings ?? []).map((binding) => ({
        containerPort: Number(port),
        protocol: (protocol === 'udp' ? 'udp' : 'tcp') as 'tcp' | 'udp',
        hostPort: Number(binding.HostPort),
        hostIp: binding.HostIp,
      }))
    })
    // The copy first, under a temporary name: if it cannot be made, the original is untouched.
    const temporary = `${name}.recreate`
    await this.removeContainer(temporary, {force: true})
    const copy = await this.cloneContainer(info.Id, {name: temporary, labels: {}, ports})
    if (changes.image) {
      await this.removeContainer(copy, {force: true})
      const withImage = await this.cloneWithImage(info, temporary, ports, changes.image)
      return this.swapIn(info.Id, withImage, name)
    }
    return this.swapIn(info.Id, copy, name)
  }

  private async cloneWithImage(
    info: Dockerode.ContainerInspectInfo,
    name: string,
    ports: PortBinding[],
    image: string,
  ): Promise<string> {
    const bindings: Record<string, Array<{HostIp: string; HostPort: string}>> = {}
    for (const port of ports) {
      const key = `${port.containerPort}/${port.protocol}`
      bindings[key] = [...(bindings[key] ?? []), {HostIp: port.hostIp, HostPort: String(port.hostPort)}]
    }
    const networks = Object.entries(info.NetworkSettings?.Networks ?? {})
    const [first, ...others] = networks
    const aliasesOf = (network: Dockerode.NetworkInfo | undefined) =>
      ((network?.Aliases ?? []) as string[]).filter((alias: string) => !info.Id.startsWith(alias))
    const created = await this.call(`create container ${name}`, (abortSignal) =>
      this.docker.createContainer({
        ...(info.Config as unknown as Record<string, unknown>),
        Image: image,
        name,
        Hostname: undefined,
        HostConfig: {...(info.HostConfig as Record<string, unknown>), PortBindings: bindings},
        ...(first ? {NetworkingConfig: {EndpointsConfig: {[first[0]]: {Aliases: aliasesOf(first[1])}}}} : {}),
        abortSignal,
      } as never),
    )
    for (const [network, settings] of others) await this.connectNetwork(network, created.id, aliasesOf(settings))
    return created.id
  }

  /** Removes the original and gives the copy its name. */
  private async swapIn(original: string, copy: string, name: string): Promise<string> {
    await this.removeContainer(original, {force: true})
    await this.call(`rename container ${copy}`, (abortSignal) =>
      (this.docker.getContainer(copy).rename as (options: unknown) => Promise<unknown>)({name, abortSignal}),
    )
    return copy
  }

  async connectNetwork(network: string, container: string, aliases: string[]): Promise<void> {
    await this.call(`connect ${container} to ${network}`, (abortSignal) =>
      (this.docker.getNetwork(network).connect as (options: unknown) => Promise<unknown>)({
        Container: container,
        EndpointConfig: {Aliases: aliases},
        abortSignal,
      } as never),
    )
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    try {
      await this.call(`disconnect ${container} from ${network}`, (abortSignal) =>
        (this.docker.getNetwork(network).disconnect as (options: unknown) => Promise<unknown>)({
          Container: container,
          Force: true,
          abortSignal,
        } as never),
      )
    } catch (error) {
      if (error instanceof AimsError && (error.kind === 'not-found' || /is not connected/.test(error.message))) return
      throw error
    }
  }

  async logs(id: string, options: {tail?: number; since?: Date; timestamps?: boolean}): Promise<LogLine[]> {
    const buffer = await this.call(
      `read logs of ${id}`,
      (abortSignal) =>
        this.docker.getContainer(id).logs({
          stdout: true,
          stderr: true,
          follow: false,
          ...(options.tail !== undefined ? {tail: options.tail} : {}),
          ...(options.since ? {since: Math.floor(options.since.getTime() / 1000)} : {}),
          timestamps: options.timestamps ?? false,
          abortSignal,
        } as never) as unknown as Promise<Buffer>,
    )
    return demuxAll(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)), options.timestamps ?? false)
  }

  async *followLogs(id: string, options: {tail?: number; signal: AbortSignal}): AsyncIterable<LogLine> {
    this.options.onCall?.()
    let stream: NodeJS.ReadableStream
    try {
      stream = (await this.docker.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: true,
        tail: options.tail ?? 100,
        abortSignal: options.signal,
      } as never)) as unknown as NodeJS.ReadableStream
    } catch (error) {
      if (options.signal.aborted) return
      throw await this.mapError(error, `follow logs of ${id}`)
    }
    let state = emptyDemuxState()
    const onAbort = () => (stream as unknown as {destroy?: () => void}).destroy?.()
    options.signal.addEventListener('abort', onAbort, {once: true})
    try {
      for await (const chunk of stream) {
        const result = demuxChunk(Buffer.from(chunk as Buffer), state, {timestamps: false})
        state = {rest: result.rest, partial: result.partial}
        yield* result.lines
      }
    } catch (error) {
      if (!options.signal.aborted) throw await this.mapError(error, `follow logs of ${id}`)
    } finally {
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  async stats(id: string): Promise<StatsSample> {
    const sample = (await this.call(`sample stats of ${id}`, (abortSignal) =>
      loose(this.docker.getContainer(id)).stats({stream: false, abortSignal}),
    )) as unknown as Dockerode.ContainerStats & {name?: string; id?: string}
    const cpuDelta =
      (sample.cpu_stats?.cpu_usage?.total_usage ?? 0) - (sample.precpu_stats?.cpu_usage?.total_usage ?? 0)
    const systemDelta = (sample.cpu_stats?.system_cpu_usage ?? 0) - (sample.precpu_stats?.system_cpu_usage ?? 0)
    const cpus = sample.cpu_stats?.online_cpus || sample.cpu_stats?.cpu_usage?.percpu_usage?.length || 1
    const cache = (sample.memory_stats?.stats as Record<string, number> | undefined)?.inactive_file ?? 0
    const networks = Object.values(sample.networks ?? {})
    return {
      id,
      name: stripSlash(sample.name ?? id),
      cpuPercent: systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
      memoryBytes: Math.max(0, (sample.memory_stats?.usage ?? 0) - cache),
      memoryLimitBytes: sample.memory_stats?.limit ?? 0,
      networkRxBytes: networks.reduce((sum, network) => sum + (network.rx_bytes ?? 0), 0),
      networkTxBytes: networks.reduce((sum, network) => sum + (network.tx_bytes ?? 0), 0),
      read: new Date(sample.read),
    }
  }

  async execInContainer(id: string, command: string[]): Promise<{exitCode: number; output: string}> {
    return this.call(`exec in ${id}`, async () => {
      const exec = await this.docker.getContainer(id).exec({Cmd: command, AttachStdout: true, AttachStderr: true})
      const stream = await exec.start({hijack: true, stdin: false})
      const chunks: Buffer[] = []
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
      const inspect = await exec.inspect()
      return {
        exitCode: inspect.ExitCode ?? -1,
        output: demuxAll(Buffer.concat(chunks), false)
          .map((line) => line.text)
          .join('\n'),
      }
    })
  }

  async listNetworks(filter: {labels?: LabelFilter; name?: string}): Promise<NetworkSummary[]> {
    const filters: Record<string, string[]> = {}
    const labels = labelFilters(filter.labels)
    if (labels.length > 0) filters.label = labels
    if (filter.name) filters.name = [filter.name]
    const list = await this.call(
      'list networks',
      (abortSignal) =>
        loose(this.docker).listNetworks({filters, abortSignal}) as Promise<Dockerode.NetworkInspectInfo[]>,
    )
    return (
      list
        // The name filter matches substrings; keep exact names only.
        .filter((network) => !filter.name || network.Name === filter.name)
        .map((network) => ({
          id: network.Id,
          name: network.Name,
          labels: network.Labels ?? {},
          subnets: (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? '').filter(Boolean),
          created: new Date(network.Created ?? 0),
          containers: Object.keys(network.Containers ?? {}).length,
        }))
    )
  }

  async inspectNetwork(idOrName: string): Promise<(NetworkSummary & {containerNames: string[]}) | undefined> {
    try {
      const network = (await this.call(
        `inspect network ${idOrName}`,
        (abortSignal) =>
          loose(this.docker.getNetwork(idOrName)).inspect({abortSignal}) as Promise<Dockerode.NetworkInspectInfo>,
      )) as Dockerode.NetworkInspectInfo
      const containers = Object.values(network.Containers ?? {})
      return {
        id: network.Id,
        name: network.Name,
        labels: network.Labels ?? {},
        subnets: (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? '').filter(Boolean),
        created: new Date(network.Created ?? 0),
        containers: containers.length,
        containerNames: containers.map((container) => container.Name ?? ''),
      }
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return undefined
      throw error
    }
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    const network = await this.call(`create network ${spec.name}`, (abortSignal) =>
      this.docker.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: spec.labels,
        Internal: spec.internal ?? false,
        ...(spec.subnet
          ? {
              IPAM: {
                Driver: 'default',
                Config: [{Subnet: spec.subnet, ...(spec.gateway ? {Gateway: spec.gateway} : {})}],
              },
            }
          : {}),
        abortSignal,
      } as never),
    )
    return network.id
  }

  async removeNetwork(idOrName: string): Promise<void> {
    try {
      await this.call(`remove network ${idOrName}`, (abortSignal) =>
        (this.docker.getNetwork(idOrName).remove as (options: unknown) => Promise<unknown>)({abortSignal}),
      )
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return
      if (error instanceof AimsError && /active endpoints/.test(error.message))
        throw new AimsError('conflict', error.message)
      throw error
    }
  }

  async listVolumes(filter: {labels?: LabelFilter}): Promise<VolumeSummary[]> {
    const labels = labelFilters(filter.labels)
    const result = await this.call(
      'list volumes',
      (abortSignal) =>
        loose(this.docker).listVolumes({
          ...(labels.length > 0 ? {filters: {label: labels}} : {}),
          abortSignal,
        }) as Promise<{Volumes?: Dockerode.VolumeInspectInfo[]}>,
    )
    return (result.Volumes ?? []).map((volume) => ({
      name: volume.Name,
      labels: volume.Labels ?? {},
      mountpoint: volume.Mountpoint,
      created: (volume as {CreatedAt?: string}).CreatedAt
        ? new Date((volume as {CreatedAt?: string}).CreatedAt ?? '')
        : undefined,
    }))
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.call(`create volume ${spec.name}`, (abortSignal) =>
      (this.docker.createVolume as (options: unknown) => Promise<unknown>)({
        Name: spec.name,
        Labels: spec.labels,
        abortSignal,
      }),
    )
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.call(`remove volume ${name}`, (abortSignal) =>
        (this.docker.getVolume(name).remove as (options: unknown) => Promise<unknown>)({abortSignal}),
      )
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return
      throw error
    }
  }

  async inspectImage(reference: string): Promise<{id: string; repoDigests: string[]} | undefined> {
    try {
      const info = (await this.call(`inspect image ${reference}`, (abortSignal) =>
        loose(this.docker.getImage(reference)).inspect({abortSignal}),
      )) as {Id: string; RepoDigests?: string[] | null}
      return {id: info.Id, repoDigests: info.RepoDigests ?? []}
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return undefined
      throw error
    }
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await this.call(`inspect image ${reference}`, (abortSignal) =>
        loose(this.docker.getImage(reference)).inspect({abortSignal}),
      )
      return true
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return false
      throw error
    }
  }

  async tagImage(source: string, target: string): Promise<void> {
    // repo:tag split at the last ":" after the last "/" (a registry port is not a tag).
    const slash = target.lastIndexOf('/')
    const colon = target.lastIndexOf(':')
    const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, 'latest']
    await this.call(`tag image ${source} as ${target}`, () => this.docker.getImage(source).tag({repo, tag}))
  }

  async pullImage(
    reference: string,
    onProgress?: (progress: PullProgress) => void,
    auth?: {username: string; password: string; serveraddress: string},
  ): Promise<void> {
    await this.call(
      `pull image ${reference}`,
      async (abortSignal) => {
        // The engine's reason comes back in the error's message (dockerode leaves json null for a
        // streamed request) or as an error event in the stream: keep it, classified (core/pull-failure.ts).
        const stream = (await this.docker
          .pull(reference, {abortSignal, ...(auth ? {authconfig: auth} : {})} as never)
          .catch((error: DockerError) => {
            throw typeof error.statusCode === 'number'
              ? pullFailure(reference, this.options.where, error.json?.message ?? error.message)
              : error
          })) as NodeJS.ReadableStream
        await new Promise<void>((resolve, reject) => {
          this.docker.modem.followProgress(
            stream,
            (error: Error | null, output: Array<{error?: string}>) => {
              const failed = error ?? output.find((event) => event.error)?.error
              if (failed)
                reject(
                  failed instanceof Error && typeof (failed as DockerError).statusCode !== 'number'
                    ? failed
                    : pullFailure(reference, this.options.where, failed instanceof Error ? failed.message : failed),
                )
              else resolve()
            },
            (event: {status?: string; id?: string; progressDetail?: {current?: number; total?: number}}) => {
              onProgress?.({
                image: reference,
                status: event.status ?? '',
                layer: event.id,
                current: event.progressDetail?.current,
                total: event.progressDetail?.total,
              })
            },
          )
        })
      },
      30 * 60 * 1000,
    )
  }

  async buildImage(
    context: Buffer,
    spec: ImageBuildSpec,
    onProgress?: (progress: BuildProgress) => void,
  ): Promise<ImageBuildResult> {
    return this.call(
      `build image ${spec.tag}`,
      async (abortSignal) => {
        const {Readable} = await import('node:stream')
        const stream = (await (this.docker.buildImage as (...args: unknown[]) => Promise<unknown>)(
          Readable.from([context]),
          {
            t: spec.tag,
            labels: JSON.stringify(spec.labels),
            ...(spec.dockerfile ? {dockerfile: spec.dockerfile} : {}),
            rm: true,
            forcerm: true,
            abortSignal,
          },
        )) as NodeJS.ReadableStream
        const log: string[] = []
        let imageId = ''
        let failure: string | undefined
        let steps = 0
        let cachedSteps = 0
        await new Promise<void>((resolve, reject) => {
          this.docker.modem.followProgress(
            stream,
            (error: Error | null) => (error ? reject(error) : resolve()),
            (event: {stream?: string; error?: string; aux?: {ID?: string}; status?: string}) => {
              if (event.aux?.ID) imageId = event.aux.ID
              if (event.error) failure = event.error
              const text = event.stream ?? event.status ?? event.error ?? ''
              for (const line of text.split('\n')) {
                if (line.trim() === '') continue
                if (/^Step \d+\/\d+ :/.test(line)) steps++
                if (/^ ---> Using cache/.test(line)) cachedSteps++
                log.push(line)
                onProgress?.({text: line})
              }
            },
          )
        })
        if (failure !== undefined || !imageId)
          throw new AimsError(
            'build',
            `the image build failed on ${this.options.where}: ${oneLine(failure ?? 'no image')}`,
            {
              hint: 'see the build output above; fix the Dockerfile or the app and build again',
              details: {log: log.slice(-40)},
            },
          )
        return {imageId, log, steps, cachedSteps}
      },
      30 * 60 * 1000,
    )
  }

  async removeImage(reference: string): Promise<void> {
    try {
      await this.call(`remove image ${reference}`, (abortSignal) =>
        loose(this.docker.getImage(reference)).remove!({abortSignal}),
      )
    } catch (error) {
      if (error instanceof AimsError && (error.kind === 'not-found' || error.kind === 'conflict')) return
      throw error
    }
  }

  async execAttached(
    id: string,
    command: string[],
    io: {stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty: boolean},
  ): Promise<number> {
    this.options.onCall?.()
    try {
      const exec = await this.docker.getContainer(id).exec({
        Cmd: command,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: io.tty,
      })
      const stream = (await exec.start({hijack: true, stdin: true, Tty: io.tty} as never)) as NodeJS.ReadWriteStream
      await new Promise<void>((resolve, reject) => {
        if (io.tty) stream.pipe(io.stdout, {end: false})
        else this.docker.modem.demuxStream!(stream, io.stdout, io.stderr)
        io.stdin.pipe(stream)
        io.stdin.on('end', () => (stream as unknown as {end?: () => void}).end?.())
        stream.on('end', resolve)
        stream.on('close', resolve)
        stream.on('error', reject)
      })
      io.stdin.unpipe(stream)
      const inspect = await exec.inspect()
      return inspect.ExitCode ?? 1
    } catch (error) {
      throw await this.mapError(error, `exec in ${id}`)
    }
  }

  async *events(options: {
    since?: Date
    until?: Date
    labels?: LabelFilter
    signal: AbortSignal
  }): AsyncIterable<EngineEvent> {
    this.options.onCall?.()
    const filters: Record<string, string[]> = {}
    const labels = labelFilters(options.labels)
    if (labels.length > 0) filters.label = labels
    let stream: NodeJS.ReadableStream
    try {
      stream = (await this.docker.getEvents({
        ...(options.since ? {since: Math.floor(options.since.getTime() / 1000)} : {}),
        // Docker reads "seconds.nanoseconds"; whole seconds would drop everything in the last second.
        ...(options.until ? {until: (options.until.getTime() / 1000).toFixed(3)} : {}),
        filters,
        abortSignal: options.signal,
      } as never)) as unknown as NodeJS.ReadableStream
    } catch (error) {
      if (options.signal.aborted) return
      throw await this.mapError(error, 'follow events')
    }
    const onAbort = () => (stream as unknown as {destroy?: () => void}).destroy?.()
    options.signal.addEventListener('abort', onAbort, {once: true})
    let pending = ''
    try {
      for await (const chunk of stream) {
        pending += Buffer.from(chunk as Buffer).toString('utf8')
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) {
          if (line.trim() === '') continue
          const event = JSON.parse(line) as {
            Type: string
            Action: string
            Actor?: {ID?: string; Attributes?: Record<string, string>}
            timeNano?: number
            time?: number
          }
          yield {
            type: event.Type,
            action: event.Action,
            id: event.Actor?.ID ?? '',
            time: new Date(event.timeNano ? event.timeNano / 1e6 : (event.time ?? 0) * 1000),
            attributes: event.Actor?.Attributes ?? {},
          }
        }
      }
    } catch (error) {
      if (!options.signal.aborted) throw await this.mapError(error, 'follow events')
    } finally {
      options.signal.removeEventListener('abort', onAbort)
    }
  }
}

/** What dockerode's untyped calls answer: the engine's JSON, read field by field by the caller. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EngineJson = any

/** dockerode's typings lag its promise API with options; calls go through this one loose view. */
/** The container calls whose options dockerode's types do not allow an abort signal in. */
interface Resumable {
  rename(options: object): Promise<unknown>
  pause(options: object): Promise<unknown>
  unpause(options: object): Promise<unknown>
}

function loose(
  target: object,
): {[method: string]: (options?: object) => Promise<EngineJson>} & Record<
  'ping' | 'version' | 'info' | 'listNetworks' | 'inspect' | 'listVolumes' | 'stats' | 'update',
  (options?: object) => Promise<EngineJson>
> {
  return target as never
}

function ignoreNotModified(error: DockerError): void {
  if (error.statusCode === 304) return
  throw error
}
