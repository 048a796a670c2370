import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../../src/core/errors.js'
import {
  allocateSubnet,
  checkSubnetPool,
  formatIpv4,
  parseIpv4,
  parseIpv4Cidr,
  subnetsOverlap,
} from '../../../../src/core/network/subnets.js'

function errorOf(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected an AimsError, nothing was thrown')
}

/** Allocates `count` subnets one after the other, as `count` tenants arriving would. */
function allocateMany(count: number, pool: string, prefixLength: number, foreign: string[] = []) {
  const used = [...foreign]
  const allocations = []
  for (let i = 0; i < count; i++) {
    const allocation = allocateSubnet({pool, prefixLength, used})
    allocations.push(allocation)
    used.push(allocation.subnet)
  }
  return allocations
}

function expectDisjoint(subnets: string[]) {
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++)
      expect(subnetsOverlap(subnets[i]!, subnets[j]!), `${subnets[i]} vs ${subnets[j]}`).toBe(false)
  }
}

describe('IPv4 parsing', () => {
  it('parses and formats dotted quads, refusing leading zeros and out-of-range octets', () => {
    expect(parseIpv4('10.210.3.1')).toBe(10 * 2 ** 24 + 210 * 2 ** 16 + 3 * 256 + 1)
    expect(formatIpv4(parseIpv4('255.255.255.255')!)).toBe('255.255.255.255')
    expect(formatIpv4(0)).toBe('0.0.0.0')
    for (const bad of [
      '10.210.3',
      '10.210.3.1.5',
      '256.1.1.1',
      '010.1.1.1',
      '1.1.1.-1',
      'a.b.c.d',
      '',
      ' 1.1.1.1',
      '1..1.1',
    ])
      expect(parseIpv4(bad), bad).toBeUndefined()
  })

  it('parses CIDRs, normalising host bits unless strict', () => {
    expect(parseIpv4Cidr('172.17.0.1/16')).toEqual({network: parseIpv4('172.17.0.0'), prefixLength: 16})
    expect(parseIpv4Cidr('172.17.0.1/16', {strict: true})).toBeUndefined()
    expect(parseIpv4Cidr('10.0.0.0/33')).toBeUndefined()
    expect(parseIpv4Cidr('10.0.0.0')).toBeUndefined()
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({network: 0, prefixLength: 0})
  })

  it('checkSubnetPool refuses bad pools with a usage error and a fix', () => {
    const hostBits = errorOf(() => checkSubnetPool('10.210.1.0/16'))
    expect(hostBits.kind).toBe('usage')
    expect(hostBits.hint).toBe('write 10.210.0.0/16')
    for (const bad of [
      '10.210.0.0',
      '10.210.0.0/',
      '10.210.0.0/40',
      'ten/16',
      '10.210.0.0/16; rm -rf /',
      '10.0.0.0/7',
      '10.0.0.0/30',
      '',
    ]) {
      expect(errorOf(() => checkSubnetPool(bad)).kind, bad).toBe('usage')
    }
  })

  it('subnetsOverlap compares ranges of any size', () => {
    expect(subnetsOverlap('10.210.0.0/16', '10.210.5.0/24')).toBe(true)
    expect(subnetsOverlap('10.210.5.0/24', '10.210.0.0/16')).toBe(true)
    expect(subnetsOverlap('10.210.0.0/24', '10.210.1.0/24')).toBe(false)
    expect(subnetsOverlap('10.0.0.0/8', '10.255.255.255/32')).toBe(true)
  })
})

