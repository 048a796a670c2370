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
} as const

export interface PortBinding {
  containerPort: number
  protocol: 'tcp' | 'udp'
  hostPort: number
  hostIp: string
}

export interface VolumeMount {
  /** A named volume (aims-…), or a host path when `bind` is set (the warden's socket and state dir). */
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
