import {describe, expect, it} from 'vitest'
import {holderInfo} from '../../../src/adapters/remote-locks.js'
import {describeHolder, readHolder} from '../../../src/services/host-lock.js'
import type {HostSession} from '../../../src/services/ports.js'

const holder = {machine: 'laptop', pid: 4242, doing: 'plug up n8n as acme/n8n', since: '2026-12-03T10:41:07.123Z'}

const sessionWith = (files: Record<string, string>) =>
  ({
    host: {name: 'vps', stateDir: '/var/lib/aims'},
    shell: async () => ({readFile: async (path: string) => (path in files ? Buffer.from(files[path]!) : undefined)}),
  }) as unknown as HostSession

describe('host lock holders', () => {
  it('the record the lock helper writes (base64, one shell word) reads back as the holder', async () => {
    const info = holderInfo(holder)
    expect(info).toMatch(/^[A-Za-z0-9+/=]+$/)
    const session = sessionWith({'/var/lib/aims/locks/alloc.holder': `${info}\n`})
    expect(await readHolder(session, 'alloc')).toEqual(holder)
    expect(await readHolder(session, 'other')).toBeUndefined()
    expect(await readHolder(sessionWith({'/var/lib/aims/locks/alloc.holder': 'garbage'}), 'alloc')).toBeUndefined()
  })

  it('names the holder in words, cleaned; without a record says "another aims process"', () => {
    expect(describeHolder(holder)).toBe(
      'another aims process (pid 4242 on laptop: plug up n8n as acme/n8n, since 10:41:07 UTC)',
    )
    expect(describeHolder({...holder, actor: 'ann@laptop', machine: 'lap\u001b[31mtop'})).toBe(
      'another aims process (ann@laptop, pid 4242 on laptop: plug up n8n as acme/n8n, since 10:41:07 UTC)',
    )
    expect(describeHolder(undefined)).toBe('another aims process')
  })
})
