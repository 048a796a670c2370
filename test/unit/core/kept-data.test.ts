import {describe, expect, it} from 'vitest'
import {keptData} from '../../../src/core/kept-data.js'

const labels = (tenant: string, instance: string, plug = 'fixture-web') => ({
  'aims.managed': 'true',
  'aims.tenant': tenant,
  'aims.instance': instance,
  'aims.plug': plug,
})

describe('keptData', () => {
  const volumes = [
    {name: 'aims_a_web_data', labels: labels('a', 'web'), created: new Date('2026-12-01T10:00:00Z')},
    {name: 'aims_a_web_db', labels: labels('a', 'web'), created: new Date('2026-11-30T09:00:00Z')},
    {name: 'aims_a_live_data', labels: labels('a', 'live')},
    {name: 'aims_b_cut_data', labels: labels('b', 'cut')},
    {name: 'other', labels: {'aims.tenant': 'a', 'aims.instance': 'x'}},
  ]
  const containers = [{labels: labels('a', 'live')}]
  const journals = [{tenant: 'b', instance: 'cut'}]

  it('groups the volumes of instances with no container and no journal, oldest first creation', () => {
    expect(keptData(volumes, containers, journals)).toEqual([
      {
        tenant: 'a',
        instance: 'web',
        ref: 'a/web',
        plug: 'fixture-web',
        volumes: ['aims_a_web_data', 'aims_a_web_db'],
        createdAt: '2026-11-30T09:00:00.000Z',
      },
    ])
  })

  it('a live instance or an interrupted deploy owns its volumes: not kept; the tenant filter applies', () => {
    expect(keptData(volumes, [], [])).toHaveLength(3)
    expect(keptData(volumes, [], [], 'b').map((item) => item.ref)).toEqual(['b/cut'])
    expect(keptData(volumes, [...containers, {labels: labels('a', 'web')}], journals)).toEqual([])
  })
})
