/**
 * The effects services need, as narrow interfaces. Adapters implement them;
 * tests pass fakes that fail loudly on calls they did not expect.
 */
import type {Duplex} from 'node:stream'
import type {
  ContainerDetails,
  ContainerSpec,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  ImageBuildResult,
  ImageBuildSpec,
  BuildProgress,
  LogLine,
  NetworkSpec,
  PortBinding,
  NetworkSummary,
  PullProgress,
  StatsSample,
  SwarmAvailability,
  SwarmNode,
  SwarmRole,
  SwarmService,
  SwarmServiceSpec,
  SwarmState,
  SwarmTask,
  VolumeSpec,
  VolumeSummary,
} from '../core/engine-types.js'
import type {HostEntry, ResolvedHost} from '../core/host-target.js'
import type {HostKey, KnownHostEntry} from '../core/known-hosts.js'
import type {AuditLog} from './audit.js'
import type {CatalogSource} from './catalog-port.js'
import type {Approver} from './gate.js'
import type {LifecycleEventWriter} from './lifecycle-events.js'
import type {Progress} from './progress.js'
import type {ProxyManager} from './proxy-manager.js'
import type {Prices} from '../core/plan/policy.js'

/** Label filter: `{key: value}` matches that value, `{key: true}` matches presence. */
export type LabelFilter = Record<string, string | true>

export interface Engine {
  ping(): Promise<void>
  version(): Promise<EngineVersion>
  info(): Promise<EngineInfo>

  listContainers(filter: {labels?: LabelFilter; all?: boolean; name?: string}): Promise<ContainerSummary[]>
  /** `undefined` when there is no such container. */
  inspectContainer(idOrName: string): Promise<ContainerDetails | undefined>
  /** Returns the id; throws AimsError kind 'conflict' when the name is taken. */
  createContainer(spec: ContainerSpec): Promise<string>
  startContainer(id: string): Promise<void>
  /** Without a timeout, Docker waits the container's own stop timeout (set at create) before SIGKILL. */
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>
  /** Idempotent: a missing container is not an error. */
  removeContainer(id: string, options?: {force?: boolean}): Promise<void>
  /** Live resource change (docker update). */
  updateContainer(id: string, resources: {memoryBytes?: number; nanoCpus?: number}): Promise<void>
  /**
   * Creates a copy of a container (same image, command, env, mounts, networks,
   * limits) with a new name, merged labels and new port bindings. Used for replicas.
   */
  cloneContainer(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]; image?: string},
  ): Promise<string>
  /** Renames a container (upgrades keep the previous one under another name until the new one is healthy). */
  renameContainer(id: string, name: string): Promise<void>
  /** Freezes a container's processes (docker pause), for a consistent copy of its volumes. */
  pauseContainer(id: string): Promise<void>
  /** Idempotent: a container that is not paused is not an error. */
  unpauseContainer(id: string): Promise<void>
  /**
   * Replaces a container by a fresh one of the same configuration (same name, labels, ports,
   * networks, mounts), optionally from another image: a copy is made under a temporary name
   * first, so a failure leaves the original in place. Returns the new id (not started).
   */
  recreateContainer?(idOrName: string, changes?: {image?: string}): Promise<string>
  connectNetwork(network: string, container: string, aliases: string[]): Promise<void>
  disconnectNetwork(network: string, container: string): Promise<void>
  logs(id: string, options: {tail?: number; since?: Date; timestamps?: boolean}): Promise<LogLine[]>
  followLogs(id: string, options: {tail?: number; signal: AbortSignal}): AsyncIterable<LogLine>
  stats(id: string): Promise<StatsSample>
  /** Runs a command in a container (used by tests and health probes of images that need it). */
  execInContainer(id: string, command: string[]): Promise<{exitCode: number; output: string}>

  listNetworks(filter: {labels?: LabelFilter; name?: string}): Promise<NetworkSummary[]>
  inspectNetwork(idOrName: string): Promise<(NetworkSummary & {containerNames: string[]}) | undefined>
  createNetwork(spec: NetworkSpec): Promise<string>
  /** Idempotent. Throws 'conflict' while containers are attached. */
  removeNetwork(idOrName: string): Promise<void>

  listVolumes(filter: {labels?: LabelFilter}): Promise<VolumeSummary[]>
  createVolume(spec: VolumeSpec): Promise<void>
  /** Idempotent. Throws 'conflict' while a container uses it. */
  removeVolume(name: string): Promise<void>

  imageExists(reference: string): Promise<boolean>
  /** The image's id and registry digests (`repo@sha256:…`); undefined when the engine does not have it. */
  inspectImage(reference: string): Promise<{id: string; repoDigests: string[]} | undefined>
  /** `auth`: registry credentials for this one pull (never stored by the engine). */
  pullImage(
    reference: string,
    onProgress?: (progress: PullProgress) => void,
    auth?: {username: string; password: string; serveraddress: string},
  ): Promise<void>
  /** Gives an image a second name (`docker tag SOURCE TARGET`). */
  tagImage(source: string, target: string): Promise<void>
  /**
   * Builds an image on the engine from a tar context (the engine's build API; its layer cache is reused).
   * A failed step throws AimsError 'build' with the build's last lines in details.log.
   */
  buildImage(
    context: Buffer,
    spec: ImageBuildSpec,
    onProgress?: (progress: BuildProgress) => void,
  ): Promise<ImageBuildResult>
  /** Idempotent: a missing image is not an error; an image in use is kept ('conflict' swallowed). */
  removeImage(reference: string): Promise<void>
  /**
   * Runs a command in a container with its stdin/stdout/stderr attached to the given streams
   * (tty: one raw stream). Resolves with the command's exit code.
   */
  execAttached(
    id: string,
    command: string[],
    io: {stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty: boolean},
  ): Promise<number>

  /** Engine events from `since` on, until the signal aborts. */
  events(options: {since?: Date; until?: Date; labels?: LabelFilter; signal: AbortSignal}): AsyncIterable<EngineEvent>

  /** The engine's Swarm API (cluster work only; single-host paths never call it). */
  swarm?(): SwarmApi
}

