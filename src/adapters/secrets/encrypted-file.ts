/**
 * The encrypted-file fallback for machines without a keychain (CI, servers,
 * SSH sessions with no Secret Service): every secret in one file, sealed with
 * AES-256-GCM, written atomically under the local file lock.
 *
 * Threat model (docs: README "Where aims keeps keys"):
 * - Without AIMS_SECRETS_PASSPHRASE the AEAD key is a random 32-byte key file
 *   kept in another directory (state dir) than the sealed file (data dir),
 *   both mode 0600. That stops casual reads, grep and indexers, and a leak of
 *   one directory (a dotfiles commit, a backup, a copied folder); it does not
 *   stop anyone who can read both files as this user, or root.
 * - With AIMS_SECRETS_PASSPHRASE the key is derived with scrypt (N=2^17, r=8,
 *   p=1; ~0.5 s here): the file alone is worth an offline guessing attack on
 *   the passphrase and nothing more. The passphrase lives in the environment
 *   of aims while it runs, readable by the same user and root.
 * - GCM authenticates the header too (as AAD): any change to the file is an
 *   error, never a wrong key. Replacing the file with an older copy of itself
 *   is not detected.
 */
import {createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions} from 'node:crypto'
import {mkdir, readFile, stat} from 'node:fs/promises'
import {dirname} from 'node:path'
import {AimsError} from '../../core/errors.js'
import type {SecretLocation} from '../../services/secret-store.js'
import {withLocalLock} from '../file-lock.js'
import {writeFileAtomic} from '../json-file.js'

const FORMAT = 'aims-secrets'
const VERSION = 1
const CIPHER = 'aes-256-gcm'

export interface ScryptCost {
  N: number
  r: number
  p: number
}

/** OWASP's scrypt minimum. Tests pass a cheaper cost. */
export const DEFAULT_SCRYPT: ScryptCost = {N: 2 ** 17, r: 8, p: 1}

type Kdf = {name: 'key-file'} | ({name: 'scrypt'; salt: string} & ScryptCost)

interface Sealed {
  format: typeof FORMAT
  version: typeof VERSION
  cipher: typeof CIPHER
  kdf: Kdf
  iv: string
  tag: string
  data: string
}

interface Entry {
  value: string
  savedAt: string
}

export interface EncryptedFileOptions {
  file: string
  keyFile: string
  /** AIMS_SECRETS_PASSPHRASE: when set, new writes are sealed with it (scrypt) instead of the key file. */
  passphrase?: string
  scrypt?: ScryptCost
  lockTimeoutMs?: number
  now?: () => Date
}

