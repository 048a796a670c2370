/**
 * The SecretStore of this machine: the OS keychain when one answers, else the
 * encrypted file. An index file (names and which store holds them, never a
 * value) lets aims know where a key is without asking the keychain: reading
 * settings for `aims ask` costs a small file read, and a machine where the
 * user never logged in never starts a keychain helper.
 */
import {mkdir, readFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {AimsError} from '../../core/errors.js'
import {checkSecretName} from '../../core/secrets.js'
import {
  describeLocation,
  type SecretEntry,
  type SecretLocation,
  type SecretSetResult,
  type SecretStore,
  type SecretStoreKind,
  type StorePreference,
} from '../../services/secret-store.js'
import {withLocalLock} from '../file-lock.js'
import {writeFileAtomic} from '../json-file.js'
import type {EncryptedSecretFile} from './encrypted-file.js'
import type {OsKeychain} from './keychain.js'

interface IndexFile {
  version: 1
  secrets: Record<string, {store: SecretStoreKind; savedAt: string}>
}

export interface LocalSecretStoreOptions {
  indexFile: string
  keychain: OsKeychain
  file: EncryptedSecretFile
  /** AIMS_SECRETS_STORE: auto (default), keychain or file. */
  preference?: StorePreference
  now?: () => Date
}

export function parseStorePreference(value: string | undefined, where: string): StorePreference | undefined {
  const word = value?.trim().toLowerCase()
  if (!word) return undefined
  if (word === 'auto' || word === 'keychain' || word === 'file') return word
  throw new AimsError('usage', `${where} must be auto, keychain or file`, {
    hint: 'auto uses the OS keychain when there is one, else the encrypted file',
  })
}

export class LocalSecretStore implements SecretStore {
  private readonly options: LocalSecretStoreOptions

  constructor(options: LocalSecretStoreOptions) {
    this.options = options
  }

  private async readIndex(): Promise<IndexFile> {
    let text: string
    try {
      text = await readFile(this.options.indexFile, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {version: 1, secrets: {}}
      throw error
    }
    try {
      const parsed = JSON.parse(text) as IndexFile
      if (parsed && typeof parsed.secrets === 'object' && parsed.secrets) return {version: 1, secrets: parsed.secrets}
    } catch {
      // fall through
    }
    throw new AimsError('validation', `${this.options.indexFile} is damaged`, {
      hint: 'remove it and store your keys again with aims login (it holds only names, no keys)',
    })
  }

  private async changeIndex<T>(edit: (index: IndexFile) => Promise<T>): Promise<T> {
    await mkdir(dirname(this.options.indexFile), {recursive: true, mode: 0o700})
    return withLocalLock(this.options.indexFile, async () => {
      const index = await this.readIndex()
      const result = await edit(index)
      await writeFileAtomic(this.options.indexFile, `${JSON.stringify(index, null, 2)}\n`, 0o600)
      return result
    })
  }

  private locationOf(store: SecretStoreKind): SecretLocation {
    return store === 'keychain' ? this.options.keychain.location : this.options.file.location
  }

  async target(preference = this.options.preference ?? 'auto'): Promise<{location: SecretLocation; note?: string}> {
    if (preference === 'file') return {location: this.options.file.location}
    const probe = await this.options.keychain.probe()
    if (probe.ok) return {location: this.options.keychain.location}
    if (preference === 'keychain')
      throw new AimsError('connection', `the keychain cannot be used here: ${probe.reason}`, {
        hint: 'run aims where your keychain is unlocked, or store the key in the encrypted file (--store file)',
      })
    return {location: this.options.file.location, note: probe.reason}
  }

  async where(name: string): Promise<SecretLocation | undefined> {
    const entry = (await this.readIndex()).secrets[name]
    return entry ? this.locationOf(entry.store) : undefined
  }

  async get(name: string): Promise<{value: string; location: SecretLocation} | undefined> {
    const entry = (await this.readIndex()).secrets[name]
    if (!entry) return undefined
    const location = this.locationOf(entry.store)
    let value: string | undefined
    if (entry.store === 'keychain') {
      const probe = await this.options.keychain.probe()
      if (!probe.ok)
        throw new AimsError(
          'connection',
          `${name} is stored in the keychain, which cannot be reached from here (${probe.reason})`,
          {
            hint:
              'run aims in your desktop session, set the key in the environment, or store it here with aims ' +
              'login --store file',
          },
        )
      value = await this.options.keychain.get(name)
    } else {
      value = await this.options.file.get(name)
    }
    if (value === undefined)
      throw new AimsError('auth', `${name} is no longer in ${describeLocation(location)} (removed outside aims)`, {
        hint: 'store it again with aims login, or forget it with aims logout',
      })
    return {value, location}
  }

  async set(name: string, value: string, options: {store?: StorePreference} = {}): Promise<SecretSetResult> {
    checkSecretName(name)
    const preference = options.store ?? this.options.preference ?? 'auto'
    return this.changeIndex(async (index) => {
      const before = index.secrets[name]
      let {location, note} = await this.target(preference)
      if (location.store === 'keychain') {
        try {
          await this.options.keychain.set(name, value)
        } catch (error) {
          if (preference === 'keychain') throw error
          const reason = error instanceof AimsError ? String(error.details?.reason ?? error.message) : String(error)
          location = this.options.file.location
          note = `the keychain refused it (${reason})`
        }
      }
      let replaced = before !== undefined
      if (location.store === 'file') replaced = (await this.options.file.set(name, value)).replaced || replaced
      // One copy only: the store it moved away from forgets it.
      if (before && before.store !== location.store) await this.forget(name, before.store).catch(() => undefined)
      index.secrets[name] = {store: location.store, savedAt: (this.options.now?.() ?? new Date()).toISOString()}
      return {location, replaced, ...(note ? {note} : {})}
    })
  }

  private async forget(name: string, store: SecretStoreKind): Promise<boolean> {
    if (store === 'file') return this.options.file.delete(name)
    const probe = await this.options.keychain.probe()
    if (!probe.ok)
      throw new AimsError(
        'connection',
        `${name} is in the keychain, which cannot be reached from here (${probe.reason})`,
        {
          hint: 'run aims logout in your desktop session to remove it from the keychain',
        },
      )
    return this.options.keychain.delete(name)
  }

  async delete(name: string): Promise<{removed: SecretLocation[]}> {
    return this.changeIndex(async (index) => {
      const entry = index.secrets[name]
      if (!entry) return {removed: []}
      await this.forget(name, entry.store)
      delete index.secrets[name]
      return {removed: [this.locationOf(entry.store)]}
    })
  }

  async list(options: {verify?: boolean} = {}): Promise<SecretEntry[]> {
    const index = await this.readIndex()
    const entries: SecretEntry[] = Object.entries(index.secrets)
      .map(([name, entry]) => ({name, location: this.locationOf(entry.store), savedAt: entry.savedAt}))
      .sort((a, b) => a.name.localeCompare(b.name))
    if (!options.verify) return entries
    const inKeychain = entries.filter((entry) => entry.location.store === 'keychain')
    const inFile = entries.filter((entry) => entry.location.store === 'file')
    if (inKeychain.length > 0) {
      const probe = await this.options.keychain.probe()
      if (!probe.ok) for (const entry of inKeychain) entry.unverified = probe.reason
      else {
        try {
          const found = await this.options.keychain.has(inKeychain.map((entry) => entry.name))
          inKeychain.forEach((entry, position) => {
            if (!found[position]) entry.missing = true
          })
        } catch (error) {
          const reason = error instanceof AimsError ? String(error.details?.reason ?? error.message) : String(error)
          for (const entry of inKeychain) entry.unverified = reason
        }
      }
    }
    if (inFile.length > 0) {
      try {
        const names = new Set(await this.options.file.names())
        for (const entry of inFile) if (!names.has(entry.name)) entry.missing = true
      } catch (error) {
        const reason = error instanceof AimsError ? error.message : String(error)
        for (const entry of inFile) entry.unverified = reason
      }
    }
    return entries
  }
}
