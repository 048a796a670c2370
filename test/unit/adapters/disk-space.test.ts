import {describe, expect, it} from 'vitest'
import {diskSpaceFromStatfs, diskSpaceFromStatvfs} from '../../../src/adapters/disk-space.js'
import {recordedStatfs, recordedStatvfs} from '../../support/recorded.js'

describe('disk space from recorded real answers', () => {
  it('reads ssh2 statvfs (f_bavail × f_frsize) as the bed answered it', () => {
    const answer = recordedStatvfs()
    const space = diskSpaceFromStatvfs(answer)
    expect(space).toEqual({
      freeBytes: Number(answer.f_bavail) * Number(answer.f_frsize),
      totalBytes: Number(answer.f_blocks) * Number(answer.f_frsize),
    })
    expect(space!.freeBytes).toBeGreaterThan(0)
    expect(Number.isFinite(space!.freeBytes)).toBe(true)
  })

  it('takes bigints (values past 2^53) and falls back to f_bsize when f_frsize is 0', () => {
    const answer: Record<string, unknown> = {...recordedStatvfs(), f_bavail: 10n, f_blocks: 20n, f_frsize: 0}
    expect(diskSpaceFromStatvfs(answer)).toEqual({
      freeBytes: 10 * Number(answer.f_bsize),
      totalBytes: 20 * Number(answer.f_bsize),
    })
  })

  it('reads node statfs (bavail × bsize) as the local adapter gets it', () => {
    const answer = recordedStatfs()
    expect(diskSpaceFromStatfs(answer)).toEqual({
      freeBytes: Number(answer.bavail) * Number(answer.bsize),
      totalBytes: Number(answer.blocks) * Number(answer.bsize),
    })
  })

  it('says "cannot tell" (undefined), never NaN, for a shape it does not know', () => {
    // The names the adapter used to read: an answer with them is not an ssh2 answer.
    expect(diskSpaceFromStatvfs({bavail: 1, frsize: 4096, blocks: 2, bsize: 4096})).toBeUndefined()
    expect(diskSpaceFromStatvfs(recordedStatfs())).toBeUndefined()
    expect(diskSpaceFromStatfs(recordedStatvfs())).toBeUndefined()
    expect(diskSpaceFromStatvfs(undefined)).toBeUndefined()
    expect(diskSpaceFromStatvfs({...recordedStatvfs(), f_bavail: 'lots'})).toBeUndefined()
    expect(diskSpaceFromStatvfs({...recordedStatvfs(), f_bavail: -1})).toBeUndefined()
  })
})
