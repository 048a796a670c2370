import {describe, expect, it} from 'vitest'
import {capacityGate} from '../../../../src/core/plan/resource-gates.js'

const GiB = 1024 ** 3
const input = (diskFreeBytes: number | undefined, addedDisk: number) =>
  ({
    facts: {memTotalBytes: 8 * GiB, memAvailableBytes: 4 * GiB, diskFreeBytes, hostCpus: 2},
    host: {name: 'vps'},
    added: {memoryBytes: 256 * 1024 ** 2, diskBytes: addedDisk},
    largestContainerCpus: 1,
    lower: 'lower --memory',
  }) as unknown as Parameters<typeof capacityGate>[0]

describe('the capacity gate and facts a change does not need', () => {
  it('passes a change that adds no disk when the free disk is unknown (a restart by the warden)', () => {
    const gate = capacityGate(input(Number.NaN, 0))
    expect(gate).toMatchObject({status: 'pass', detail: '4.0 GiB memory available, no disk added, 2 CPUs'})
  })

  it('fails, as "cannot check", a change that adds disk when the free disk is unknown', () => {
    const gate = capacityGate(input(undefined, GiB))
    expect(gate.status).toBe('fail')
    expect(gate.detail).toMatch(/^cannot check: free disk on vps is unknown/)
  })

  it('still refuses what does not fit when the disk is known', () => {
    expect(capacityGate(input(GiB / 2, GiB)).detail).toMatch(/needs 1\.0 GiB disk, 512 MiB free/)
  })
})
