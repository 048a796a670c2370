/**
 * Clusters: a Docker Swarm whose nodes are aims hosts. Pure parts: the config entry, the rows
 * `cluster ls` shows, the checks of what a person typed.
 */
import type {SwarmNode} from './engine-types.js'
import {shown, usageError} from './errors.js'
import type {ClusterMember, HostEntry} from './host-target.js'
import {checkResourceName} from './names.js'

export const DEFAULT_CLUSTER_NAME = 'cluster'
/** Overlay subnets Swarm allocates from: away from 10.0.0.0/8's usual underlays and aims' bridge pool. */
export const DEFAULT_ADDRESS_POOL = '10.201.0.0/16'
export const SWARM_PORT = 2377

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(1[6-9]|2[0-8])$/

export function checkAdvertiseAddr(value: string): string {
  if (!IPV4.test(value))
    throw usageError(
      `invalid --advertise-addr ${shown(value)}`,
      'give the IPv4 address the other nodes reach this host at, e.g. 10.0.0.5',
    )
  return value
}

export function checkAddressPool(value: string): string {
  if (!CIDR.test(value))
    throw usageError(
      `invalid --address-pool ${shown(value)}`,
      'give an IPv4 CIDR between /16 and /28, e.g. 10.201.0.0/16',
    )
  return value
}

/** `hostname -I` on the node: its first non-loopback IPv4 address. */
export function firstAddress(hostnameI: string): string | undefined {
  return hostnameI
    .trim()
    .split(/\s+/)
    .find((word) => IPV4.test(word) && !word.startsWith('127.'))
}

export interface NodeLabel {
  key: string
  /** null: remove the label */
  value: string | null
}

const LABEL_KEY = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i

export function parseNodeLabel(text: string): NodeLabel {
  const index = text.indexOf('=')
  const key = index === -1 ? text : text.slice(0, index)
  if (index === -1 || !LABEL_KEY.test(key))
    throw usageError(
      `invalid node label ${shown(text)}`,
      'write KEY=VALUE (letters, digits, . _ -), or KEY= to remove it',
    )
  const value = text.slice(index + 1)
  if (value.length > 200 || /[\u0000-\u001f\u007f]/.test(value))
    throw usageError(`invalid value for node label ${shown(key)}`, 'use at most 200 printable characters')
  return {key, value: value === '' ? null : value}
}

export function checkClusterName(name: string): string {
  return checkResourceName('host', name)
}

/** The member a NODE argument names: its aims host name, or (with the nodes) its Swarm hostname or id. */
export function findMember(
  entry: HostEntry,
  node: string,
  nodes: SwarmNode[] = [],
): {member?: ClusterMember; node?: SwarmNode} {
  const members = entry.cluster?.members ?? []
  const byHost = members.find((member) => member.host === node)
  const swarmNode =
    nodes.find((item) => item.id === (byHost?.nodeId ?? '')) ??
    nodes.find((item) => item.hostname === node || item.id === node || item.id.startsWith(node))
  const member = byHost ?? (swarmNode ? members.find((item) => item.nodeId === swarmNode.id) : undefined)
  return {...(member ? {member} : {}), ...(swarmNode ? {node: swarmNode} : {})}
}

export interface ClusterNodeRow {
  /** The aims host that reaches the node (absent: a node joined outside aims). */
  host?: string
  hostname: string
  id: string
  role: 'manager' | 'worker'
  leader: boolean
  state: string
  availability: string
  addr: string
  engineVersion: string
  /** Tasks Swarm wants running there now. */
  tasks: number
  cpus: number
  memoryBytes: number
  labels: Record<string, string>
}

export function clusterRows(entry: HostEntry, nodes: SwarmNode[], tasksPerNode: Map<string, number>): ClusterNodeRow[] {
  const members = entry.cluster?.members ?? []
  return nodes
    .map((node) => {
      const member = members.find((item) => item.nodeId === node.id)
      return {
        ...(member ? {host: member.host} : {}),
        hostname: node.hostname,
        id: node.id,
        role: node.role,
        leader: node.leader,
        state: node.state,
        availability: node.availability,
        addr: node.addr,
        engineVersion: node.engineVersion,
        tasks: tasksPerNode.get(node.id) ?? 0,
        cpus: node.cpus,
        memoryBytes: node.memoryBytes,
        labels: node.labels,
      }
    })
    .sort((a, b) => a.hostname.localeCompare(b.hostname))
}

/** The members that can answer manager calls, the entry host first. */
export function managerOrder(entry: HostEntry): ClusterMember[] {
  const members = entry.cluster?.members ?? []
  return members.filter((member) => member.role === 'manager')
}

// ---- doctor for a cluster ---------------------------------------------------------

