import {describe, expect, it} from 'vitest'
import {parseTtl, sandboxSpecs, checkSandboxId} from '../../../../src/core/sandbox/sandbox.js'

describe('sandbox specs', () => {
  it('isolates: own network, no ports, no mounts, limits, fewer capabilities, the TTL as the main process', () => {
    const {container, network, expiresAt} = sandboxSpecs(
      {
        id: 'sb-1a2b3c4d',
        tenant: 'acme',
        image: 'debian:bookworm-slim',
        ttlSeconds: 600,
        nanoCpus: 5e8,
        memoryBytes: 256 << 20,
        pidsLimit: 128,
      },
      {now: new Date('2026-12-03T10:00:00Z'), actor: 'me@laptop'},
    )
    expect(expiresAt).toBe('2026-12-03T10:10:00.000Z')
    expect(network.name).toBe('aims-sb-1a2b3c4d')
    expect(container).toMatchObject({
      name: 'aims-sandbox-sb-1a2b3c4d',
      entrypoint: ['sleep'],
      command: ['600'],
      ports: [],
      volumes: [],
      networks: [{name: 'aims-sb-1a2b3c4d', aliases: []}],
      autoRemove: true,
      restartPolicy: 'no',
      pidsLimit: 128,
      noNewPrivileges: true,
      nanoCpus: 5e8,
    })
    expect(container.capDrop).toContain('NET_RAW')
    expect(container.labels).toMatchObject({'aims.sandbox': 'sb-1a2b3c4d', 'aims.expires-at': expiresAt})
    expect(container.labels['aims.managed']).toBeUndefined()
  })
  it('reads TTLs and ids strictly', () => {
    expect(parseTtl('1h')).toBe(3600)
    expect(parseTtl('90s')).toBe(90)
    expect(() => parseTtl('2s')).toThrow(/invalid --ttl "2s"/)
    expect(() => parseTtl('8d')).toThrow()
    expect(() => parseTtl('1 hour')).toThrow()
    expect(() => checkSandboxId('sb-../../x')).toThrow(/invalid sandbox id/)
  })
})
