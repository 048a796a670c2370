/**
 * `aims doctor --host CLUSTER`: beside the entry node's own checks, every node over its own SSH
 * connection (reachable, engine version, clock, kernel support for encrypted overlays) and
 * Swarm's view from a manager (node states, manager quorum).
 */
import {evaluateCluster, type ClusterCheck, type ClusterFacts, type ClusterNodeFact} from '../core/cluster.js'
import type {HostEntry} from '../core/host-target.js'
import {managerSwarm} from './cluster.js'
import type {HostSession} from './ports.js'

const NODE_TIMEOUT_MS = 10_000
const ESP_GCM = 'rfc4106(gcm(aes))'

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)
    timer.unref?.()
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

async function nodeFact(
  sessionOf: (host: string) => Promise<HostSession>,
  host: string,
  now: () => number,
): Promise<ClusterNodeFact> {
  try {
    return await within(
      (async () => {
        const session = await sessionOf(host)
        const [engine, shell] = await Promise.all([session.engine(), session.shell()])
        const before = now()
        const [version, info, crypto] = await Promise.all([
          engine.version(),
          engine.info(),
          shell.readFile('/proc/crypto').catch(() => undefined),
        ])
        const after = now()
        return {
          host,
          reachable: true,
          engineVersion: version.version,
          ...(info.serverTime ? {clockOffsetMs: info.serverTime.getTime() - (before + after) / 2} : {}),
          ...(crypto ? {espGcm: crypto.toString('utf8').includes(ESP_GCM)} : {}),
        }
      })(),
      NODE_TIMEOUT_MS,
      host,
    )
  } catch (error) {
    return {host, reachable: false, error: (error as Error).message}
  }
}

export async function clusterDoctor(deps: {
  entry: HostEntry
  sessionOf: (host: string) => Promise<HostSession>
  now: () => number
}): Promise<{facts: ClusterFacts; checks: ClusterCheck[]}> {
  const members = deps.entry.cluster?.members ?? []
  const [facts, swarm] = await Promise.all([
    Promise.all(members.map((member) => nodeFact(deps.sessionOf, member.host, deps.now))),
    within(
      managerSwarm({sessionOf: deps.sessionOf}, deps.entry).then(({swarm}) => swarm.listNodes()),
      NODE_TIMEOUT_MS,
      'the managers',
    ).then(
      (nodes) => ({nodes}),
      (error: unknown) => ({error: (error as Error).message}),
    ),
  ])
  const clusterFacts: ClusterFacts = {
    cluster: deps.entry.name,
    members: facts,
    ...('nodes' in swarm ? {swarmNodes: swarm.nodes} : {swarmError: swarm.error}),
  }
  return {facts: clusterFacts, checks: evaluateCluster(clusterFacts)}
}