export interface ClusterNodeFact {
  host: string
  /** Reached over its own SSH connection and its engine answered. */
  reachable: boolean
  error?: string
  engineVersion?: string
  /** The node's clock minus ours, measured around the engine call (ms). */
  clockOffsetMs?: number
  /** Its kernel offers ESP with AES-GCM (Swarm's encrypted overlays). */
  espGcm?: boolean
}

export interface ClusterFacts {
  cluster: string
  members: ClusterNodeFact[]
  /** From a manager: every node Swarm knows. */
  swarmNodes?: SwarmNode[]
  swarmError?: string
}

export interface ClusterCheck {
  id: 'cluster-nodes' | 'cluster-quorum' | 'cluster-versions' | 'cluster-clock' | 'cluster-overlay'
  status: 'pass' | 'warn' | 'fail' | 'skipped'
  detail: string
  fix: string | null
}

const CLOCK_WARN_MS = 2000
const CLOCK_FAIL_MS = 30_000

export function evaluateCluster(facts: ClusterFacts): ClusterCheck[] {
  const checks: ClusterCheck[] = []
  const unreachable = facts.members.filter((member) => !member.reachable)
  const down = (facts.swarmNodes ?? []).filter((node) => node.state !== 'ready')
  checks.push(
    unreachable.length === 0 && down.length === 0
      ? {id: 'cluster-nodes', status: 'pass', detail: `${facts.members.length} nodes reachable and ready`, fix: null}
      : {
          id: 'cluster-nodes',
          status: 'fail',
          detail: [
            ...unreachable.map((member) => `${member.host} unreachable (${member.error ?? 'no answer'})`),
            ...down.map((node) => `${node.hostname} is ${node.state} in the swarm`),
          ].join('; '),
          fix: 'bring the node back (its tasks run elsewhere meanwhile), or take it out: aims cluster leave NODE',
        },
  )
  if (!facts.swarmNodes) {
    checks.push({
      id: 'cluster-quorum',
      status: 'fail',
      detail: `no manager answers${facts.swarmError ? `: ${facts.swarmError}` : ''}`,
      fix: 'start a manager node again; without a quorum Swarm cannot change anything',
    })
  } else {
    const managers = facts.swarmNodes.filter((node) => node.role === 'manager')
    const reachable = managers.filter((node) => node.reachability === 'reachable' && node.state === 'ready')
    const needed = Math.floor(managers.length / 2) + 1
    const status = reachable.length < needed ? 'fail' : managers.length % 2 === 0 ? 'warn' : 'pass'
    checks.push({
      id: 'cluster-quorum',
      status,
      detail:
        `${reachable.length} of ${managers.length} managers reachable (quorum ${needed})` +
        (managers.length === 1 ? '; one manager: losing it stops every change' : ''),
      fix:
        status === 'fail'
          ? 'bring managers back until a majority answers'
          : status === 'warn'
            ? 'run an odd number of managers (aims cluster join HOST --manager)'
            : null,
    })
  }
  const versions = [...new Set(facts.members.flatMap((member) => (member.engineVersion ? [member.engineVersion] : [])))]
  checks.push(
    versions.length <= 1
      ? {id: 'cluster-versions', status: 'pass', detail: `Docker ${versions[0] ?? '?'} on every node`, fix: null}
      : {
          id: 'cluster-versions',
          status: 'warn',
          detail: facts.members.map((member) => `${member.host} ${member.engineVersion ?? '?'}`).join(', '),
          fix: 'run the same Docker version on every node',
        },
  )
  const offsets = facts.members.flatMap((member) => (member.clockOffsetMs === undefined ? [] : [member.clockOffsetMs]))
  const spread = offsets.length > 1 ? Math.max(...offsets) - Math.min(...offsets) : 0
  checks.push({
    id: 'cluster-clock',
    status: spread >= CLOCK_FAIL_MS ? 'fail' : spread >= CLOCK_WARN_MS ? 'warn' : 'pass',
    detail: `the nodes' clocks differ by ${(spread / 1000).toFixed(1)} s at most`,
    fix: spread >= CLOCK_WARN_MS ? 'run NTP (systemd-timesyncd or chrony) on every node' : null,
  })
  const esp = facts.members.filter((member) => member.espGcm !== undefined)
  const without = esp.filter((member) => !member.espGcm).map((member) => member.host)
  checks.push(
    without.length === 0
      ? {
          id: 'cluster-overlay',
          status: 'pass',
          detail: 'every kernel offers IPsec ESP: overlays are encrypted',
          fix: null,
        }
      : {
          id: 'cluster-overlay',
          status: 'warn',
          detail: `no IPsec ESP (AES-GCM) in the kernel of ${without.join(', ')}: overlays stay unencrypted`,
          fix: 'use a kernel with esp4 and gcm(aes) to encrypt tenant overlays between nodes',
        },
  )
  return checks
}
