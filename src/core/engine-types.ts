/**
 * The Docker work aims does, as plain data. Plans are built from these types
 * (pure), and one adapter turns them into Docker Engine API calls.
 */

export type Labels = Record<string, string>

export const LABEL = {
  managed: 'aims.managed',
  tenant: 'aims.tenant',
  instance: 'aims.instance',
  plug: 'aims.plug',
  service: 'aims.service',
  port: 'aims.port',
  createdBy: 'aims.created-by',
  /** Which deploy run created the object (rollback removes only its own). */
  deployId: 'aims.deploy-id',
  replica: 'aims.replica',
  /** Comma-separated env keys whose values are secret (masked everywhere). */
  secretKeys: 'aims.secret-keys',
  /** The service whose port is the instance's HTTP entrypoint. */
  entry: 'aims.entry',
  /** Plug version/digest of the catalog entry used, for upgrades and export. */
  plugVersion: 'aims.plug-version',
  /** Health spec of the service, JSON, so any aims can run the same probe. */
  health: 'aims.health',
  /** Instance-level domain for the proxy. */
  domain: 'aims.domain',
  /** Cross-tenant links granted with --link, comma-separated TENANT/INSTANCE. */
  links: 'aims.links',
  /** Published on 0.0.0.0 instead of 127.0.0.1. */
  exposed: 'aims.exposed',
  /** Comma-separated services of the instance, so a partial instance is recognisable. */
  services: 'aims.services',
  subnet: 'aims.subnet',
  /** The plug's health gate budget in ms (retries × interval), so start/restart wait as long as a deploy. */
  healthBudget: 'aims.health-budget',
  /** Expected disk use of the instance's volumes (bytes), for quotas and cost. */
  diskEstimate: 'aims.disk-estimate',
  /** A one-shot job container (catalog `run: once`). */
  job: 'aims.job',
  /** On the entry: the path routes nginx sends elsewhere, JSON [{path, service, containerPort, hostPort}]. */
  routes: 'aims.routes',
  /** The release (aims plug releases) a container was created by. */
  release: 'aims.release',
  /** What an instance was built from (aims build): dir, git or description, and the source's digest. */
  buildSource: 'aims.build-source',
  buildDigest: 'aims.build-digest',
  /** A throwaway sandbox container (aims sandbox) and the time it expires (ISO). */
  sandbox: 'aims.sandbox',
  expiresAt: 'aims.expires-at',
} as const

export interface PortBinding {
  containerPort: number
  protocol: 'tcp' | 'udp'
  hostPort: number
  hostIp: string
}

export interface VolumeMount {
  /** A named volume (aims-…), or a host path when `bind` is set (the warden's socket and state dir, a config file). */
  source: string
  bind?: boolean
  target: string
  readOnly?: boolean
}

export interface EngineHealthcheck {
  /** Docker's HEALTHCHECK test, e.g. ["CMD-SHELL", "wget -qO- localhost:8080/health"] or ["NONE"]. */
  test: string[]
  intervalSeconds: number
  timeoutSeconds: number
  retries: number
  startPeriodSeconds: number
}

export interface ContainerSpec {
  name: string
  image: string
  command?: string[]
  entrypoint?: string[]
  env: Record<string, string>
  labels: Labels
  /** First network is given at create time; others are connected before start. */
  networks: Array<{name: string; aliases: string[]}>
  ports: PortBinding[]
  /** Container ports exposed without publishing (so depends-on services can reach them). */
  exposedPorts?: Array<{containerPort: number; protocol: 'tcp' | 'udp'}>
  volumes: VolumeMount[]
  restartPolicy: 'no' | 'always' | 'unless-stopped' | 'on-failure'
  init: boolean
  memoryBytes?: number
  nanoCpus?: number
  healthcheck?: EngineHealthcheck
  user?: string
  workingDir?: string
  tmpfs?: string[]
  /** Docker `--add-host`, e.g. host.docker.internal:host-gateway */
  extraHosts?: string[]
  stopTimeoutSeconds?: number
  /** The engine removes the container when it exits (sandboxes: removed at their TTL with no CLI running). */
  autoRemove?: boolean
  /** Process limit (fork bombs stay inside). */
  pidsLimit?: number
  /** Linux capabilities dropped (e.g. ['ALL']). */
  capDrop?: string[]
  /** no-new-privileges: setuid binaries cannot raise privileges. */
  noNewPrivileges?: boolean
}

/** One image build on the engine: the context is a tar stream (Dockerfile inside). */
export interface ImageBuildSpec {
  /** The tag to give the result, e.g. aims-build/acme-shop:1a2b3c4d5e6f */
  tag: string
  /** Dockerfile path inside the context (default Dockerfile). */
  dockerfile?: string
  labels: Labels
}

/** A line of build output (a step, its output, or the error that ended it). */
export interface BuildProgress {
  /** Text the build printed (untrusted: sanitized before a terminal). */
  text: string
}

export interface ImageBuildResult {
  /** sha256:… of the built image. */
  imageId: string
  /** Every line the build printed (the last ones explain a failure). */
  log: string[]
  /** Steps the engine took from its cache ("Using cache"). */
  cachedSteps: number
  steps: number
}

export interface NetworkSpec {
  name: string
  labels: Labels
  subnet?: string
  gateway?: string
  internal?: boolean
}

