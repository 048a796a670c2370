import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EncryptedSecretFile} from '../../../../src/adapters/secrets/encrypted-file.js'
import type {KeychainProbe, OsKeychain} from '../../../../src/adapters/secrets/keychain.js'
import {LocalSecretStore, parseStorePreference} from '../../../../src/adapters/secrets/local-store.js'
import {AimsError} from '../../../../src/core/errors.js'

const SENTINEL = 'sk-SENTINEL-local-store-42'

/** Our own keychain port's shape; behaviour of the real one is covered by test/e2e/keys.test.ts. */
class FakeKeychain {
  readonly location = {store: 'keychain' as const, detail: 'Secret Service'}
  readonly items = new Map<string, string>()
  probes = 0
  refuseSet?: string
  constructor(private readonly answer: KeychainProbe) {}
  async probe() {
    this.probes++
    return this.answer
  }
  private usable() {
    if (!this.answer.ok) throw new Error(`the fake keychain was used although its probe said no`)
  }
  async get(name: string) {
    this.usable()
    return this.items.get(name)
  }
  async set(name: string, value: string) {
    this.usable()
    if (this.refuseSet)
      throw new AimsError('connection', `the keychain could not be used: ${this.refuseSet}`, {
        details: {reason: this.refuseSet},
      })
    this.items.set(name, value)
  }
  async delete(name: string) {
    this.usable()
    return this.items.delete(name)
  }
  async has(names: string[]) {
    this.usable()
    return names.map((name) => this.items.has(name))
  }
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aims-local-store-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function make(answer: KeychainProbe, preference?: 'auto' | 'keychain' | 'file') {
  const keychain = new FakeKeychain(answer)
  const file = new EncryptedSecretFile({file: join(dir, 'data', 'secrets.enc'), keyFile: join(dir, 'state', 'key')})
  const store = new LocalSecretStore({
    indexFile: join(dir, 'data', 'index.json'),
    keychain: keychain as unknown as OsKeychain,
    file,
    ...(preference ? {preference} : {}),
    now: () => new Date('2026-12-02T10:00:00Z'),
  })
  return {keychain, file, store}
}

describe('LocalSecretStore', () => {
  it('uses the keychain when it answers; the index holds the name and the store, never the value', async () => {
    const {store, keychain} = make({ok: true})
    const result = await store.set('ai:anthropic', SENTINEL)
    expect(result).toEqual({location: {store: 'keychain', detail: 'Secret Service'}, replaced: false})
    expect(keychain.items.get('ai:anthropic')).toBe(SENTINEL)
    expect(await store.get('ai:anthropic')).toEqual({value: SENTINEL, location: keychain.location})
    const index = readFileSync(join(dir, 'data', 'index.json'), 'utf8')
    expect(index).not.toContain('SENTINEL')
    expect(JSON.parse(index)).toEqual({
      version: 1,
      secrets: {'ai:anthropic': {store: 'keychain', savedAt: '2026-12-02T10:00:00.000Z'}},
    })
    expect(await store.where('ai:anthropic')).toEqual(keychain.location)
    expect((await store.set('ai:anthropic', 'second')).replaced).toBe(true)
  })

  it('falls back to the encrypted file with the reason when there is no keychain', async () => {
    const {store, file} = make({ok: false, reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)'})
    const result = await store.set('ai:openai', SENTINEL)
    expect(result).toEqual({
      location: file.location,
      replaced: false,
      note: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)',
    })
    expect(await file.get('ai:openai')).toBe(SENTINEL)
    expect((await store.get('ai:openai'))?.value).toBe(SENTINEL)
  })

  it('falls back to the file when the keychain refuses the write (locked, no login keyring)', async () => {
    const {store, keychain, file} = make({ok: true})
    keychain.refuseSet = 'the keychain has no default collection (no login keyring)'
    const result = await store.set('ai:openai', SENTINEL)
    expect(result.location).toEqual(file.location)
    expect(result.note).toBe('the keychain refused it (the keychain has no default collection (no login keyring))')
  })

  it('--store keychain (or AIMS_SECRETS_STORE=keychain) never falls back', async () => {
    const {store} = make({ok: false, reason: 'no D-Bus session'})
    await expect(store.set('ai:openai', SENTINEL, {store: 'keychain'})).rejects.toThrow(
      'the keychain cannot be used here: no D-Bus session',
    )
    const refusing = make({ok: true}, 'keychain')
    refusing.keychain.refuseSet = 'the keychain is locked'
    await expect(refusing.store.set('ai:openai', SENTINEL)).rejects.toThrow('the keychain is locked')
    expect(await refusing.store.where('ai:openai')).toBeUndefined()
  })

  it('--store file never asks the keychain', async () => {
    const {store, keychain, file} = make({ok: true}, 'file')
    expect((await store.set('ai:openai', SENTINEL)).location).toEqual(file.location)
    expect(keychain.probes).toBe(0)
    expect((await store.get('ai:openai'))?.value).toBe(SENTINEL)
    expect(keychain.probes).toBe(0)
  })

  it('keeps one copy: moving a key from the file to the keychain removes it from the file', async () => {
    const {store, keychain, file} = make({ok: true})
    await store.set('ai:openai', 'old', {store: 'file'})
    await store.set('ai:openai', SENTINEL)
    expect(keychain.items.get('ai:openai')).toBe(SENTINEL)
    expect(await file.names()).toEqual([])
    await store.set('ai:openai', 'back', {store: 'file'})
    expect(keychain.items.has('ai:openai')).toBe(false)
  })

  it('a key removed behind aims’ back is a clear error, and list({verify}) marks it', async () => {
    const {store, keychain} = make({ok: true})
    await store.set('ai:anthropic', SENTINEL)
    keychain.items.delete('ai:anthropic')
    await expect(store.get('ai:anthropic')).rejects.toThrow(
      'ai:anthropic is no longer in the keychain (Secret Service) (removed outside aims)',
    )
    expect(await store.list({verify: true})).toEqual([
      {name: 'ai:anthropic', location: keychain.location, savedAt: '2026-12-02T10:00:00.000Z', missing: true},
    ])
  })

  it('a key in a keychain this session cannot reach says so instead of guessing', async () => {
    const first = make({ok: true})
    await first.store.set('ai:anthropic', SENTINEL)
    const overSsh = make({ok: false, reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)'})
    await expect(overSsh.store.get('ai:anthropic')).rejects.toThrow(
      'ai:anthropic is stored in the keychain, which cannot be reached from here (no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set))',
    )
    expect((await overSsh.store.list({verify: true}))[0]?.unverified).toBe(
      'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)',
    )
  })

  it('delete removes from the store that has it and is idempotent; unknown names read as undefined', async () => {
    const {store, keychain} = make({ok: true})
    expect(await store.get('ai:openai')).toBeUndefined()
    expect(await store.delete('ai:openai')).toEqual({removed: []})
    await store.set('ai:openai', SENTINEL)
    expect(await store.delete('ai:openai')).toEqual({removed: [keychain.location]})
    expect(keychain.items.size).toBe(0)
    expect(await store.delete('ai:openai')).toEqual({removed: []})
    expect(await store.list()).toEqual([])
  })

  it('refuses malformed names before any effect', async () => {
    const {store, keychain} = make({ok: true})
    for (const name of ['', 'anthropic', 'ai:', 'ai:with space', 'ai:new\nline', 'AI:upper', `ai:${'x'.repeat(600)}`])
      await expect(store.set(name, SENTINEL)).rejects.toThrow('is not a secret name')
    expect(keychain.probes).toBe(0)
  })

  it('a damaged index is named, with the fix', async () => {
    const {store} = make({ok: true})
    const {writeFileSync, mkdirSync} = await import('node:fs')
    mkdirSync(join(dir, 'data'), {recursive: true})
    writeFileSync(join(dir, 'data', 'index.json'), '{nope')
    await expect(store.list()).rejects.toThrow(`${join(dir, 'data', 'index.json')} is damaged`)
  })
})

describe('parseStorePreference', () => {
  it('reads auto, keychain and file, and refuses anything else', () => {
    expect(parseStorePreference(undefined, 'X')).toBeUndefined()
    expect(parseStorePreference(' File ', 'X')).toBe('file')
    expect(() => parseStorePreference('vault', 'AIMS_SECRETS_STORE')).toThrow(
      'AIMS_SECRETS_STORE must be auto, keychain or file',
    )
  })
})
