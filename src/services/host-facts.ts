/**
 * What aims needs to know about a host before planning a deploy, gathered
 * in a few round trips over the one connection.
 */
import {LABEL, type ContainerSummary, type NetworkSummary, type VolumeSummary} from '../core/engine-types.js'
import {parseMeminfo, parseProcNetTcp} from '../core/doctor.js'
import {journalFileName, parseJournalFileName} from '../core/host-facts.js'
import {groupInstances} from '../core/instances.js'
import {formatInstanceRef} from '../core/names.js'
import type {HostFacts} from '../core/plan/plug-up.js'
import type {Engine, HostSession, HostShell} from './ports.js'

export interface GatheredFacts {
  facts: HostFacts
  containers: ContainerSummary[]
  networkSummaries: NetworkSummary[]
}

export const deploysDir = (stateDir: string) => `${stateDir}/deploys`
export const journalPath = (stateDir: string, tenant: string, instance: string) =>
  `${deploysDir(stateDir)}/${journalFileName(tenant, instance)}`

/** Owner of every existing aims-looking object name (see HostFacts.objectOwners). */
export function objectOwners(
  containers: ContainerSummary[],
  networks: NetworkSummary[],
  volumes: VolumeSummary[],
): Record<string, string> {
  const owners: Record<string, string> = {}
  const ownerOf = (labels: Record<string, string>) =>
    labels[LABEL.managed] === 'true' ? `${labels[LABEL.tenant] ?? ''}/${labels[LABEL.instance] ?? ''}` : ''
  for (const container of containers)
    if (container.name.startsWith('aims-')) owners[container.name] = ownerOf(container.labels)
  for (const network of networks) if (network.name.startsWith('aims-')) owners[network.name] = ownerOf(network.labels)
  for (const volume of volumes) if (volume.name.startsWith('aims-')) owners[volume.name] = ownerOf(volume.labels)
  return owners
}

/** Every host port in use: published by containers, claimed by aims labels (created containers), or listened on. */
export function usedPorts(containers: ContainerSummary[], listening: number[]): number[] {
  const ports = new Set(listening)
  for (const container of containers) {
    for (const port of container.ports) ports.add(port.hostPort)
    const claimed = Number(container.labels[LABEL.port])
    if (claimed) ports.add(claimed)
  }
  return [...ports].sort((a, b) => a - b)
}

export async function interruptedDeploys(shell: HostShell, stateDir: string): Promise<string[]> {
  const names = (await shell.listDir(deploysDir(stateDir)).catch(() => undefined)) ?? []
  return names.flatMap((name) => {
    const ref = parseJournalFileName(name)
    return ref ? [formatInstanceRef(ref)] : []
  })
}

/**
 * Only what can change between two looks a second apart (containers, ports,
 * networks, the tenant's usage); engine version, memory and disk are kept
 * from `previous`. Used for the re-check under the host lock.
 */
export async function refreshHostFacts(
  session: HostSession,
  engine: Engine,
  tenant: string,
  previous: HostFacts,
): Promise<GatheredFacts> {
  const [containers, networkSummaries, volumes] = await Promise.all([
    engine.listContainers({all: true}),
    engine.listNetworks({}),
    engine.listVolumes({}),
  ])
  const listening = previous.usedPorts
  const instances = groupInstances(
    containers.filter((container) => container.labels[LABEL.managed] === 'true'),
    {...(session.host.domain ? {domain: session.host.domain} : {}), tls: Boolean(session.host.tls)},
  )
  return {
    facts: {
      ...previous,
      // Ports seen listening before stay taken; containers add theirs.
      usedPorts: usedPorts(containers, listening),
      instances,
      tenantUsage: await tenantUsage(engine, containers, tenant),
      networks: networkSummaries.map((network) => network.name),
      objectOwners: objectOwners(containers, networkSummaries, volumes),
    },
    containers,
    networkSummaries,
  }
}

async function tenantUsage(
  engine: Engine,
  containers: ContainerSummary[],
  tenant: string,
): Promise<HostFacts['tenantUsage']> {
  const tenantContainers = containers.filter(
    (container) => container.labels[LABEL.managed] === 'true' && container.labels[LABEL.tenant] === tenant,
  )
  const details = await Promise.all(tenantContainers.map((container) => engine.inspectContainer(container.id)))
  const usage = {cpus: 0, memoryBytes: 0, diskBytes: 0}
  for (const [index, detail] of details.entries()) {
    usage.cpus += (detail?.nanoCpus ?? 0) / 1e9
    usage.memoryBytes += detail?.memoryBytes ?? 0
    usage.diskBytes += Number(tenantContainers[index]?.labels[LABEL.diskEstimate] ?? 0) || 0
  }
  return usage
}

export async function gatherHostFacts(session: HostSession, engine: Engine, tenant: string): Promise<GatheredFacts> {
  const shell = await session.shell()
  const [version, info, containers, networkSummaries, volumes, interrupted] = await Promise.all([
    engine.version(),
    engine.info(),
    engine.listContainers({all: true}),
    engine.listNetworks({}),
    engine.listVolumes({}),
    interruptedDeploys(shell, session.host.stateDir),
  ])
  // Files and statvfs over SFTP: a handful of round trips, no login shell.
  const [meminfo, disk, tcp4, tcp6] = await Promise.all([
    shell.readFile('/proc/meminfo').then(
      (data) => data?.toString('utf8') ?? '',
      () => '',
    ),
    shell.diskFree(info.dockerRootDir),
    shell.readFile('/proc/net/tcp').then(
      (data) => data?.toString('utf8') ?? '',
      () => '',
    ),
    shell.readFile('/proc/net/tcp6').then(
      (data) => data?.toString('utf8') ?? '',
      () => '',
    ),
  ])
  const listeningPorts = [...parseProcNetTcp(tcp4), ...parseProcNetTcp(tcp6)]
  const instances = groupInstances(
    containers.filter((container) => container.labels[LABEL.managed] === 'true'),
    {...(session.host.domain ? {domain: session.host.domain} : {}), tls: Boolean(session.host.tls)},
  )
  return {
    facts: {
      engineVersion: version.version,
      apiVersion: version.apiVersion,
      memTotalBytes: info.memTotalBytes,
      hostCpus: info.cpus,
      memAvailableBytes: parseMeminfo(meminfo).availableBytes,
      diskFreeBytes: disk?.freeBytes,
      usedPorts: usedPorts(containers, listeningPorts),
      instances,
      tenantUsage: await tenantUsage(engine, containers, tenant),
      networks: networkSummaries.map((network) => network.name),
      objectOwners: objectOwners(containers, networkSummaries, volumes),
      interrupted,
    },
    containers,
    networkSummaries,
  }
}

export {journalFileName}

/**
 * Whether any container, in any state, still references the network. Docker
 * counts only running containers as attached and lets a network go while
 * stopped ones still need it (they then fail to start).
 */
export async function networkInUse(engine: Engine, name: string): Promise<boolean> {
  const containers = await engine.listContainers({all: true})
  return containers.some((container) => container.networks.includes(name))
}
