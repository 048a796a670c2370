import {describe, expect, it} from 'vitest'
import type {ContainerSummary, StatsSample} from '../../../src/core/engine-types.js'
import {groupInstances} from '../../../src/core/instances.js'
import {aggregateStats, compactBytes, totalStats} from '../../../src/core/stats.js'

const container = (
  id: string,
  instance: string,
  service: string,
  state: ContainerSummary['state'] = 'running',
  replica = '1',
): ContainerSummary => ({
  id,
  name: `aims-acme-${instance}-${service}${replica === '1' ? '' : `-${replica}`}`,
  image: 'img:1',
  labels: {
    'aims.managed': 'true',
    'aims.tenant': 'acme',
    'aims.instance': instance,
    'aims.plug': 'p',
    'aims.service': service,
    'aims.replica': replica,
    ...(service === 'web' ? {'aims.entry': 'true'} : {}),
    'aims.services': 'web,db',
  },
  state,
  status: state === 'running' ? 'Up 1 minute' : 'Exited (0)',
  created: new Date(0),
  ports: [],
  health: 'none',
  networks: [],
})
const sample = (id: string, cpu: number, memory: number, limit = 512 * 1024 ** 2): StatsSample => ({
  id,
  name: id,
  cpuPercent: cpu,
  memoryBytes: memory,
  memoryLimitBytes: limit,
  networkRxBytes: 1000,
  networkTxBytes: 10,
  read: new Date(0),
})

describe('aggregateStats', () => {
  const views = groupInstances([
    container('w1', 'shop', 'web'),
    container('d1', 'shop', 'db'),
    container('w2', 'shop', 'web', 'running', '2'),
    container('x1', 'blog', 'web', 'exited'),
  ])

  it('sums every sampled container of an instance', () => {
    const samples = new Map([
      ['w1', sample('w1', 12.345, 100)],
      ['d1', sample('d1', 1.5, 300)],
      ['w2', sample('w2', 0.25, 50)],
    ])
    const [blog, shop] = aggregateStats(views, samples)
    expect(shop).toMatchObject({
      ref: 'acme/shop',
      cpuPercent: 14.1,
      memoryBytes: 450,
      memoryLimitBytes: 3 * 512 * 1024 ** 2,
      networkRxBytes: 3000,
      networkTxBytes: 30,
    })
    expect(shop!.containers.map((item) => `${item.service}#${item.replica}:${item.cpuPercent}`)).toEqual([
      'web#1:12.35',
      'web#2:0.25',
      'db#1:1.5',
    ])
    expect(blog).toMatchObject({ref: 'acme/blog', cpuPercent: 0, memoryBytes: 0})
    expect(blog!.containers[0]).toMatchObject({sampled: false, state: 'exited'})
  })

  it('totals the selection and counts only sampled containers', () => {
    const total = totalStats(
      aggregateStats(
        views,
        new Map([
          ['w1', sample('w1', 2, 10)],
          ['d1', sample('d1', 3, 20)],
        ]),
      ),
    )
    expect(total).toEqual({containers: 2, cpuPercent: 5, memoryBytes: 30, networkRxBytes: 2000, networkTxBytes: 20})
  })
})

describe('compactBytes', () => {
  it('fits sizes in a few columns', () => {
    expect([0, 512, 1536, 45 * 1024 ** 2, 1.25 * 1024 ** 3, 20 * 1024 ** 4].map(compactBytes)).toEqual([
      '0B',
      '512B',
      '1.5K',
      '45M',
      '1.3G',
      '20T',
    ])
  })
})
