/**
 * Cluster membership: a Docker Swarm formed, joined, listed, labelled, drained and left through
 * each node's own aims host (one SSH connection per node). Placement, rescheduling and rolling
 * updates stay Swarm's; aims only asks and records which hosts are the cluster's nodes.
 */
import {
  checkAddressPool,
  checkAdvertiseAddr,
  checkClusterName,
  clusterRows,
  DEFAULT_ADDRESS_POOL,
  findMember,
  firstAddress,
  managerOrder,
  parseNodeLabel,
  SWARM_PORT,
  type ClusterNodeRow,
} from '../core/cluster.js'
import {AimsError, notFoundError, usageError} from '../core/errors.js'
import type {ClusterMember, HostEntry} from '../core/host-target.js'
import type {Plan, PlanAction, PlanChange} from '../core/plan/plan.js'
import {passGate, type Approver} from './gate.js'
import type {AimsConfig, ConfigStore, HostSession, SwarmApi} from './ports.js'

export interface ClusterDeps {
  config: ConfigStore
  /** The one session of this process to a configured host (by name). */
  sessionOf: (host: string) => Promise<HostSession>
  approver: Approver
  now: () => Date
  /** Polls (leave waits for the node to go down before removing it). */
  sleep: (ms: number) => Promise<void>
}

async function swarmOf(session: HostSession): Promise<SwarmApi> {
  const engine = await session.engine()
  if (!engine.swarm)
    throw new AimsError('engine', `the engine of ${session.host.name} has no Swarm API`, {
      hint: 'clusters need Docker 20.10 or newer',
    })
  return engine.swarm()
}

function plan(action: PlanAction, summary: string, cluster: string, changes: PlanChange[], facts: Plan['facts']): Plan {
  return {
    action,
    summary,
    host: cluster,
    target: cluster,
    destructive: action === 'cluster-leave',
    facts,
    changes,
    gates: [],
  }
}

function configuredHost(config: AimsConfig, name: string): HostEntry {
  const entry = config.hosts[name]
  if (!entry)
    throw notFoundError(`no host named "${name}"`, `add it first: aims host add ${name} user@address (then host trust)`)
  if (entry.cluster) throw usageError(`${name} is a cluster, not a host`, 'give the name of one of your hosts')
  return entry
}

function clusterOwning(config: AimsConfig, host: string): HostEntry | undefined {
  return Object.values(config.hosts).find((entry) => entry.cluster?.members.some((member) => member.host === host))
}

/** The cluster a command acts on: --host when it names a cluster, else the one NODE belongs to, else the only one. */
export function selectCluster(config: AimsConfig, options: {host?: string | undefined; node?: string}): HostEntry {
  const clusters = Object.values(config.hosts).filter((entry) => entry.cluster)
  if (options.host !== undefined) {
    const entry = config.hosts[options.host]
    if (!entry) throw notFoundError(`no cluster named "${options.host}"`, 'see aims host ls')
    if (!entry.cluster) {
      const owner = clusterOwning(config, options.host)
      if (owner) return owner
      throw usageError(`${options.host} is not a cluster`, 'pass --host CLUSTER (aims cluster init HOST makes one)')
    }
    return entry
  }
  const owner = options.node ? clusterOwning(config, options.node) : undefined
  if (owner) return owner
  if (clusters.length === 1) return clusters[0]!
  throw usageError(
    clusters.length === 0 ? 'no cluster is configured' : 'several clusters are configured',
    clusters.length === 0 ? 'form one with aims cluster init HOST --name NAME' : 'pass --host CLUSTER',
  )
}

/** A manager of the cluster that answers (members in order). */
export async function managerSwarm(
  deps: Pick<ClusterDeps, 'sessionOf'>,
  entry: HostEntry,
): Promise<{swarm: SwarmApi; member: ClusterMember}> {
  let last: unknown
  for (const member of managerOrder(entry)) {
    try {
      const swarm = await swarmOf(await deps.sessionOf(member.host))
      const state = await swarm.state()
      if (state.controlAvailable) return {swarm, member}
      last = new Error(`${member.host} is no longer a manager`)
    } catch (error) {
      last = error
    }
  }
  throw new AimsError('connection', `no manager of cluster ${entry.name} answers`, {
    hint: `check the managers (${managerOrder(entry)
      .map((member) => member.host)
      .join(', ')}) with aims doctor --host ${entry.name}`,
    ...(last instanceof Error ? {details: {cause: last.message}} : {}),
  })
}

