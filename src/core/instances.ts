/**
 * Instances as the engine shows them: aims-labelled containers grouped by
 * tenant and instance. Pure: the same view for `plug ls`, the dock, ACHEEVY
 * and export, from one container listing.
 */
import {LABEL, type ContainerState, type ContainerSummary, type HealthStatus} from './engine-types.js'
import {formatInstanceRef, type InstanceNames} from './names.js'

export type InstanceStatus = 'running' | 'partial' | 'stopped' | 'restarting' | 'created' | 'failed'
export type InstanceHealth = 'healthy' | 'unhealthy' | 'starting' | 'unknown'

export interface ServiceReplica {
  service: string
  replica: number
  containerId: string
  containerName: string
  image: string
  state: ContainerState
  status: string
  health: HealthStatus
  hostPort?: number
  /** Where the host port is bound when that is a specific address (a cluster node's), not loopback or any. */
  hostAddress?: string
  entry: boolean
  created: Date
}

const WILDCARD_OR_LOOPBACK = new Set(['', '0.0.0.0', '::', '127.0.0.1'])

function boundAt(container: ContainerSummary): {hostAddress?: string} {
  const port = Number(container.labels[LABEL.port])
  const ip = container.ports.find((binding) => binding.hostPort === port)?.hostIp ?? ''
  return WILDCARD_OR_LOOPBACK.has(ip) ? {} : {hostAddress: ip}
}

export interface InstanceView {
  tenant: string
  instance: string
  ref: string
  plug: string
  status: InstanceStatus
  /** Docker health of the entry service when it has one; probes refine it (plug ls, status). */
  health: InstanceHealth
  hostPort?: number
  /** http://127.0.0.1:PORT on the host (reachable from the host itself). */
  localUrl?: string
  /** https?://instance.tenant.domain when the host has a domain. */
  domainUrl?: string
  domain?: string
  exposed: boolean
  createdAt: Date
  deployId?: string
  createdBy?: string
  secretKeys: string[]
  /** Services the catalog entry declared (from labels); a missing one makes the instance partial. */
  declaredServices: string[]
  replicas: ServiceReplica[]
  links: string[]
}

const stateRank: Record<ContainerState, number> = {
  running: 0,
  restarting: 1,
  paused: 2,
  created: 3,
  exited: 4,
  dead: 5,
  removing: 6,
}

function instanceStatus(replicas: ServiceReplica[], declared: string[]): InstanceStatus {
  const present = new Set(replicas.map((replica) => replica.service))
  const allPresent = declared.every((service) => present.has(service))
  const states = replicas.map((replica) => replica.state)
  if (states.some((state) => state === 'restarting')) return 'restarting'
  if (states.every((state) => state === 'running')) return allPresent ? 'running' : 'partial'
  if (states.every((state) => state === 'created')) return 'created'
  if (states.every((state) => state === 'exited' || state === 'created')) return 'stopped'
  if (states.some((state) => state === 'dead')) return 'failed'
  return 'partial'
}

export function parseServiceList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

/** Env keys whose values are secret, as the deploy recorded them on a container (aims.secret-keys). */
export function secretKeysFromLabels(labels: Record<string, string> | undefined): string[] {
  return parseServiceList(labels?.[LABEL.secretKeys])
}

/** Env the image sets, not the user: not worth showing with an instance's settings. */
export const IMAGE_DEFAULT_ENV: ReadonlySet<string> = new Set(['PATH', 'HOSTNAME', 'HOME'])

export function withoutImageDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !IMAGE_DEFAULT_ENV.has(key)))
}

export interface InstanceUrlContext {
  domain?: string
  /** Whether the host's proxy serves TLS for this domain. */
  tls?: boolean
}

export function instanceDomain(ref: InstanceNames, hostDomain?: string, explicit?: string): string | undefined {
  if (explicit) return explicit
  return hostDomain ? `${ref.instance}.${ref.tenant}.${hostDomain}` : undefined
}

export function groupInstances(containers: ContainerSummary[], context: InstanceUrlContext = {}): InstanceView[] {
  const groups = new Map<string, ContainerSummary[]>()
  for (const container of containers) {
    const labels = container.labels
    if (labels[LABEL.managed] !== 'true' || !labels[LABEL.tenant] || !labels[LABEL.instance]) continue
    const key = `${labels[LABEL.tenant]}/${labels[LABEL.instance]}`
    groups.set(key, [...(groups.get(key) ?? []), container])
  }
  const views: InstanceView[] = []
  for (const [ref, members] of groups) {
    const first = members[0]!
    const labels = first.labels
    const replicas: ServiceReplica[] = members
      .map((container) => ({
        service: container.labels[LABEL.service] ?? '?',
        replica: Number(container.labels[LABEL.replica] ?? '1') || 1,
        containerId: container.id,
        containerName: container.name,
        image: container.image,
        state: container.state,
        status: container.status,
        health: container.health,
        ...(container.labels[LABEL.port]
          ? {hostPort: Number(container.labels[LABEL.port]), ...boundAt(container)}
          : {}),
        entry: container.labels[LABEL.entry] === 'true',
        created: container.created,
      }))
      .sort((a, b) => Number(b.entry) - Number(a.entry) || a.service.localeCompare(b.service) || a.replica - b.replica)
    const entries = replicas.filter((replica) => replica.entry)
    const entry = entries.find((replica) => replica.replica === 1) ?? entries[0]
    const declaredServices = parseServiceList(labels[LABEL.services])
    const tenant = labels[LABEL.tenant]!
    const instance = labels[LABEL.instance]!
    const domainLabel = members.map((member) => member.labels[LABEL.domain]).find(Boolean)
    const domain = instanceDomain({tenant, instance}, context.domain, domainLabel)
    const entryHealth: InstanceHealth = !entry ? 'unknown' : entry.health === 'none' ? 'unknown' : entry.health
    const secretKeys = [
      ...new Set(members.flatMap((member) => parseServiceList(member.labels[LABEL.secretKeys]))),
    ].sort()
    views.push({
      tenant,
      instance,
      ref,
      plug: labels[LABEL.plug] ?? '?',
      status: instanceStatus(
        replicas,
        declaredServices.length > 0 ? declaredServices : [...new Set(replicas.map((replica) => replica.service))],
      ),
      health: entryHealth,
      ...(entry?.hostPort ? {hostPort: entry.hostPort, localUrl: `http://127.0.0.1:${entry.hostPort}/`} : {}),
      ...(domain ? {domain, domainUrl: `${context.tls ? 'https' : 'http'}://${domain}/`} : {}),
      exposed: members.some((member) => member.labels[LABEL.exposed] === 'true'),
      createdAt: new Date(Math.min(...members.map((member) => member.created.getTime()))),
      ...(labels[LABEL.deployId] ? {deployId: labels[LABEL.deployId]} : {}),
      ...(labels[LABEL.createdBy] ? {createdBy: labels[LABEL.createdBy]} : {}),
      secretKeys,
      declaredServices,
      replicas,
      links: parseServiceList(members.map((member) => member.labels[LABEL.links]).find(Boolean)),
    })
  }
  return views.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.instance.localeCompare(b.instance))
}

export function findInstance(views: InstanceView[], ref: InstanceNames): InstanceView | undefined {
  return views.find((view) => view.tenant === ref.tenant && view.instance === ref.instance)
}

export {formatInstanceRef, stateRank}