describe('allocateSubnet', () => {
  it('gives the first /24 of an empty pool, with .1 as gateway', () => {
    expect(allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: []})).toEqual({
      subnet: '10.210.0.0/24',
      gateway: '10.210.0.1',
    })
  })

  it('skips used subnets, filling gaps first', () => {
    expect(
      allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: ['10.210.0.0/24', '10.210.2.0/24']}).subnet,
    ).toBe('10.210.1.0/24')
    expect(
      allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: ['10.210.1.0/24', '10.210.0.0/24']}).subnet,
    ).toBe('10.210.2.0/24')
  })

  it('gives 40 tenants 40 disjoint /24s inside the pool', () => {
    const allocations = allocateMany(40, '10.210.0.0/16', 24)
    expect(allocations.map((a) => a.subnet)).toEqual(Array.from({length: 40}, (_, i) => `10.210.${i}.0/24`))
    expect(allocations.every((a) => subnetsOverlap(a.subnet, '10.210.0.0/16'))).toBe(true)
    expectDisjoint(allocations.map((a) => a.subnet))
  })

  it('fills a /16 with exactly 256 /24s, then says the pool is exhausted and how to fix it', () => {
    const allocations = allocateMany(256, '10.210.0.0/16', 24)
    expect(new Set(allocations.map((a) => a.subnet)).size).toBe(256)
    expect(allocations.at(-1)).toEqual({subnet: '10.210.255.0/24', gateway: '10.210.255.1'})
    const error = errorOf(() =>
      allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: allocations.map((a) => a.subnet)}),
    )
    expect(error.kind).toBe('quota')
    expect(error.message).toContain('no free /24 left in the subnet pool 10.210.0.0/16')
    expect(error.hint).toContain('larger subnet pool')
  })

  it('avoids foreign subnets of any size: /16s, /20s, single addresses and supernets', () => {
    // A foreign /16 covering the first half of a /15 pool, a /20 and a /32 inside the other half.
    const foreign = ['10.210.0.0/16', '10.211.0.0/20', '10.211.16.7/32', '172.17.0.0/16', '192.168.0.0/20']
    const allocations = allocateMany(40, '10.210.0.0/15', 24, foreign)
    expect(allocations[0]!.subnet).toBe('10.211.17.0/24')
    for (const allocation of allocations) {
      for (const taken of foreign)
        expect(subnetsOverlap(allocation.subnet, taken), `${allocation.subnet} vs ${taken}`).toBe(false)
    }
    expectDisjoint(allocations.map((a) => a.subnet))
    // A supernet of the whole pool leaves nothing.
    expect(errorOf(() => allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: ['10.0.0.0/8']})).kind).toBe(
      'quota',
    )
  })

  it('ignores IPv6 subnets and refuses ones it cannot read', () => {
    expect(allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: ['fd00::/64', '2001:db8::/32']}).subnet).toBe(
      '10.210.0.0/24',
    )
    expect(errorOf(() => allocateSubnet({pool: '10.210.0.0/16', prefixLength: 24, used: ['garbage']})).kind).toBe(
      'engine',
    )
  })

  it('allocates smaller subnets aligned to their size', () => {
    const allocations = allocateMany(5, '10.210.0.0/24', 28, ['10.210.0.20/30'])
    expect(allocations.map((a) => a.subnet)).toEqual([
      '10.210.0.0/28',
      '10.210.0.32/28',
      '10.210.0.48/28',
      '10.210.0.64/28',
      '10.210.0.80/28',
    ])
    expect(allocations[1]!.gateway).toBe('10.210.0.33')
  })

  it('refuses a subnet size that does not fit the pool or leaves no room for containers', () => {
    for (const prefixLength of [15, 30, 32, 24.5, Number.NaN]) {
      expect(
        errorOf(() => allocateSubnet({pool: '10.210.0.0/16', prefixLength, used: []})).kind,
        String(prefixLength),
      ).toBe('usage')
    }
  })

  it('stays fast with thousands of used subnets (no quadratic walk)', () => {
    const used = Array.from({length: 4000}, (_, i) => `10.${192 + Math.floor(i / 256)}.${i % 256}.0/24`).reverse()
    const started = performance.now()
    const allocation = allocateSubnet({pool: '10.192.0.0/12', prefixLength: 24, used})
    expect(allocation.subnet).toBe('10.207.160.0/24')
    expect(performance.now() - started).toBeLessThan(100)
  })
})