export interface VolumeSpec {
  name: string
  labels: Labels
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'
export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none'

export interface ContainerSummary {
  id: string
  name: string
  image: string
  labels: Labels
  state: ContainerState
  /** e.g. "Up 3 minutes (healthy)" */
  status: string
  created: Date
  ports: PortBinding[]
  /** Docker health when the image or aims defined a HEALTHCHECK, read from the status line. */
  health: HealthStatus
  networks: string[]
}

export interface ContainerDetails extends ContainerSummary {
  startedAt?: Date | undefined
  finishedAt?: Date | undefined
  exitCode?: number | undefined
  restartCount: number
  env: Record<string, string>
  /** IP per network name. */
  ips: Record<string, string>
  memoryBytes?: number | undefined
  nanoCpus?: number | undefined
  command: string[]
  mounts: Array<{type: string; name?: string | undefined; source: string; destination: string}>
  oomKilled: boolean
  error?: string | undefined
}

export interface NetworkSummary {
  id: string
  name: string
  labels: Labels
  subnets: string[]
  created: Date
  containers: number
}

export interface VolumeSummary {
  name: string
  labels: Labels
  /** Where the engine keeps its contents on the host (local driver). */
  mountpoint?: string | undefined
  created?: Date | undefined
}

export interface EngineVersion {
  version: string
  apiVersion: string
  minApiVersion?: string
  os: string
  arch: string
  kernel?: string
}

export interface EngineInfo {
  name: string
  storageDriver: string
  memTotalBytes: number
  cpus: number
  dockerRootDir: string
  containers: number
  serverTime?: Date | undefined
  swarm: boolean
  warnings: string[]
  /** The engine's Docker Hub mirrors (daemon.json registry-mirrors). */
  registryMirrors?: string[] | undefined
}

export interface EngineEvent {
  /** container | network | volume | image … */
  type: string
  action: string
  id: string
  time: Date
  attributes: Record<string, string>
}

export interface StatsSample {
  id: string
  name: string
  /** 0-100 × cpus */
  cpuPercent: number
  memoryBytes: number
  memoryLimitBytes: number
  networkRxBytes: number
  networkTxBytes: number
  read: Date
}

export interface PullProgress {
  image: string
  status: string
  /** Per layer bytes, when known. */
  current?: number | undefined
  total?: number | undefined
  layer?: string | undefined
}

export interface LogLine {
  stream: 'stdout' | 'stderr'
  text: string
  time?: Date
}

// ---- Docker Swarm (a cluster's engine) -------------------------------------------

export type SwarmRole = 'manager' | 'worker'
export type SwarmAvailability = 'active' | 'pause' | 'drain'

/** What one engine says about its own swarm membership (`docker info` .Swarm). */
export interface SwarmState {
  nodeId: string
  /** inactive | pending | active | error | locked */
  localState: string
  /** true on a manager */
  controlAvailable: boolean
  nodeAddr?: string | undefined
  clusterId?: string | undefined
  managers?: number | undefined
  nodes?: number | undefined
  remoteManagers: Array<{nodeId: string; addr: string}>
  error?: string | undefined
}

/** A node as a manager sees it (`docker node ls/inspect`). */
export interface SwarmNode {
  id: string
  hostname: string
  role: SwarmRole
  availability: SwarmAvailability
  /** ready | down | unknown | disconnected */
  state: string
  addr: string
  leader: boolean
  /** reachable | unreachable | unknown (managers only) */
  reachability?: string | undefined
  engineVersion: string
  labels: Labels
  cpus: number
  memoryBytes: number
}

/** A Swarm service as aims reads it back. */
export interface SwarmService {
  id: string
  name: string
  labels: Labels
  /** The task template's container labels. */
  containerLabels: Labels
  image: string
  replicas: number
  env: Record<string, string>
  /** Host-mode published ports (each on the node its task runs on). */
  ports: Array<{containerPort: number; protocol: 'tcp' | 'udp'; hostPort: number}>
  constraints: string[]
  networks: string[]
  created: Date
  updatedAt?: Date | undefined
  /** Swarm's rolling-update state: updating | paused | completed | rollback_started | rollback_completed … */
  updateState?: string | undefined
  updateMessage?: string | undefined
  memoryBytes?: number | undefined
  nanoCpus?: number | undefined
  mounts: Array<{source: string; target: string}>
  /** The task template defines a health check (Swarm reports a task running only once it is healthy). */
  healthcheck: boolean
  /** The raw version index, for updates. */
  version: number
}

/** One task of a service. */
export interface SwarmTask {
  id: string
  serviceId: string
  nodeId: string
  slot?: number | undefined
  /** new … starting | running | complete | failed | shutdown | rejected | orphaned */
  state: string
  desiredState: string
  message: string
  error?: string | undefined
  containerId?: string | undefined
  exitCode?: number | undefined
  timestamp: Date
  /** Image the task runs (digest-pinned). */
  image: string
  /** Address per network id (the task's overlay attachments). */
  addresses: Record<string, string>
}

/** What aims asks Swarm to run: a ContainerSpec plus where and how many. */
export interface SwarmServiceSpec {
  container: ContainerSpec
  replicas: number
  /** Placement constraints, e.g. node.labels.zone==a, node.hostname==sw2 */
  constraints: string[]
  /** At most this many tasks per node (0: no limit). */
  maxPerNode?: number
}