async function advertiseAddress(session: HostSession, given: string | undefined): Promise<string> {
  if (given !== undefined) return given
  const shell = await session.shell()
  const answer = await shell.exec(['hostname', '-I'])
  const address = firstAddress(answer.stdout)
  if (!address)
    throw usageError(
      `cannot tell which address ${session.host.name} is reached at by other nodes`,
      'pass --advertise-addr ADDRESS',
    )
  return address
}

async function ensureInactive(swarm: SwarmApi, host: string): Promise<void> {
  const state = await swarm.state()
  if (state.localState !== 'inactive')
    throw usageError(
      `${host} is already part of a swarm (node ${state.nodeId || '?'}, ${state.localState})`,
      `take it out first (aims cluster leave ${host}), or join it under aims with cluster join`,
    )
}

export interface ClusterInitRequest {
  host: string
  name: string
  advertiseAddr?: string | undefined
  addressPool?: string | undefined
}

export interface ClusterChangeResult {
  cluster: string
  node: string
  dryRun: boolean
  nodeId?: string
  addr?: string
  role?: 'manager' | 'worker'
  plan: Plan
}

export async function clusterInit(deps: ClusterDeps, request: ClusterInitRequest): Promise<ClusterChangeResult> {
  const name = checkClusterName(request.name)
  const given = request.advertiseAddr === undefined ? undefined : checkAdvertiseAddr(request.advertiseAddr)
  const pool = checkAddressPool(request.addressPool ?? DEFAULT_ADDRESS_POOL)
  const config = await deps.config.read()
  const node = configuredHost(config, request.host)
  if (config.hosts[name])
    throw new AimsError('conflict', `a host or cluster named "${name}" already exists`, {
      hint: 'pick another --name',
      exitCode: 2,
    })
  const owner = clusterOwning(config, node.name)
  if (owner) throw usageError(`${node.name} is already a node of cluster ${owner.name}`, 'see aims cluster ls')
  const session = await deps.sessionOf(node.name)
  const swarm = await swarmOf(session)
  await ensureInactive(swarm, node.name)
  const addr = await advertiseAddress(session, given)
  const thePlan = plan(
    'cluster-init',
    `Form cluster ${name} with ${node.name} as its first manager`,
    name,
    [
      {
        action: 'create',
        kind: 'cluster',
        name,
        detail: `swarm init on ${node.name}, advertising ${addr}:${SWARM_PORT}`,
      },
    ],
    [
      {label: 'manager', value: `${node.name} (${addr})`},
      {label: 'overlay pool', value: pool},
    ],
  )
  if ((await passGate(thePlan, deps.approver)) === 'dry-run')
    return {cluster: name, node: node.name, dryRun: true, addr, role: 'manager', plan: thePlan}
  const nodeId = await swarm.init({advertiseAddr: addr, listenAddr: `${addr}:${SWARM_PORT}`, defaultAddrPool: [pool]})
  await deps.config.update((latest) => {
    latest.hosts[name] = {
      name,
      target: node.target,
      ...(node.identityFile ? {identityFile: node.identityFile} : {}),
      ...(node.domain ? {domain: node.domain} : {}),
      ...(node.tls ? {tls: node.tls} : {}),
      addedAt: deps.now().toISOString(),
      cluster: {members: [{host: node.name, nodeId, role: 'manager', addr}]},
    }
  })
  return {cluster: name, node: node.name, dryRun: false, nodeId, addr, role: 'manager', plan: thePlan}
}

export interface ClusterJoinRequest {
  host: string
  cluster: string
  manager: boolean
  advertiseAddr?: string | undefined
}

