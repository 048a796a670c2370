import {describe, expect, it} from 'vitest'
import {sandboxSpecs} from '../../../src/core/sandbox/sandbox.js'
import {expireSandboxes} from '../../../src/services/sandbox.js'
import {FakeSession} from '../../support/fake-session.js'

async function sandbox(session: FakeSession, id: string, ttlSeconds: number, now: Date) {
  const engine = await session.engine()
  engine.images.add('debian:bookworm-slim')
  const specs = sandboxSpecs(
    {id, tenant: 'acme', image: 'debian:bookworm-slim', ttlSeconds, nanoCpus: 1e9, memoryBytes: 1 << 29, pidsLimit: 64},
    {now, actor: 'me'},
  )
  await engine.createNetwork(specs.network)
  await engine.createContainer(specs.container)
  await engine.startContainer(specs.container.name)
}

describe('expireSandboxes (the warden task)', () => {
  it('removes overdue sandboxes and their networks, keeps the others, and is idempotent', async () => {
    const session = new FakeSession()
    const start = new Date('2026-12-03T10:00:00Z')
    await sandbox(session, 'sb-aaaaaaaa', 60, start)
    await sandbox(session, 'sb-bbbbbbbb', 3600, start)
    const engine = await session.engine()
    expect(await expireSandboxes({session}, new Date('2026-12-03T10:00:30Z'))).toEqual({removed: [], networks: []})
    const later = new Date('2026-12-03T10:01:00Z')
    expect(await expireSandboxes({session}, later)).toEqual({removed: ['sb-aaaaaaaa'], networks: ['aims-sb-aaaaaaaa']})
    expect((await engine.listContainers({all: true})).map((container) => container.name)).toEqual([
      'aims-sandbox-sb-bbbbbbbb',
    ])
    expect((await engine.listNetworks({})).map((network) => network.name)).toContain('aims-sb-bbbbbbbb')
    expect(await expireSandboxes({session}, later)).toEqual({removed: [], networks: []})
  })

  it('sweeps the network of a sandbox the engine already removed at its TTL', async () => {
    const session = new FakeSession()
    await sandbox(session, 'sb-cccccccc', 60, new Date('2026-12-03T10:00:00Z'))
    const engine = await session.engine()
    await engine.removeContainer('aims-sandbox-sb-cccccccc', {force: true})
    expect(await expireSandboxes({session}, new Date('2026-12-03T10:00:10Z'))).toEqual({
      removed: [],
      networks: ['aims-sb-cccccccc'],
    })
  })
})
