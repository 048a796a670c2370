import {describe, expect, it} from 'vitest'
import {instanceRef} from '../../../src/core/names.js'
import type {StatsSample} from '../../../src/core/engine-types.js'
import {AimsError} from '../../../src/core/errors.js'
import {instanceStats, mapWithLimit} from '../../../src/services/stats.js'
import {fakeEngine, fakeSession, summary} from '../../support/dock-fakes.js'

const sample = (id: string, cpu: number): StatsSample => ({
  id,
  name: id,
  cpuPercent: cpu,
  memoryBytes: 1000,
  memoryLimitBytes: 4000,
  networkRxBytes: 5,
  networkTxBytes: 6,
  read: new Date(0),
})

describe('mapWithLimit', () => {
  it('keeps at most `limit` calls in flight and the results in order', async () => {
    let inFlight = 0
    let peak = 0
    const results = await mapWithLimit([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, value * 3))
      inFlight--
      return value * 10
    })
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60])
    expect(peak).toBe(3)
  })
})

describe('instanceStats', () => {
  it('samples every running container at once with one listing, and sums per instance', async () => {
    const calls: string[] = []
    let inFlight = 0
    let peak = 0
    const engine = fakeEngine({
      listContainers: async (filter) => {
        calls.push(`list ${JSON.stringify(filter.labels)}`)
        return [
          summary('acme', 'a', {id: 'a1'}),
          summary('acme', 'b', {id: 'b1'}),
          summary('acme', 'c', {id: 'c1', state: 'exited'}),
          summary('acme', 'gone', {id: 'g1'}),
        ]
      },
      stats: async (id) => {
        inFlight++
        peak = Math.max(peak, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 20))
        inFlight--
        if (id === 'g1') throw new AimsError('not-found', 'no such container')
        return sample(id, id === 'a1' ? 12.5 : 3)
      },
    })
    const report = await instanceStats(fakeSession({engine}), {tenant: 'acme'})
    expect(calls).toEqual(['list {"aims.managed":"true","aims.tenant":"acme"}'])
    // All three running containers were in flight together (one engine tick, not three).
    expect(peak).toBe(3)
    expect(report.instances.map((item) => [item.ref, item.cpuPercent, item.containers[0]!.sampled])).toEqual([
      ['acme/a', 12.5, true],
      ['acme/b', 3, true],
      ['acme/c', 0, false],
      ['acme/gone', 0, false],
    ])
  })

  it('fails on a transport error instead of reporting zeros', async () => {
    const engine = fakeEngine({
      listContainers: async () => [summary('acme', 'a')],
      stats: async () => Promise.reject(new AimsError('connection', 'the SSH connection dropped')),
    })
    await expect(instanceStats(fakeSession({engine}), {})).rejects.toThrow(/dropped/)
  })

  it('reports one instance, or names the closest ones when it does not exist', async () => {
    const engine = fakeEngine({
      listContainers: async () => [summary('acme', 'shop', {id: 's1'})],
      stats: async (id) => sample(id, 1),
    })
    expect(
      (await instanceStats(fakeSession({engine}), {ref: instanceRef('acme', 'shop')})).instances.map(
        (item) => item.ref,
      ),
    ).toEqual(['acme/shop'])
    await expect(instanceStats(fakeSession({engine}), {ref: instanceRef('acme', 'shoq')})).rejects.toMatchObject({
      kind: 'not-found',
      hint: expect.stringMatching(/acme\/shop/),
    })
  })
})