/** Docker Swarm calls on one engine: membership (any node) and nodes/services/tasks (a manager). */
export interface SwarmApi {
  state(): Promise<SwarmState>
  init(options: {advertiseAddr: string; listenAddr: string; defaultAddrPool?: string[]}): Promise<string>
  joinTokens(): Promise<Record<SwarmRole, string>>
  join(options: {remoteAddrs: string[]; joinToken: string; advertiseAddr: string; listenAddr: string}): Promise<void>
  leave(force: boolean): Promise<void>
  listNodes(): Promise<SwarmNode[]>
  updateNode(
    id: string,
    change: {labels?: Record<string, string | null>; availability?: SwarmAvailability; role?: SwarmRole},
  ): Promise<void>
  removeNode(id: string, force: boolean): Promise<void>
  listServices(filter: {labels?: LabelFilter; name?: string}): Promise<SwarmService[]>
  inspectService(idOrName: string): Promise<SwarmService | undefined>
  createService(spec: SwarmServiceSpec): Promise<string>
  /** Changes a service's spec (replicas, resources, constraints, labels, force a restart). */
  updateService(
    idOrName: string,
    change: {
      replicas?: number
      memoryBytes?: number
      nanoCpus?: number
      constraints?: string[]
      labels?: Record<string, string>
      forceRestart?: boolean
      networks?: Array<{name: string; aliases: string[]}>
    },
  ): Promise<void>
  removeService(idOrName: string): Promise<void>
  /** A copy of a service under a new name, with merged labels and new host ports (replicas). */
  cloneService(
    source: string,
    changes: {name: string; labels: Record<string, string>; ports: PortBinding[]; replicas: number},
  ): Promise<string>
  /** An attachable overlay network (swarm scope). */
  createOverlay(spec: NetworkSpec, options: {encrypted: boolean}): Promise<string>
  listTasks(filter: {service?: string; labels?: LabelFilter; desiredState?: string}): Promise<SwarmTask[]>
  serviceLogs(idOrName: string, options: {tail?: number; timestamps?: boolean}): Promise<LogLine[]>
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Commands and files on the host (over SSH, or local). Arguments are never pasted into a shell. */
export interface HostShell {
  exec(argv: string[], options?: {stdin?: string | Buffer; timeoutMs?: number}): Promise<ExecResult>
  readFile(path: string): Promise<Buffer | undefined>
  /** Atomic: writes a temp file beside the target and renames it. */
  writeFile(path: string, data: string | Buffer, mode?: number): Promise<void>
  appendFile(path: string, data: string): Promise<void>
  removeFile(path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  mkdirp(path: string): Promise<void>
  listDir(path: string): Promise<string[] | undefined>
  /** Free and total bytes of the filesystem holding `path` (statvfs); undefined when the host cannot say. */
  diskFree(path: string): Promise<{freeBytes: number; totalBytes: number} | undefined>
  /**
   * Runs a command with its stdout streamed into `stdout` (and `stdin` streamed from a readable):
   * backups and restores of volumes, without holding them in memory.
   */
  execStream(
    argv: string[],
    options: {stdout?: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream; timeoutMs?: number},
  ): Promise<{exitCode: number; stderr: string}>
}

export interface LockOptions {
  wait: boolean
  timeoutMs?: number
  /** Who takes it, recorded beside the lock file while held (a waiter names it: services/host-lock.ts). */
  holder?: {machine: string; pid: number; doing: string; actor?: string; since: string}
}

/** A held lock on the host; released by `release()` or when the connection ends. */
export interface HostLock {
  release(): Promise<void>
}

export interface TransportMetrics {
  /** SSH logins made by this process (0 for local). */
  sshLogins: number
  /** Docker API requests sent. */
  apiCalls: number
  connectMs?: number
  /** This end's TCP port of the SSH connection (matches sshd's "Accepted … port N" log line). */
  localPort?: number
  /** The host key the connection was verified with, and the known_hosts line that vouched for it. */
  hostKey?: {type: string; fingerprint: string; source?: string}
}

/** Everything aims does on one host, over one connection. */
export interface HostSession {
  readonly host: ResolvedHost
  engine(): Promise<Engine>
  shell(): Promise<HostShell>
  /** A TCP stream to host:port as seen from the host (health checks of 127.0.0.1-bound ports). */
  connectTcp(host: string, port: number): Promise<Duplex>
  /**
   * An exclusive lock on the host (flock on a file in the host's state dir).
   * `wait: false` fails at once with 'conflict' when another process holds it.
   * Per-instance locks (`instance-TENANT-NAME`) leave no file behind once released.
   */
  lock(name: string, options: LockOptions): Promise<HostLock>
  metrics(): TransportMetrics
  /**
   * Starts connecting (and the host-side helpers) in the background, so the
   * handshake overlaps with local work. Errors surface on the next real call.
   */
  warmup?(): void
  close(): Promise<void>
}

export interface AimsPreferences {
  defaultTenant?: string
  [key: string]: unknown
}

export interface AimsConfig {
  version: 1
  defaultHost?: string
  hosts: Record<string, HostEntry>
  preferences: AimsPreferences
}

export interface ConfigStore {
  read(): Promise<AimsConfig>
  /** Read-modify-write under an exclusive lock; concurrent processes never lose writes. */
  update<T>(change: (config: AimsConfig) => T | Promise<T>): Promise<T>
}

export interface KnownHostsStore {
  /** aims' own file first, then ~/.ssh/known_hosts (and the ssh config's UserKnownHostsFile). */
  entries(): Promise<KnownHostEntry[]>
  /** Records a key in aims' own known_hosts file, replacing lines for the same name. */
  record(name: string, key: HostKey): Promise<void>
  readonly ownFile: string
}

export interface HostKeyScanner {
  /** Connects far enough to learn the host key, without authenticating. */
  scan(host: ResolvedHost): Promise<HostKey>
}

export interface Prompter {
  /** True only when both stdin and stdout are terminals: no prompt ever happens otherwise. */
  readonly interactive: boolean
  confirm(message: string, defaultValue?: boolean): Promise<boolean>
  input(message: string, options?: {secret?: boolean; defaultValue?: string}): Promise<string>
}

export interface Clock {
  now(): Date
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** One answer of a registry's HTTP API. */
export interface RegistryAnswer {
  status: number
  /** Header names in lower case. */
  headers: Record<string, string>
  body: string
}

/**
 * The Registry HTTP API v2, reached from the host (a registry on the host's loopback is the host's).
 * With credentials it answers a Basic challenge, or fetches a Bearer token from the challenge's realm.
 */
export interface RegistryClient {
  request(
    registry: string,
    path: string,
    options: {method: 'GET' | 'HEAD'; accept?: string; credentials?: {username: string; password: string} | undefined},
  ): Promise<RegistryAnswer>
}

// ---- what services that change things are given -------------------------------

/** Where a change came from: the audit log and the lifecycle events record it. */
export interface Origin {
  kind: 'cli' | 'chat' | 'ask' | 'dock' | 'warden'
  /** The aims command line (secret flag values are masked when it is recorded). */
  argv?: string[]
  /** What the user said, for ACHEEVY's actions. */
  utterance?: string
  /**
   * Values that must never be recorded (the request's env values): the audit record's command,
   * utterance and detail have them masked, on top of every secret-looking KEY=VALUE.
   */
  secrets?: string[]
}

/** What recording an action needs: an audit record here and on the host, and a lifecycle event. */
export interface RecordDeps {
  session: HostSession
  clock: Clock
  newId: () => string
  /** Who acts: user@machine, on labels and audit records. */
  actor: string
  audit: AuditLog
  origin: Origin
  /** Appends aims' lifecycle events to the host's events file (absent: not recorded). */
  recordEvent?: LifecycleEventWriter | undefined
}

/**
 * What every service that changes an instance is given (AimsContext.lifecycleDeps builds it
 * for the CLI, the dock and ACHEEVY alike): the session, the one gate's approver for this
 * call, progress, and what recording the change needs.
 */
export interface LifecycleDeps extends RecordDeps {
  approver: Approver
  progress: Progress
  /** Routes instances through the host's nginx (absent: no routes are written). */
  proxy?: ProxyManager | undefined
  /** The plug catalog (absent: a plug's proxy settings fall back to the defaults). */
  catalog?: CatalogSource | undefined
  /** Preferences (tenant tiers, spending limits) for the gates of a change (absent: the defaults). */
  preferences?: Record<string, unknown> | undefined
  /** The host's prices for the cost gate (absent: the defaults). */
  prices?: Prices | undefined
  /** Stored registry credentials (aims registry login), given to the engine per pull. */
  registryAuth?: ((registry: string) => Promise<{username: string; password: string} | undefined>) | undefined
}