export async function clusterJoin(deps: ClusterDeps, request: ClusterJoinRequest): Promise<ClusterChangeResult> {
  const given = request.advertiseAddr === undefined ? undefined : checkAdvertiseAddr(request.advertiseAddr)
  const config = await deps.config.read()
  const entry = config.hosts[request.cluster]
  if (!entry?.cluster)
    throw notFoundError(`no cluster named "${request.cluster}"`, 'form one with aims cluster init HOST --name NAME')
  const node = configuredHost(config, request.host)
  const owner = clusterOwning(config, node.name)
  if (owner) throw usageError(`${node.name} is already a node of cluster ${owner.name}`, 'see aims cluster ls')
  const role = request.manager ? 'manager' : 'worker'
  const [{swarm: manager, member}, session] = await Promise.all([managerSwarm(deps, entry), deps.sessionOf(node.name)])
  const swarm = await swarmOf(session)
  await ensureInactive(swarm, node.name)
  const addr = await advertiseAddress(session, given)
  const thePlan = plan(
    'cluster-join',
    `Join ${node.name} to cluster ${entry.name} as a ${role}`,
    entry.name,
    [{action: 'create', kind: 'node', name: node.name, detail: `swarm join via ${member.host} (${member.addr})`}],
    [
      {label: 'node', value: `${node.name} (${addr})`},
      {label: 'role', value: role},
    ],
  )
  if ((await passGate(thePlan, deps.approver)) === 'dry-run')
    return {cluster: entry.name, node: node.name, dryRun: true, addr, role, plan: thePlan}
  const tokens = await manager.joinTokens()
  await swarm.join({
    remoteAddrs: [`${member.addr}:${SWARM_PORT}`],
    joinToken: tokens[role],
    advertiseAddr: addr,
    listenAddr: `${addr}:${SWARM_PORT}`,
  })
  const {nodeId} = await swarm.state()
  await deps.config.update((latest) => {
    const cluster = latest.hosts[entry.name]?.cluster
    if (!cluster) throw notFoundError(`cluster ${entry.name} was removed meanwhile`, 'see aims host ls')
    cluster.members = [
      ...cluster.members.filter((item) => item.host !== node.name),
      {host: node.name, nodeId, role, addr},
    ]
  })
  return {cluster: entry.name, node: node.name, dryRun: false, nodeId, addr, role, plan: thePlan}
}

export interface ClusterListing {
  cluster: string
  managers: number
  nodes: ClusterNodeRow[]
}

export async function clusterList(deps: Pick<ClusterDeps, 'sessionOf'>, entry: HostEntry): Promise<ClusterListing> {
  const {swarm} = await managerSwarm(deps, entry)
  const [nodes, tasks] = await Promise.all([swarm.listNodes(), swarm.listTasks({desiredState: 'running'})])
  const perNode = new Map<string, number>()
  for (const task of tasks) perNode.set(task.nodeId, (perNode.get(task.nodeId) ?? 0) + 1)
  return {
    cluster: entry.name,
    managers: nodes.filter((node) => node.role === 'manager').length,
    nodes: clusterRows(entry, nodes, perNode),
  }
}

async function nodeOf(deps: ClusterDeps, entry: HostEntry, name: string) {
  const {swarm} = await managerSwarm(deps, entry)
  const nodes = await swarm.listNodes()
  const found = findMember(entry, name, nodes)
  if (!found.node)
    throw notFoundError(
      `no node "${name}" in cluster ${entry.name}`,
      `nodes: ${nodes.map((node) => found.member?.host ?? node.hostname).join(', ')} (see aims cluster ls)`,
    )
  return {swarm, node: found.node, nodes, ...(found.member ? {member: found.member} : {})}
}

export async function clusterLabel(
  deps: ClusterDeps,
  entry: HostEntry,
  request: {node: string; label: string},
): Promise<ClusterChangeResult & {label: {key: string; value: string | null}}> {
  const label = parseNodeLabel(request.label)
  const {swarm, node} = await nodeOf(deps, entry, request.node)
  const thePlan = plan(
    'cluster-label',
    label.value === null
      ? `Remove label ${label.key} from node ${node.hostname}`
      : `Label node ${node.hostname} ${label.key}=${label.value}`,
    entry.name,
    [{action: 'update', kind: 'node', name: node.hostname, detail: `label ${label.key}`}],
    [{label: 'node', value: `${request.node} (${node.id.slice(0, 12)})`}],
  )
  const base = {cluster: entry.name, node: request.node, nodeId: node.id, label, plan: thePlan}
  if ((await passGate(thePlan, deps.approver)) === 'dry-run') return {...base, dryRun: true}
  await swarm.updateNode(node.id, {labels: {[label.key]: label.value}})
  return {...base, dryRun: false}
}

