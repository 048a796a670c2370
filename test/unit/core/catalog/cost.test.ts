import {describe, expect, it} from 'vitest'
import {
  DEFAULT_PRICES,
  DEFAULT_SERVICE_RESOURCES,
  estimateMonthlyCost,
  resourceTotals,
  sizeToBytes,
} from '../../../../src/core/catalog/cost.js'
import {parsePlug} from '../../../../src/core/catalog/validate.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

const plugWith = (services: Record<string, unknown>) =>
  parsePlug(
    JSON.stringify({
      id: 'p',
      name: 'P',
      description: 'A plug for cost tests.',
      category: 'testing',
      tags: ['t'],
      homepage: 'https://example.com',
      license: 'MIT',
      size: 's',
      services,
    }),
    'p.yaml',
  )

describe('sizeToBytes', () => {
  it('reads catalog sizes in binary units, as Docker does', () => {
    expect(sizeToBytes('256m')).toBe(256 * MiB)
    expect(sizeToBytes('1g')).toBe(GiB)
    expect(sizeToBytes('1.5GiB')).toBe(1.5 * GiB)
    expect(sizeToBytes('10gb')).toBe(10 * GiB)
    expect(sizeToBytes('512')).toBe(512)
    expect(() => sizeToBytes('lots')).toThrow(/not a size/)
  })
})

describe('resourceTotals', () => {
  it('sums CPUs, memory and volume sizes over services', () => {
    const plug = plugWith({
      web: {
        image: 'a/web:1.0.0',
        entry: {port: 80},
        health: {type: 'tcp'},
        resources: {cpus: 0.1, memory: '256m'},
        volumes: [{name: 'data', path: '/data', size: '2g'}],
      },
      db: {
        image: 'a/db:1.0.0',
        resources: {cpus: 0.2, memory: '1g'},
        volumes: [
          {name: 'db', path: '/var/lib/db', size: '500m'},
          {name: 'logs', path: '/logs', size: '1g'},
        ],
      },
    })
    expect(resourceTotals(plug)).toEqual({
      cpus: 0.3,
      memoryBytes: 256 * MiB + GiB,
      diskBytes: 2 * GiB + 500 * MiB + GiB,
      services: 2,
      volumes: 3,
    })
  })

  it('uses defaults for services without resources and volumes without a size', () => {
    const plug = plugWith({
      web: {image: 'a/web:1.0.0', entry: {port: 80}, health: {type: 'tcp'}, volumes: [{name: 'data', path: '/data'}]},
    })
    expect(resourceTotals(plug)).toEqual({
      cpus: DEFAULT_SERVICE_RESOURCES.cpus,
      memoryBytes: 512 * MiB,
      diskBytes: GiB,
      services: 1,
      volumes: 1,
    })
  })
})

describe('estimateMonthlyCost', () => {
  it('prices each part and rounds to cents', () => {
    const cost = estimateMonthlyCost(
      {cpus: 1.5, memoryBytes: 3 * GiB, diskBytes: 25 * GiB},
      {currency: 'EUR', cpuMonthly: 3, memoryGiBMonthly: 1.333, diskGiBMonthly: 0.05},
    )
    expect(cost).toEqual({currency: 'EUR', cpu: 4.5, memory: 4, disk: 1.25, total: 9.75})
  })

  it('defaults to VPS-like USD prices: a 2 vCPU / 4 GiB / 80 GiB box costs about what providers charge', () => {
    expect(DEFAULT_PRICES.currency).toBe('USD')
    const total = estimateMonthlyCost({cpus: 2, memoryBytes: 4 * GiB, diskBytes: 80 * GiB}).total
    expect(total).toBeGreaterThan(15)
    expect(total).toBeLessThan(40)
  })

  it('grows linearly with resources and costs nothing for nothing', () => {
    const one = estimateMonthlyCost({cpus: 1, memoryBytes: GiB, diskBytes: 10 * GiB}).total
    const three = estimateMonthlyCost({cpus: 3, memoryBytes: 3 * GiB, diskBytes: 30 * GiB}).total
    expect(three).toBeCloseTo(3 * one, 2)
    expect(estimateMonthlyCost({cpus: 0, memoryBytes: 0, diskBytes: 0}).total).toBe(0)
  })
})
