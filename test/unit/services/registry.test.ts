import {describe, expect, it} from 'vitest'
import {
  checkRegistryHost,
  listTags,
  manifestDigest,
  newestTagFor,
  pullAuth,
  registryLogin,
  storedCredentials,
} from '../../../src/services/registry.js'
import type {SecretStore} from '../../../src/services/secret-store.js'
import {RecordedRegistry} from '../../support/recorded-http.js'

const AUTH = '127.0.0.1:5001'
const remote = {registry: AUTH, repository: 'aims-fixture/remote-web'}
const routes = {
  [`GET ${AUTH}/v2/aims-fixture/remote-web/tags/list?n=1000`]: {
    anonymous: 'auth-tags-list-401.http',
    authorized: 'auth-tags-list-200.http',
  },
  [`HEAD ${AUTH}/v2/aims-fixture/remote-web/manifests/1`]: {
    anonymous: 'auth-manifest-head-401.http',
    authorized: 'auth-manifest-head-200.http',
  },
  [`GET ${AUTH}/v2/`]: {anonymous: 'auth-v2-base-401.http', authorized: 'open-v2-base.http'},
}
const good = {username: 'aims-bed', password: 'right'}

function memorySecrets(): SecretStore & {values: Map<string, string>} {
  const values = new Map<string, string>()
  const location = {store: 'file' as const, detail: '/tmp/secrets.enc'}
  return {
    values,
    get: async (name) => (values.has(name) ? {value: values.get(name)!, location} : undefined),
    set: async (name, value) => {
      const replaced = values.has(name)
      values.set(name, value)
      return {location, replaced}
    },
    delete: async (name) => ({removed: values.delete(name) ? [location] : []}),
    where: async (name) => (values.has(name) ? location : undefined),
    list: async () => [...values.keys()].map((name) => ({name, location})),
    target: async () => ({location}),
  }
}

describe('the registry API against the bed registry with basic auth (recorded answers)', () => {
  it('lists tags and the manifest digest with credentials; refuses without, naming the login', async () => {
    const client = new RecordedRegistry(routes, 'right')
    expect(await listTags(client, remote, good)).toEqual(['1'])
    expect(await manifestDigest(client, remote, '1', good)).toMatch(/^sha256:[0-9a-f]{64}$/)
    await expect(listTags(client, remote, undefined)).rejects.toMatchObject({
      kind: 'remote',
      message: expect.stringMatching(/127\.0\.0\.1:5001 refused the tags of aims-fixture\/remote-web/),
      hint: 'log in first: aims registry login 127.0.0.1:5001',
    })
    expect(
      await newestTagFor({registry: client, credentials: async () => good}, `${AUTH}/aims-fixture/remote-web:1`, false),
    ).toBeUndefined()
  })

  it('registry login checks /v2/ first: a wrong password stores nothing; a right one is stored and used per pull', async () => {
    const client = new RecordedRegistry(routes, 'right')
    const secrets = memorySecrets()
    await expect(
      registryLogin({registry: client, secrets}, {registry: AUTH, username: 'aims-bed', password: 'wrong'}),
    ).rejects.toMatchObject({kind: 'validation'})
    expect(secrets.values.size).toBe(0)
    const result = await registryLogin({registry: client, secrets}, {registry: AUTH, ...good})
    expect(result).toEqual({registry: AUTH, username: 'aims-bed', stored: '/tmp/secrets.enc', replaced: false})
    expect(JSON.stringify(result)).not.toContain('right')
    const credentials = storedCredentials(secrets)
    expect(await pullAuth(credentials, `${AUTH}/aims-fixture/remote-web:1`)).toEqual({...good, serveraddress: AUTH})
    expect(await pullAuth(credentials, 'nginx:1')).toBeUndefined()
  })

  it('normalizes registry hosts and refuses anything else', () => {
    expect(checkRegistryHost('https://GHCR.io/')).toBe('ghcr.io')
    expect(checkRegistryHost('index.docker.io')).toBe('docker.io')
    expect(() => checkRegistryHost('not a host')).toThrow(/is not a registry host/)
  })
})
