/**
 * What aims needs to know about a host before planning a deploy, gathered
 * in a few round trips over the one connection.
 */
import {LABEL, type ContainerSummary, type NetworkSummary} from '../core/engine-types.js'
import {journalFileName, parseDfAvailable, parseJournalFileName, parseListeningPorts, parseMemAvailable} from '../core/host-facts.js'
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
export const journalPath = (stateDir: string, tenant: string, instance: string) => `${deploysDir(stateDir)}/${journalFileName(tenant, instance)}`

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

export async function gatherHostFacts(session: HostSession, engine: Engine, tenant: string): Promise<GatheredFacts> {
  const shell = await session.shell()
  const [version, info, containers, networkSummaries, interrupted] = await Promise.all([
    engine.version(),
    engine.info(),
    engine.listContainers({all: true}),
    engine.listNetworks({}),
    interruptedDeploys(shell, session.host.stateDir),
  ])
  const probe = await shell.exec(['sh', '-c', 'cat /proc/meminfo; echo @@; df -PB1 -- "$1" 2>/dev/null; echo @@; ss -ltnH 2>/dev/null || netstat -ltn 2>/dev/null', 'aims-facts', info.dockerRootDir], {timeoutMs: 15_000})
  const [meminfo = '', df = '', listening = ''] = probe.stdout.split('@@\n')
  const instances = groupInstances(containers.filter((container) => container.labels[LABEL.managed] === 'true'), {...(session.host.domain ? {domain: session.host.domain} : {}), tls: Boolean(session.host.tls)})
  const tenantContainers = containers.filter((container) => container.labels[LABEL.managed] === 'true' && container.labels[LABEL.tenant] === tenant)
  const details = await Promise.all(tenantContainers.map((container) => engine.inspectContainer(container.id)))
  const tenantUsage = {cpus: 0, memoryBytes: 0, diskBytes: 0}
  for (const [index, detail] of details.entries()) {
    tenantUsage.cpus += (detail?.nanoCpus ?? 0) / 1e9
    tenantUsage.memoryBytes += detail?.memoryBytes ?? 0
    tenantUsage.diskBytes += Number(tenantContainers[index]?.labels[LABEL.diskEstimate] ?? 0) || 0
  }
  return {
    facts: {
      engineVersion: version.version,
      apiVersion: version.apiVersion,
      memTotalBytes: info.memTotalBytes,
      memAvailableBytes: parseMemAvailable(meminfo),
      diskFreeBytes: parseDfAvailable(df),
      usedPorts: usedPorts(containers, parseListeningPorts(listening)),
      instances,
      tenantUsage,
      networks: networkSummaries.map((network) => network.name),
      interrupted,
    },
    containers,
    networkSummaries,
  }
}

export {journalFileName}
