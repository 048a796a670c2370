import {describe, expect, it} from 'vitest'
import {parseLoginTarget} from '../../../src/core/secrets.js'
import type {AuditRecord} from '../../../src/services/audit.js'
import {login, loginStatus, logout} from '../../../src/services/login.js'
import type {SecretLocation, SecretStore, StorePreference} from '../../../src/services/secret-store.js'
import {resolveKey} from '../../../src/services/secret-store.js'

const SENTINEL = 'sk-SENTINEL-login-service-0123456789'
const keychain: SecretLocation = {store: 'keychain', detail: 'Secret Service'}
const fileLocation: SecretLocation = {store: 'file', detail: '/home/u/.local/share/aims/secrets.enc'}

/** An in-memory SecretStore (our own port); fails loudly on what a test did not expect. */
function memoryStore(options: {target?: SecretLocation; note?: string} = {}) {
  const values = new Map<string, {value: string; location: SecretLocation}>()
  const calls: string[] = []
  const store: SecretStore = {
    async get(name) {
      calls.push(`get ${name}`)
      return values.get(name)
    },
    async set(name, value, setOptions?: {store?: StorePreference}) {
      calls.push(`set ${name}${setOptions?.store ? ` ${setOptions.store}` : ''}`)
      const location = setOptions?.store === 'file' ? fileLocation : (options.target ?? keychain)
      const replaced = values.has(name)
      values.set(name, {value, location})
      return {location, replaced, ...(options.note ? {note: options.note} : {})}
    },
    async delete(name) {
      calls.push(`delete ${name}`)
      const had = values.get(name)
      values.delete(name)
      return {removed: had ? [had.location] : []}
    },
    async where(name) {
      return values.get(name)?.location
    },
    async list() {
      return [...values].map(([name, entry]) => ({name, location: entry.location}))
    },
    async target(preference) {
      return preference === 'file'
        ? {location: fileLocation}
        : {location: options.target ?? keychain, ...(options.note ? {note: options.note} : {})}
    },
  }
  return {store, values, calls}
}

function deps(store: SecretStore, env: Record<string, string> = {}) {
  const audit: AuditRecord[] = []
  let keyReads = 0
  return {
    audit,
    keyReads: () => keyReads,
    deps: {
      store,
      env,
      readKey: async () => {
        keyReads++
        return SENTINEL
      },
      audit: {
        append: async (record: AuditRecord) => void audit.push(record),
        list: async () => audit,
      },
      actor: 'u@laptop',
      now: () => new Date('2026-12-02T10:00:00Z'),
      newId: () => 'id1',
      command: 'login anthropic',
    },
  }
}

const anthropic = parseLoginTarget('anthropic', undefined, 'login')

describe('login', () => {
  it('stores the key, audits the login without the key, and returns no value', async () => {
    const memory = memoryStore()
    const wired = deps(memory.store)
    const result = await login(wired.deps, {target: anthropic})
    expect(result).toEqual({
      name: 'ai:anthropic',
      provider: 'anthropic',
      label: 'anthropic',
      store: 'keychain',
      location: 'Secret Service',
      replaced: false,
      dryRun: false,
    })
    expect(memory.values.get('ai:anthropic')?.value).toBe(SENTINEL)
    expect(wired.audit).toEqual([
      {
        id: 'id1',
        time: '2026-12-02T10:00:00.000Z',
        actor: 'u@laptop',
        host: '-',
        action: 'login',
        target: 'ai:anthropic',
        origin: 'cli',
        outcome: 'applied',
        detail: 'stored in the keychain (Secret Service)',
        command: 'login anthropic',
      },
    ])
    expect(JSON.stringify([result, wired.audit])).not.toContain('SENTINEL')
  })

  it('dry run: says where it would go and never asks for the key', async () => {
    const memory = memoryStore({target: fileLocation, note: 'no D-Bus session'})
    const wired = deps(memory.store)
    const result = await login(wired.deps, {target: anthropic, dryRun: true})
    expect(result).toMatchObject({store: 'file', dryRun: true, note: 'no D-Bus session', replaced: false})
    expect(wired.keyReads()).toBe(0)
    expect(memory.calls).toEqual([])
    expect(wired.audit).toEqual([])
  })

  it('says when an env var wins over the stored key', async () => {
    const wired = deps(memoryStore().store, {ANTHROPIC_API_KEY: 'sk-env'})
    expect((await login(wired.deps, {target: anthropic})).overriddenBy).toBe('ANTHROPIC_API_KEY')
  })

  it('passes --store through and reports a replaced key', async () => {
    const memory = memoryStore()
    const wired = deps(memory.store)
    await login(wired.deps, {target: anthropic})
    const again = await login(wired.deps, {target: anthropic, store: 'file'})
    expect(again).toMatchObject({replaced: true, store: 'file'})
    expect(memory.calls).toContain('set ai:anthropic file')
  })
})

