import {chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EncryptedSecretFile, type ScryptCost} from '../../../../src/adapters/secrets/encrypted-file.js'
import {AimsError} from '../../../../src/core/errors.js'

const SENTINEL = 'sk-ant-SENTINEL-0123456789abcdef'
// A cheap cost keeps the suite fast; the default (2^17) is asserted separately.
const cheap: ScryptCost = {N: 2 ** 10, r: 8, p: 1}

let dir: string
let file: string
let keyFile: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aims-secrets-file-'))
  file = join(dir, 'data', 'secrets.enc')
  keyFile = join(dir, 'state', 'secrets.key')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const store = (options: {passphrase?: string} = {}) =>
  new EncryptedSecretFile({file, keyFile, scrypt: cheap, ...options})

async function failure(work: Promise<unknown>): Promise<AimsError> {
  try {
    await work
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected a failure')
}

describe('EncryptedSecretFile', () => {
  it('round-trips secrets, and neither the value nor the name is in the file in clear', async () => {
    const secrets = store()
    expect(await secrets.get('ai:anthropic')).toBeUndefined()
    expect(await secrets.set('ai:anthropic', SENTINEL)).toEqual({replaced: false})
    expect(await secrets.set('registry:registry.example:5000', '{"username":"u","password":"p@ss"}')).toEqual({
      replaced: false,
    })
    expect(await secrets.set('ai:anthropic', `${SENTINEL}-2`)).toEqual({replaced: true})

    const again = store()
    expect(await again.get('ai:anthropic')).toBe(`${SENTINEL}-2`)
    expect((await again.names()).sort()).toEqual(['ai:anthropic', 'registry:registry.example:5000'])
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain('SENTINEL')
    expect(text).not.toContain('anthropic')
    expect(text).not.toContain('p@ss')
    expect(JSON.parse(text)).toMatchObject({
      format: 'aims-secrets',
      version: 1,
      cipher: 'aes-256-gcm',
      kdf: {name: 'key-file'},
    })
  })

  it('writes both files 0600 in 0700 directories, and the key file elsewhere than the data', async () => {
    await store().set('ai:openai', SENTINEL)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700)
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32)
  })

  it('uses a fresh IV on every write', async () => {
    const secrets = store()
    await secrets.set('ai:openai', SENTINEL)
    const first = JSON.parse(readFileSync(file, 'utf8')) as {iv: string; data: string}
    await secrets.set('ai:openai', SENTINEL)
    const second = JSON.parse(readFileSync(file, 'utf8')) as {iv: string; data: string}
    expect(second.iv).not.toBe(first.iv)
    expect(second.data).not.toBe(first.data)
  })

  it('refuses a secrets file or key file other users can read, naming the fix', async () => {
    await store().set('ai:openai', SENTINEL)
    chmodSync(file, 0o644)
    const exposed = await failure(store().get('ai:openai'))
    expect(exposed.message).toBe(`${file} can be read by other users (mode 0644)`)
    expect(exposed.hint).toBe(`chmod 600 ${file}`)
    chmodSync(file, 0o600)
    chmodSync(keyFile, 0o640)
    expect((await failure(store().get('ai:openai'))).message).toContain(`${keyFile} can be read by other users`)
  })

  describe('with AIMS_SECRETS_PASSPHRASE', () => {
    it('seals with scrypt; the right passphrase opens it, a wrong or missing one is a clear error', async () => {
      await store({passphrase: 'correct horse battery staple'}).set('ai:anthropic', SENTINEL)
      const sealed = JSON.parse(readFileSync(file, 'utf8')) as {kdf: Record<string, unknown>}
      expect(sealed.kdf).toMatchObject({name: 'scrypt', N: cheap.N, r: 8, p: 1})
      expect(typeof sealed.kdf.salt).toBe('string')

      expect(await store({passphrase: 'correct horse battery staple'}).get('ai:anthropic')).toBe(SENTINEL)
      const wrong = await failure(store({passphrase: 'wrong'}).get('ai:anthropic'))
      expect(wrong.kind).toBe('auth')
      expect(wrong.message).toBe(
        `AIMS_SECRETS_PASSPHRASE does not open ${file} (a wrong passphrase, or the file was changed)`,
      )
      expect(wrong.line).not.toContain('SENTINEL')
      const missing = await failure(store().get('ai:anthropic'))
      expect(missing.message).toBe(`${file} is sealed with a passphrase`)
      expect(missing.hint).toContain('set AIMS_SECRETS_PASSPHRASE')
      // Writing without it cannot silently drop what the passphrase protects.
      await failure(store().set('ai:openai', 'x'))
      expect(await store({passphrase: 'correct horse battery staple'}).names()).toEqual(['ai:anthropic'])
    })

    it('re-seals a key-file file with the passphrase on the next write', async () => {
      await store().set('ai:openai', SENTINEL)
      await store({passphrase: 'pass phrase'}).set('ai:anthropic', 'second')
      expect(JSON.parse(readFileSync(file, 'utf8')).kdf.name).toBe('scrypt')
      expect(await store({passphrase: 'pass phrase'}).get('ai:openai')).toBe(SENTINEL)
    })

    it('defaults to scrypt N=2^17, r=8, p=1', async () => {
      const secrets = new EncryptedSecretFile({file, keyFile, passphrase: 'p'})
      await secrets.set('ai:openai', SENTINEL)
      expect(JSON.parse(readFileSync(file, 'utf8')).kdf).toMatchObject({N: 131072, r: 8, p: 1})
      expect(await secrets.get('ai:openai')).toBe(SENTINEL)
    })
  })

  describe('damage', () => {
    const rewrite = (change: (sealed: Record<string, any>) => void) => {
      const sealed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>
      change(sealed)
      writeFileSync(file, JSON.stringify(sealed), {mode: 0o600})
    }

    beforeEach(async () => {
      await store().set('ai:openai', SENTINEL)
    })

    it('not JSON, or not an aims file', async () => {
      writeFileSync(file, '{"format": "aims-secr', {mode: 0o600})
      const notJson = await failure(store().get('ai:openai'))
      expect(notJson.message).toBe(`${file} is damaged (not JSON)`)
      expect(notJson.hint).toContain('move it away')
      writeFileSync(file, '{"hello": 1}', {mode: 0o600})
      expect((await failure(store().get('ai:openai'))).message).toBe(`${file} is damaged (not an aims secrets file)`)
    })

    it('a flipped bit in the data, the tag or the IV', async () => {
      for (const field of ['data', 'tag', 'iv']) {
        rmSync(file)
        await store().set('ai:openai', SENTINEL)
        rewrite((sealed) => {
          const bytes = Buffer.from(sealed[field], 'base64')
          bytes[0] = bytes[0]! ^ 1
          sealed[field] = bytes.toString('base64')
        })
        const error = await failure(store().get('ai:openai'))
        expect(error.message).toBe(
          `${file} does not open with its key file ${keyFile} (one of them was changed or replaced)`,
        )
      }
    })

    it('a header changed to claim a passphrase (the header is authenticated)', async () => {
      rewrite((sealed) => (sealed.kdf = {name: 'scrypt', N: 1024, r: 8, p: 1, salt: 'AAAA'}))
      expect((await failure(store({passphrase: 'guess'}).get('ai:openai'))).kind).toBe('auth')
    })

    it('absurd scrypt parameters are refused before any work', async () => {
      rewrite((sealed) => (sealed.kdf = {name: 'scrypt', N: 2 ** 40, r: 8, p: 1, salt: 'AAAA'}))
      expect((await failure(store({passphrase: 'x'}).get('ai:openai'))).message).toBe(
        `${file} is damaged (bad key derivation parameters)`,
      )
    })

    it('a newer format says to upgrade', async () => {
      rewrite((sealed) => (sealed.version = 2))
      expect((await failure(store().get('ai:openai'))).hint).toBe('upgrade aims to read it')
    })

    it('a missing or replaced key file', async () => {
      const original = readFileSync(keyFile)
      rmSync(keyFile)
      const missing = await failure(store().get('ai:openai'))
      expect(missing.message).toBe(`the key file ${keyFile} of ${file} is missing`)
      writeFileSync(keyFile, `${Buffer.alloc(32, 7).toString('base64')}\n`, {mode: 0o600})
      expect((await failure(store().get('ai:openai'))).message).toContain('does not open with its key file')
      writeFileSync(keyFile, 'short', {mode: 0o600})
      expect((await failure(store().get('ai:openai'))).message).toBe(
        `the key file ${keyFile} is damaged (not 32 bytes)`,
      )
      writeFileSync(keyFile, original, {mode: 0o600})
      expect(await store().get('ai:openai')).toBe(SENTINEL)
    })
  })

  it('concurrent writers (separate instances, as separate processes would be) lose nothing', async () => {
    const names = Array.from({length: 24}, (_, index) => `stt:provider-${index}`)
    await Promise.all(names.map((name, index) => store().set(name, `value-${index}`)))
    const secrets = store()
    expect((await secrets.names()).sort()).toEqual([...names].sort())
    for (const [index, name] of names.entries()) expect(await secrets.get(name)).toBe(`value-${index}`)
    await Promise.all(names.slice(0, 12).map((name) => store().delete(name)))
    expect((await store().names()).sort()).toEqual(names.slice(12).sort())
  })

  it('delete is idempotent and needs no file', async () => {
    expect(await store().delete('ai:openai')).toBe(false)
    await store().set('ai:openai', SENTINEL)
    expect(await store().delete('ai:openai')).toBe(true)
    expect(await store().delete('ai:openai')).toBe(false)
    expect(await store().get('ai:openai')).toBeUndefined()
  })
})