function scrypt(passphrase: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {...cost, maxmem: 128 * cost.N * cost.r * cost.p + 16 * 1024 * 1024}
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase.normalize('NFC'), salt, 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

/** The header exactly as authenticated: fixed key order, nothing else. */
function additionalData(sealed: Pick<Sealed, 'format' | 'version' | 'cipher' | 'kdf'>): Buffer {
  const kdf =
    sealed.kdf.name === 'scrypt'
      ? {name: 'scrypt', N: sealed.kdf.N, r: sealed.kdf.r, p: sealed.kdf.p, salt: sealed.kdf.salt}
      : {name: 'key-file'}
  return Buffer.from(JSON.stringify({format: sealed.format, version: sealed.version, cipher: sealed.cipher, kdf}))
}

async function privateFileMode(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.mode & 0o777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

function exposedError(path: string, mode: number): AimsError {
  return new AimsError('validation', `${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')})`, {
    hint: `chmod 600 ${path}`,
  })
}

export class EncryptedSecretFile {
  readonly location: SecretLocation
  private readonly options: EncryptedFileOptions

  constructor(options: EncryptedFileOptions) {
    this.options = options
    this.location = {store: 'file', detail: options.file}
  }

  get passphraseSet(): boolean {
    return Boolean(this.options.passphrase)
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.read()).get(name)?.value
  }

  async names(): Promise<string[]> {
    return [...(await this.read()).keys()]
  }

  async set(name: string, value: string): Promise<{replaced: boolean}> {
    return this.change((entries) => {
      const replaced = entries.has(name)
      entries.set(name, {value, savedAt: (this.options.now?.() ?? new Date()).toISOString()})
      return {replaced}
    })
  }

  async delete(name: string): Promise<boolean> {
    if ((await privateFileMode(this.options.file)) === undefined) return false
    return this.change((entries) => entries.delete(name))
  }

  private async change<T>(edit: (entries: Map<string, Entry>) => T): Promise<T> {
    // Before the lock makes the directory (with the default mode): only this user lists it.
    await mkdir(dirname(this.options.file), {recursive: true, mode: 0o700})
    return withLocalLock(
      this.options.file,
      async () => {
        const entries = await this.read()
        const result = edit(entries)
        await this.write(entries)
        return result
      },
      {timeoutMs: this.options.lockTimeoutMs ?? 15_000},
    )
  }

  /** Every entry; an empty map when there is no file yet. */
  async read(): Promise<Map<string, Entry>> {
    const {file} = this.options
    const mode = await privateFileMode(file)
    if (mode === undefined) return new Map()
    if (mode & 0o077) throw exposedError(file, mode)
    const damaged = (why: string) =>
      new AimsError('validation', `${file} is damaged (${why})`, {
        hint: `move it away and store your keys again with aims login (nothing in it can be read)`,
      })
    let sealed: Sealed
    try {
      sealed = JSON.parse(await readFile(file, 'utf8')) as Sealed
    } catch {
      throw damaged('not JSON')
    }
    if (!sealed || typeof sealed !== 'object' || sealed.format !== FORMAT) throw damaged('not an aims secrets file')
    if (sealed.version !== VERSION || sealed.cipher !== CIPHER)
      throw new AimsError('validation', `${file} was written by a newer aims (format ${String(sealed.version)})`, {
        hint: 'upgrade aims to read it',
      })
    if (typeof sealed.iv !== 'string' || typeof sealed.tag !== 'string' || typeof sealed.data !== 'string')
      throw damaged('fields missing')
    const key = await this.keyFor(sealed.kdf, damaged)
    let plain: string
    try {
      const decipher = createDecipheriv(CIPHER, key, Buffer.from(sealed.iv, 'base64'))
      decipher.setAAD(additionalData(sealed))
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
      plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')
    } catch {
      if (sealed.kdf.name === 'scrypt')
        throw new AimsError(
          'auth',
          `AIMS_SECRETS_PASSPHRASE does not open ${file} (a wrong passphrase, or the file was changed)`,
          {
            hint: 'set the passphrase the keys were stored with',
          },
        )
      throw new AimsError(
        'validation',
        `${file} does not open with its key file ${this.options.keyFile} (one of them was changed or replaced)`,
        {
          hint: 'restore both from the same backup, or move the file away and store your keys again with aims login',
        },
      )
    }
    let parsed: {entries?: Record<string, Entry>}
    try {
      parsed = JSON.parse(plain) as {entries?: Record<string, Entry>}
    } catch {
      throw damaged('unreadable content')
    }
    const entries = new Map<string, Entry>()
    for (const [name, entry] of Object.entries(parsed.entries ?? {})) {
      if (entry && typeof entry.value === 'string')
        entries.set(name, {value: entry.value, savedAt: String(entry.savedAt ?? '')})
    }
    return entries
  }

  private async keyFor(kdf: Kdf | undefined, damaged: (why: string) => AimsError): Promise<Buffer> {
    if (kdf?.name === 'scrypt') {
      const {N, r, p, salt} = kdf
      if (![N, r, p].every((value) => Number.isInteger(value) && value > 0) || N > 2 ** 22 || typeof salt !== 'string')
        throw damaged('bad key derivation parameters')
      if (!this.options.passphrase)
        throw new AimsError('auth', `${this.options.file} is sealed with a passphrase`, {
          hint: 'set AIMS_SECRETS_PASSPHRASE to the passphrase the keys were stored with',
        })
      return scrypt(this.options.passphrase, Buffer.from(salt, 'base64'), {N, r, p})
    }
    if (kdf?.name !== 'key-file') throw damaged('unknown key derivation')
    const key = await this.readKeyFile()
    if (!key)
      throw new AimsError('validation', `the key file ${this.options.keyFile} of ${this.options.file} is missing`, {
        hint:
          'restore it from the backup you took with the file, or move the file away and store your keys again ' +
          'with aims login',
      })
    return key
  }

  private async readKeyFile(): Promise<Buffer | undefined> {
    const {keyFile} = this.options
    const mode = await privateFileMode(keyFile)
    if (mode === undefined) return undefined
    if (mode & 0o077) throw exposedError(keyFile, mode)
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64')
    if (key.length !== 32)
      throw new AimsError('validation', `the key file ${keyFile} is damaged (not 32 bytes)`, {
        hint: 'restore it from a backup, or move both it and the secrets file away and store your keys again',
      })
    return key
  }

  private async write(entries: Map<string, Entry>): Promise<void> {
    let kdf: Kdf
    let key: Buffer
    if (this.options.passphrase) {
      const cost = this.options.scrypt ?? DEFAULT_SCRYPT
      const salt = randomBytes(16)
      kdf = {name: 'scrypt', ...cost, salt: salt.toString('base64')}
      key = await scrypt(this.options.passphrase, salt, cost)
    } else {
      kdf = {name: 'key-file'}
      key = (await this.readKeyFile()) ?? (await this.createKeyFile())
    }
    const header = {format: FORMAT, version: VERSION, cipher: CIPHER, kdf} as const
    const iv = randomBytes(12)
    const cipher = createCipheriv(CIPHER, key, iv)
    cipher.setAAD(additionalData(header))
    const data = Buffer.concat([
      cipher.update(JSON.stringify({entries: Object.fromEntries(entries)}), 'utf8'),
      cipher.final(),
    ])
    const sealed: Sealed = {
      ...header,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    }
    await writeFileAtomic(this.options.file, `${JSON.stringify(sealed, null, 2)}\n`, 0o600)
  }

  private async createKeyFile(): Promise<Buffer> {
    const key = randomBytes(32)
    // Called under the secrets file's lock: no other aims creates it at the same time.
    await writeFileAtomic(this.options.keyFile, `${key.toString('base64')}\n`, 0o600)
    return key
  }
}