export async function clusterDrain(
  deps: ClusterDeps,
  entry: HostEntry,
  request: {node: string; undo: boolean},
): Promise<ClusterChangeResult & {availability: 'drain' | 'active'}> {
  const {swarm, node} = await nodeOf(deps, entry, request.node)
  const availability = request.undo ? 'active' : 'drain'
  const thePlan = plan(
    'cluster-drain',
    request.undo ? `Make node ${node.hostname} active again` : `Drain node ${node.hostname}: its tasks move elsewhere`,
    entry.name,
    [
      {
        action: 'update',
        kind: 'node',
        name: node.hostname,
        detail: `availability ${node.availability} → ${availability}`,
      },
    ],
    [{label: 'node', value: `${request.node} (${node.id.slice(0, 12)})`}],
  )
  const base = {cluster: entry.name, node: request.node, nodeId: node.id, availability, plan: thePlan} as const
  if ((await passGate(thePlan, deps.approver)) === 'dry-run') return {...base, dryRun: true}
  await swarm.updateNode(node.id, {availability})
  return {...base, dryRun: false}
}

export async function clusterLeave(
  deps: ClusterDeps,
  entry: HostEntry,
  request: {node: string},
): Promise<ClusterChangeResult & {dissolved: boolean}> {
  const members = entry.cluster?.members ?? []
  const member = members.find((item) => item.host === request.node)
  if (!member)
    throw notFoundError(
      `${request.node} is not a node of cluster ${entry.name}`,
      `its nodes: ${members.map((item) => item.host).join(', ')}`,
    )
  const last = members.length === 1
  const otherManagers = members.filter((item) => item.role === 'manager' && item.host !== member.host)
  if (!last && member.role === 'manager' && otherManagers.length === 0)
    throw usageError(
      `${member.host} is the last manager of cluster ${entry.name} and other nodes remain`,
      `take the workers out first (aims cluster leave NODE), or join another manager`,
    )
  const thePlan = plan(
    'cluster-leave',
    last
      ? `Dissolve cluster ${entry.name} (${member.host} leaves the swarm)`
      : `Take ${member.host} out of ${entry.name}`,
    entry.name,
    [
      {action: 'remove', kind: 'node', name: member.host, detail: 'swarm leave; its tasks move to other nodes'},
      ...(last ? [{action: 'remove' as const, kind: 'cluster' as const, name: entry.name}] : []),
    ],
    [{label: 'node', value: `${member.host} (${member.role})`}],
  )
  const base = {cluster: entry.name, node: member.host, nodeId: member.nodeId, role: member.role, plan: thePlan}
  if ((await passGate(thePlan, deps.approver)) === 'dry-run') return {...base, dryRun: true, dissolved: false}
  const manager = last
    ? undefined
    : await managerSwarm({sessionOf: deps.sessionOf}, {...entry, cluster: {members: otherManagers}})
  if (manager && member.role === 'manager') await manager.swarm.updateNode(member.nodeId, {role: 'worker'})
  // The node leaves itself when it answers; a dead node is only removed from the manager's list.
  const left = await deps
    .sessionOf(member.host)
    .then(swarmOf)
    .then((swarm) => swarm.leave(last))
    .then(
      () => true,
      () => false,
    )
  if (manager) {
    for (let attempt = 0; attempt < 40; attempt++) {
      const node = (await manager.swarm.listNodes()).find((item) => item.id === member.nodeId)
      if (!node || node.state === 'down' || !left) break
      await deps.sleep(250)
    }
    await manager.swarm.removeNode(member.nodeId, true).catch((error: unknown) => {
      if (!(error instanceof AimsError && error.kind === 'not-found')) throw error
    })
  } else if (!left) {
    throw new AimsError('connection', `${member.host} did not answer: it is still in its swarm`, {
      hint: `bring it back and run aims cluster leave ${member.host} again`,
    })
  }
  await deps.config.update((latest) => {
    const cluster = latest.hosts[entry.name]?.cluster
    if (!cluster) return
    cluster.members = cluster.members.filter((item) => item.host !== member.host)
    if (cluster.members.length === 0) {
      delete latest.hosts[entry.name]
      if (latest.defaultHost === entry.name) delete latest.defaultHost
    }
  })
  return {...base, dryRun: false, dissolved: last}
}
