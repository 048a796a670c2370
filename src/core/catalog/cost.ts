/**
 * What a plug reserves on the host and what that costs per month. Pure: the
 * planner, `catalog ls/show` and the spending gate all price plans the same
 * way. The size class (xs…xl) in a catalog entry is only a label; money comes
 * from the resources here.
 */
import type {Plug} from './schema.js'

export interface ResourceTotals {
  /** Sum of the services' CPU limits. */
  cpus: number
  /** Sum of the services' memory limits, in bytes. */
  memoryBytes: number
  /** Sum of the volumes' estimated sizes, in bytes. */
  diskBytes: number
  services: number
  volumes: number
}

export interface Prices {
  currency: string
  /** Per vCPU per month. */
  cpuMonthly: number
  memoryGiBMonthly: number
  diskGiBMonthly: number
}

/**
 * Shared-CPU VPS list prices, spread over their parts: a 2 vCPU / 4 GiB / 80 GB
 * droplet-class plan costs about 24 USD a month at the big providers
 * (DigitalOcean, Linode, Vultr), i.e. 2×4 + 4×2.5 + 80×0.10 = 26; block storage
 * is sold at 0.10 USD per GiB-month. Budget hosts (Hetzner) cost about a
 * third of this, so the default errs on the side of not surprising anyone.
 * Hosts configure their own prices; this is only the fallback.
 */
export const DEFAULT_PRICES: Prices = {currency: 'USD', cpuMonthly: 4, memoryGiBMonthly: 2.5, diskGiBMonthly: 0.1}

/** What a service without `resources` is assumed to reserve. */
export const DEFAULT_SERVICE_RESOURCES = {cpus: 0.5, memory: '512m'} as const
/** What a volume without `size` is assumed to hold. */
export const DEFAULT_VOLUME_SIZE = '1g'

const GiB = 1024 ** 3
const UNIT: Record<string, number> = {b: 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 ** 4}

/** A catalog size (256m, 1g, 1.5GiB, 10gb) in bytes; binary units as Docker reads them. */
export function sizeToBytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?$/i.exec(size.trim())
  if (!match) throw new Error(`not a size: ${JSON.stringify(size)}`)
  return Math.round(Number(match[1]) * (UNIT[(match[2] ?? 'b').toLowerCase()] ?? 1))
}

type PlugService = Plug['services'][string]

/** A size, or undefined when it is missing or not a size (the caller's default applies). */
function sizeOrUndefined(size: string | undefined): number | undefined {
  if (!size) return undefined
  try {
    return sizeToBytes(size)
  } catch {
    return undefined
  }
}

/**
 * What one service reserves: the override (plug up's --cpus/--memory, for the entry service),
 * else its catalog resources, else the defaults.
 */
export function serviceReservation(
  service: Pick<PlugService, 'resources'>,
  override: {cpus?: number | undefined; memoryBytes?: number | undefined} = {},
): {cpus: number; memoryBytes: number} {
  return {
    cpus: override.cpus ?? service.resources?.cpus ?? DEFAULT_SERVICE_RESOURCES.cpus,
    memoryBytes:
      override.memoryBytes ??
      sizeOrUndefined(service.resources?.memory) ??
      sizeToBytes(DEFAULT_SERVICE_RESOURCES.memory),
  }
}

/** The disk a volume is expected to use: its size, or the default. */
export const volumeBytes = (volume: {size?: string | undefined}) =>
  sizeOrUndefined(volume.size) ?? sizeToBytes(DEFAULT_VOLUME_SIZE)

/**
 * What a plug reserves in all: the one sum `catalog ls/show`, plug up's plan and its cost gate
 * use. `entryOverride` is plug up's --cpus/--memory for the entry service.
 */
export function resourceTotals(
  plug: Pick<Plug, 'services'>,
  entryOverride: {service: string; cpus?: number | undefined; memoryBytes?: number | undefined} | undefined = undefined,
): ResourceTotals {
  const totals: ResourceTotals = {cpus: 0, memoryBytes: 0, diskBytes: 0, services: 0, volumes: 0}
  const seenVolumes = new Set<string>()
  for (const [name, service] of Object.entries(plug.services)) {
    totals.services++
    const reserved = serviceReservation(service, name === entryOverride?.service ? entryOverride : {})
    totals.cpus += reserved.cpus
    totals.memoryBytes += reserved.memoryBytes
    for (const volume of service.volumes ?? []) {
      // A volume shared by several services of the plug (catalog v2) is one volume.
      if (seenVolumes.has(volume.name)) continue
      seenVolumes.add(volume.name)
      totals.volumes++
      totals.diskBytes += volumeBytes(volume)
    }
  }
  // Floating sums of 0.1-steps drift (0.1 + 0.2); CPU limits are hundredths.
  totals.cpus = Math.round(totals.cpus * 100) / 100
  return totals
}

export interface MonthlyCost {
  currency: string
  cpu: number
  memory: number
  disk: number
  total: number
}

const cents = (amount: number) => Math.round(amount * 100) / 100

export function estimateMonthlyCost(
  totals: Pick<ResourceTotals, 'cpus' | 'memoryBytes' | 'diskBytes'>,
  prices: Prices = DEFAULT_PRICES,
): MonthlyCost {
  const cpu = totals.cpus * prices.cpuMonthly
  const memory = (totals.memoryBytes / GiB) * prices.memoryGiBMonthly
  const disk = (totals.diskBytes / GiB) * prices.diskGiBMonthly
  return {
    currency: prices.currency,
    cpu: cents(cpu),
    memory: cents(memory),
    disk: cents(disk),
    total: cents(cpu + memory + disk),
  }
}
