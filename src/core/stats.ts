/**
 * Resource use of instances: one engine stats sample per container, summed
 * per instance. Pure: the sampling itself is in services/stats.ts.
 */
import type {StatsSample} from './engine-types.js'
import type {InstanceView} from './instances.js'

export interface ContainerStats {
  service: string
  replica: number
  container: string
  state: string
  /** Absent when the container was not running (or vanished while sampled). */
  sampled: boolean
  /** 100 = one full CPU core. */
  cpuPercent: number
  memoryBytes: number
  /** The container's memory limit (the host's memory when it has none). */
  memoryLimitBytes: number
  networkRxBytes: number
  networkTxBytes: number
}

export interface InstanceStats {
  tenant: string
  instance: string
  ref: string
  plug: string
  status: string
  containers: ContainerStats[]
  /** Sums over the instance's sampled containers. */
  cpuPercent: number
  memoryBytes: number
  memoryLimitBytes: number
  networkRxBytes: number
  networkTxBytes: number
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits

/** Joins samples (by container id) to instances; containers without a sample count as zero. */
export function aggregateStats(views: InstanceView[], samples: ReadonlyMap<string, StatsSample>): InstanceStats[] {
  return views.map((view) => {
    const containers: ContainerStats[] = view.replicas.map((replica) => {
      const sample = samples.get(replica.containerId)
      return {
        service: replica.service,
        replica: replica.replica,
        container: replica.containerName,
        state: replica.state,
        sampled: sample !== undefined,
        cpuPercent: round(sample?.cpuPercent ?? 0, 2),
        memoryBytes: sample?.memoryBytes ?? 0,
        memoryLimitBytes: sample?.memoryLimitBytes ?? 0,
        networkRxBytes: sample?.networkRxBytes ?? 0,
        networkTxBytes: sample?.networkTxBytes ?? 0,
      }
    })
    const sum = (pick: (container: ContainerStats) => number) =>
      containers.reduce((total, container) => total + pick(container), 0)
    return {
      tenant: view.tenant,
      instance: view.instance,
      ref: view.ref,
      plug: view.plug,
      status: view.status,
      containers,
      cpuPercent: round(
        sum((container) => container.cpuPercent),
        2,
      ),
      memoryBytes: sum((container) => container.memoryBytes),
      memoryLimitBytes: sum((container) => container.memoryLimitBytes),
      networkRxBytes: sum((container) => container.networkRxBytes),
      networkTxBytes: sum((container) => container.networkTxBytes),
    }
  })
}

/** Sums for the whole selection (the last line of `aims stats`). */
export function totalStats(
  instances: InstanceStats[],
): Pick<InstanceStats, 'cpuPercent' | 'memoryBytes' | 'networkRxBytes' | 'networkTxBytes'> & {containers: number} {
  return {
    containers: instances.reduce(
      (total, instance) => total + instance.containers.filter((container) => container.sampled).length,
      0,
    ),
    cpuPercent: round(
      instances.reduce((total, instance) => total + instance.cpuPercent, 0),
      2,
    ),
    memoryBytes: instances.reduce((total, instance) => total + instance.memoryBytes, 0),
    networkRxBytes: instances.reduce((total, instance) => total + instance.networkRxBytes, 0),
    networkTxBytes: instances.reduce((total, instance) => total + instance.networkTxBytes, 0),
  }
}

/** Compact sizes for narrow columns: 512B, 12K, 45M, 1.2G. */
export function compactBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  return `${value.toFixed(digits)}${units[unit]}`
}
