import {describe, expect, it} from 'vitest'
import {buildHostEntry} from '../../../src/core/host-target.js'
import {checkRegistryMirror, imageRegistry, mirroredReference} from '../../../src/core/registry-mirror.js'
import {AimsError} from '../../../src/core/errors.js'

describe('registry mirror (host setting)', () => {
  it('sends images of other registries to the mirror, keeping the origin registry as the first path part', () => {
    expect(mirroredReference('ghcr.io/bytedance/deer-flow-backend:v2.0.0', '127.0.0.1:5000')).toBe(
      '127.0.0.1:5000/ghcr.io/bytedance/deer-flow-backend:v2.0.0',
    )
    expect(mirroredReference('quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z', 'mirror.example.com/cache')).toBe(
      'mirror.example.com/cache/quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z',
    )
    expect(mirroredReference('localhost:5002/app:1', '127.0.0.1:5000')).toBe('127.0.0.1:5000/localhost:5002/app:1')
  })

  it('leaves Docker Hub names (dockerd mirrors those), images on the mirror itself, and hosts without a mirror', () => {
    for (const image of ['n8nio/n8n:1.0.0', 'redis:8.0.3', 'docker.io/library/redis:8.0.3', 'library/ghost:6.0.0'])
      expect(mirroredReference(image, '127.0.0.1:5000'), image).toBeUndefined()
    expect(mirroredReference('127.0.0.1:5000/aims-fixture/web:1', '127.0.0.1:5000')).toBeUndefined()
    expect(mirroredReference('ghcr.io/a/b:1', undefined)).toBeUndefined()
    expect(imageRegistry('ghcr.io/a/b:1')).toBe('ghcr.io')
    expect(imageRegistry('a/b:1')).toBeUndefined()
  })

  it('host add keeps a valid mirror and refuses a scheme or a bad host with a usage error', () => {
    const now = new Date(0)
    expect(
      buildHostEntry({name: 'vps', target: 'root@203.0.113.7', registryMirror: '127.0.0.1:5000/'}, now).registryMirror,
    ).toBe('127.0.0.1:5000')
    expect(checkRegistryMirror('mirror.example.com/cache')).toBe('mirror.example.com/cache')
    for (const bad of ['http://127.0.0.1:5000', 'Mirror Example', '127.0.0.1:99999', 'host/UPPER', 'a;b'])
      expect(() => checkRegistryMirror(bad), bad).toThrow(AimsError)
    expect(() => checkRegistryMirror('https://mirror.example.com')).toThrow(/without a scheme/)
  })
})
