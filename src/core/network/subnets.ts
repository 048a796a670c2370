/**
 * Small subnets for tenant and instance networks from a configurable pool,
 * so many tenants never exhaust Docker's default address pools.
 * (Provisional: the proxy/isolation work replaces this with the full version.)
 */
import {AimsError, usageError} from '../errors.js'

function parseCidr(cidr: string): {base: number; prefix: number} {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr)
  if (!match) throw usageError(`invalid subnet ${JSON.stringify(cidr)}`, 'write it as a.b.c.d/n, e.g. 10.210.0.0/16')
  const octets = match.slice(1, 5).map(Number)
  const prefix = Number(match[5])
  if (octets.some((octet) => octet > 255) || prefix > 30) throw usageError(`invalid subnet ${JSON.stringify(cidr)}`, 'write it as a.b.c.d/n, e.g. 10.210.0.0/16')
  const base = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!
  return {base: prefix === 0 ? 0 : (base & (~0 << (32 - prefix))) >>> 0, prefix}
}

const format = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.')

export function allocateSubnet(options: {pool: string; prefixLength: number; used: string[]}): {subnet: string; gateway: string} {
  const pool = parseCidr(options.pool)
  const size = 2 ** (32 - options.prefixLength)
  const used = options.used.flatMap((cidr) => {
    try {
      const parsed = parseCidr(cidr)
      return [{start: parsed.base, end: parsed.base + 2 ** (32 - parsed.prefix) - 1}]
    } catch {
      return []
    }
  })
  const poolEnd = pool.base + 2 ** (32 - pool.prefix) - 1
  for (let start = pool.base; start + size - 1 <= poolEnd; start += size) {
    const end = start + size - 1
    if (!used.some((range) => range.start <= end && start <= range.end)) return {subnet: `${format(start)}/${options.prefixLength}`, gateway: format(start + 1)}
  }
  throw new AimsError('quota', `no free /${options.prefixLength} subnet left in ${options.pool}`, {hint: 'configure a larger pool: aims config set network.pool 10.200.0.0/14'})
}
