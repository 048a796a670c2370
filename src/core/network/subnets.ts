/**
 * Subnets for tenant networks. Docker's default address pools hand each new
 * bridge network a /16 or /20 from 172.17-31.x and 192.168.x: about 30
 * networks and a host is out. aims gives each tenant network a small subnet
 * (a /24 by default) from its own pool instead, skipping every subnet already
 * on the host — aims' or not, of any size — so networks never overlap.
 * Pure: the caller passes the subnets the engine (and the host's routes) use.
 */
import {AimsError, shown, usageError} from '../errors.js'

export const DEFAULT_SUBNET_POOL = '10.210.0.0/16'
export const DEFAULT_SUBNET_PREFIX = 24
/** A /29 leaves 5 addresses for containers after network, gateway and broadcast; smaller is useless. */
const LONGEST_PREFIX = 29

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  network: number
  prefixLength: number
}

const OCTET = /^(0|[1-9]\d{0,2})$/

/**
 * Dotted quad → unsigned 32-bit number; undefined when not a plain IPv4 address (no leading zeros: they read as octal
 * to some tools).
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part) && Number(part) <= 255)) return undefined
  return parts.reduce((value, part) => value * 256 + Number(part), 0)
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

const blockSize = (prefixLength: number) => 2 ** (32 - prefixLength)

/** `a.b.c.d/n` → network and prefix; undefined when malformed. With `strict`, host bits must be zero. */
export function parseIpv4Cidr(text: string, options: {strict?: boolean} = {}): Ipv4Cidr | undefined {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim())
  if (!match) return undefined
  const address = parseIpv4(match[1]!)
  const prefixLength = Number(match[2])
  if (address === undefined || prefixLength > 32) return undefined
  const network = address - (address % blockSize(prefixLength))
  if (options.strict && network !== address) return undefined
  return {network, prefixLength}
}

export const formatCidr = (cidr: Ipv4Cidr) => `${formatIpv4(cidr.network)}/${cidr.prefixLength}`

/** The first and last address of a subnet. */
function range(cidr: Ipv4Cidr): [number, number] {
  return [cidr.network, cidr.network + blockSize(cidr.prefixLength) - 1]
}

export function subnetsOverlap(a: string, b: string): boolean {
  const first = parseIpv4Cidr(a)
  const second = parseIpv4Cidr(b)
  if (!first || !second) return false
  const [aStart, aEnd] = range(first)
  const [bStart, bEnd] = range(second)
  return aStart <= bEnd && bStart <= aEnd
}

/** A pool as configured by the user: a valid network with its host bits zero. */
export function checkSubnetPool(pool: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(pool, {strict: true})
  if (!cidr) {
    const loose = parseIpv4Cidr(pool)
    throw usageError(
      `invalid subnet pool ${shown(pool)}` +
        (loose ? `: its host bits are set (the network is ${formatCidr(loose)})` : ': it is not an IPv4 CIDR'),
      loose ? `write ${formatCidr(loose)}` : 'write a private range such as 10.210.0.0/16',
    )
  }
  if (cidr.prefixLength < 8 || cidr.prefixLength > LONGEST_PREFIX) {
    throw usageError(
      `invalid subnet pool ${shown(pool)}: the prefix must be between /8 and /${LONGEST_PREFIX}`,
      'write a private range such as 10.210.0.0/16',
    )
  }
  return cidr
}

export interface AllocateSubnetInput {
  /** The pool tenant networks come from, e.g. 10.210.0.0/16. */
  pool: string
  /** Size of each tenant network (24 = 254 containers). */
  prefixLength: number
  /**
   * Every IPv4 subnet already in use on the host: Docker networks (aims' or
   * not) and, ideally, the host's own routes. IPv6 subnets are ignored.
   */
  used: string[]
}

export interface SubnetAllocation {
  subnet: string
  gateway: string
}

/**
 * The lowest free subnet of the pool that overlaps nothing in `used`.
 * O(u log u) in the number of used subnets: sorts once, then walks the pool
 * jumping past each used range.
 */
export function allocateSubnet(input: AllocateSubnetInput): SubnetAllocation {
  const pool = checkSubnetPool(input.pool)
  const prefixLength = input.prefixLength
  if (!Number.isInteger(prefixLength) || prefixLength < pool.prefixLength || prefixLength > LONGEST_PREFIX) {
    throw usageError(
      `invalid tenant subnet size /${String(prefixLength)} for the pool ${formatCidr(pool)}`,
      `give a prefix length between ${pool.prefixLength} and ${LONGEST_PREFIX} (24 holds 254 containers)`,
    )
  }
  const size = blockSize(prefixLength)
  const [poolStart, poolEnd] = range(pool)

  const usedRanges: Array<[number, number]> = []
  for (const text of input.used) {
    if (text.includes(':')) continue // IPv6 cannot overlap an IPv4 pool
    const cidr = parseIpv4Cidr(text)
    if (!cidr)
      throw new AimsError('engine', `the host reports a subnet aims cannot read: ${shown(text)}`, {
        hint: 'check docker network inspect for that network',
      })
    const [start, end] = range(cidr)
    if (end >= poolStart && start <= poolEnd) usedRanges.push([start, end])
  }
  usedRanges.sort((a, b) => a[0] - b[0])

  let candidate = poolStart
  for (const [start, end] of usedRanges) {
    if (candidate + size - 1 < start) break // the gap before this used range fits a subnet
    if (end >= candidate) candidate = Math.ceil((end + 1) / size) * size
  }
  if (candidate + size - 1 > poolEnd) {
    throw new AimsError(
      'quota',
      `no free /${prefixLength} left in the subnet pool ${formatCidr(pool)} (${usedRanges.length} subnets of ` +
        `the host overlap it)`,
      {
        hint:
          'configure a larger subnet pool for tenant networks (e.g. a /15), smaller tenant subnets, or remove ' +
          'unused tenant networks',
        details: {pool: formatCidr(pool), prefixLength},
      },
    )
  }
  return {subnet: formatCidr({network: candidate, prefixLength}), gateway: formatIpv4(candidate + 1)}
}