describe('logout', () => {
  it('removes the key and audits it; a second logout removes nothing and is not an error', async () => {
    const memory = memoryStore()
    const wired = deps(memory.store, {ANTHROPIC_API_KEY: 'sk-env'})
    await login(wired.deps, {target: anthropic})
    expect(await logout(wired.deps, {target: anthropic, dryRun: true})).toMatchObject({
      removed: [{store: 'keychain', location: 'Secret Service'}],
      dryRun: true,
    })
    expect(memory.values.has('ai:anthropic')).toBe(true)
    expect(await logout(wired.deps, {target: anthropic})).toEqual({
      name: 'ai:anthropic',
      label: 'anthropic',
      removed: [{store: 'keychain', location: 'Secret Service'}],
      dryRun: false,
      stillInEnv: 'ANTHROPIC_API_KEY',
    })
    expect(wired.audit.map((record) => record.action)).toEqual(['login', 'logout'])
    expect((await logout(wired.deps, {target: anthropic})).removed).toEqual([])
    expect(wired.audit).toHaveLength(2)
  })
})

describe('loginStatus', () => {
  it('lists anthropic and openai always, then every stored secret, with where each comes from', async () => {
    const memory = memoryStore()
    const wired = deps(memory.store, {OPENAI_API_KEY: 'sk-env', AIMS_AI_API_KEY: ''})
    await login(wired.deps, {target: anthropic})
    await login(wired.deps, {target: parseLoginTarget('openai', undefined, 'login')})
    await memory.store.set('registry:registry.example:5000', '{"password":"x"}')
    const status = await loginStatus(wired.deps)
    expect(status.keys).toEqual([
      {
        name: 'ai:anthropic',
        label: 'anthropic',
        source: 'stored',
        stored: {store: 'keychain', location: 'Secret Service'},
      },
      {
        name: 'ai:openai',
        label: 'openai',
        source: 'env',
        envVar: 'OPENAI_API_KEY',
        stored: {store: 'keychain', location: 'Secret Service'},
      },
      {
        name: 'registry:registry.example:5000',
        label: 'registry:registry.example:5000',
        source: 'stored',
        stored: {store: 'keychain', location: 'Secret Service'},
      },
    ])
    expect(status.newKeysGoTo).toEqual({store: 'keychain', location: 'Secret Service'})
    expect(JSON.stringify(status)).not.toContain('SENTINEL')
  })
})

describe('resolveKey', () => {
  it('env first, then the stored key, then the fallback env', async () => {
    const memory = memoryStore()
    await memory.store.set('stt:openai', 'stored')
    const request = {name: 'stt:openai', envVars: ['AIMS_STT_API_KEY'], fallbackEnv: ['OPENAI_API_KEY']}
    expect(await resolveKey(memory.store, {...request, env: {AIMS_STT_API_KEY: ' env '}})).toEqual({
      value: 'env',
      source: {kind: 'env', envVar: 'AIMS_STT_API_KEY'},
    })
    expect(await resolveKey(memory.store, {...request, env: {OPENAI_API_KEY: 'generic'}})).toEqual({
      value: 'stored',
      source: {kind: 'stored', name: 'stt:openai', location: keychain},
    })
    await memory.store.delete('stt:openai')
    expect(await resolveKey(memory.store, {...request, env: {OPENAI_API_KEY: 'generic'}})).toEqual({
      value: 'generic',
      source: {kind: 'env', envVar: 'OPENAI_API_KEY'},
    })
    expect(await resolveKey(memory.store, {...request, env: {}})).toBeUndefined()
  })
})
