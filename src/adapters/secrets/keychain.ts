/**
 * The OS keychain through @napi-rs/keyring (keyring-rs: macOS Keychain,
 * Windows Credential Manager, the Secret Service on Linux — gnome-keyring,
 * KWallet, KeePassXC). keytar is archived; this binding ships prebuilt
 * binaries in per-platform npm packages, so it installs without a compiler.
 *
 * Each operation runs in a short-lived child process (keychain-child.ts) with
 * a deadline: the binding's calls are synchronous native code, and a keychain
 * that never answers would otherwise hang aims (and, in a worker or the
 * thread pool, keep the process from exiting). On Linux, whether a session
 * bus can exist at all is decided first, in-process and without I/O beyond a
 * stat: a headless server (CI, SSH without a user session) pays nothing.
 */
import {spawn} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {AimsError, oneLine} from '../../core/errors.js'
import type {SecretLocation} from '../../services/secret-store.js'

export const KEYCHAIN_SERVICE = 'aims'

export interface KeychainOptions {
  env: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  /** Deadline for one operation (default 10 s; AIMS_KEYCHAIN_TIMEOUT_MS). */
  timeoutMs?: number
  /** Deadline for the availability probe (default 3 s). */
  probeTimeoutMs?: number
  service?: string
}

export type KeychainProbe = {ok: true} | {ok: false; reason: string}

interface ChildAnswer {
  ok: boolean
  found?: boolean | boolean[]
  value?: string
  error?: string
}

/** Variables that hold secrets: the child does not need them. */
const SECRET_ENV = /(_API_KEY|_TOKEN|_PASSWORD|_PASSPHRASE|_SECRET)$/

function childScript(): string {
  const built = fileURLToPath(new URL('./keychain-child.js', import.meta.url))
  return existsSync(built) ? built : fileURLToPath(new URL('./keychain-child.ts', import.meta.url))
}

export function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain'
  if (platform === 'win32') return 'Windows Credential Manager'
  return 'Secret Service'
}

/** D-Bus addresses escape bytes as %XX. */
const unescapeDbus = (value: string) =>
  value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/**
 * Whether a D-Bus session bus can be there, without connecting: libdbus uses
 * DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus. undefined: maybe (an
 * abstract socket or a TCP address: only connecting tells).
 */
export function sessionBusAbsence(env: NodeJS.ProcessEnv): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS?.trim()
  if (address) {
    const paths = address
      .split(';')
      .map((part) => /^unix:(?:.*,)?path=([^,]+)/.exec(part)?.[1])
      .filter((path): path is string => path !== undefined)
    // Only when every alternative is a socket path can their absence be told apart from a slow bus.
    if (
      paths.length === address.split(';').filter(Boolean).length &&
      paths.every((path) => !socketExists(unescapeDbus(path)))
    )
      return `no D-Bus session bus at ${unescapeDbus(paths[0]!)}`
    return undefined
  }
  const runtime = env.XDG_RUNTIME_DIR?.trim()
  if (runtime && socketExists(`${runtime}/bus`)) return undefined
  return 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)'
}

function socketExists(path: string): boolean {
  try {
    return statSync(path).isSocket()
  } catch {
    return false
  }
}

/** A person-readable reason for a binding error (its texts come from libdbus, Security.framework, Win32). */
export function keychainFailure(message: string): string {
  const text = oneLine(message)
  if (/autolaunch|DBUS_SESSION_BUS_ADDRESS|Failed to connect to socket|Connection refused/i.test(text))
    return 'no D-Bus session to reach a Secret Service'
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service/i.test(text))
    return 'no Secret Service (gnome-keyring, KWallet, KeePassXC) on the D-Bus session'
  if (/prompt was dismissed|is locked|locked collection/i.test(text)) return 'the keychain is locked'
  if (/no result found/i.test(text)) return 'the keychain has no default collection (no login keyring)'
  if (/Did not receive a reply|timed? ?out/i.test(text)) return 'the Secret Service did not answer'
  return `the keychain said: ${text.slice(0, 200)}`
}

export class OsKeychain {
  readonly location: SecretLocation
  private readonly env: NodeJS.ProcessEnv
  private readonly platform: NodeJS.Platform
  private readonly timeoutMs: number
  private readonly probeTimeoutMs: number
  private readonly service: string
  private probed?: Promise<KeychainProbe>

  constructor(options: KeychainOptions) {
    this.env = options.env
    this.platform = options.platform ?? process.platform
    const fromEnv = Number(this.env.AIMS_KEYCHAIN_TIMEOUT_MS)
    this.timeoutMs = options.timeoutMs ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 10_000)
    this.probeTimeoutMs = options.probeTimeoutMs ?? Math.min(3000, this.timeoutMs)
    this.service = options.service ?? KEYCHAIN_SERVICE
    this.location = {store: 'keychain', detail: keychainName(this.platform)}
  }

  /** Whether the keychain can be used now; asked once per process. Quiet and bounded. */
  probe(): Promise<KeychainProbe> {
    this.probed ??= (async (): Promise<KeychainProbe> => {
      if (this.platform === 'linux') {
        const absent = sessionBusAbsence(this.env)
        if (absent) return {ok: false, reason: absent}
      }
      try {
        await this.run({op: 'probe'}, this.probeTimeoutMs)
        return {ok: true}
      } catch (error) {
        return {ok: false, reason: error instanceof AimsError ? (error.details?.reason as string) : String(error)}
      }
    })()
    return this.probed
  }

  async get(account: string): Promise<string | undefined> {
    const answer = await this.run({op: 'get', account})
    return answer.found === true && typeof answer.value === 'string' ? answer.value : undefined
  }

  async set(account: string, value: string): Promise<void> {
    await this.run({op: 'set', account, value}, this.timeoutMs, value)
  }

  async delete(account: string): Promise<boolean> {
    return (await this.run({op: 'delete', account})).found === true
  }

  /** Which of these accounts the keychain has (values stay in the child). */
  async has(accounts: string[]): Promise<boolean[]> {
    if (accounts.length === 0) return []
    const found = (await this.run({op: 'has', accounts})).found
    return Array.isArray(found) ? found : accounts.map(() => false)
  }

  private run(
    request: {op: string; account?: string; accounts?: string[]; value?: string},
    timeoutMs = this.timeoutMs,
    secret?: string,
  ): Promise<ChildAnswer> {
    const env = Object.fromEntries(Object.entries(this.env).filter(([key]) => !SECRET_ENV.test(key)))
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--no-warnings', childScript()], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      })
      let stdout = ''
      let settled = false
      const fail = (reason: string) => {
        if (settled) return
        settled = true
        const clean = secret ? reason.split(secret).join('***') : reason
        reject(
          new AimsError('connection', `the keychain could not be used: ${clean}`, {
            hint: 'unlock your keychain and try again, or store the key in aims’ encrypted file with --store file',
            details: {reason: clean},
          }),
        )
      }
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        fail(`${this.location.detail} did not answer within ${Math.round(timeoutMs / 100) / 10} s`)
      }, timeoutMs)
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (chunk: string) => (stdout += chunk))
      // libdbus and the binding may print warnings: the user sees only aims' own words.
      child.stderr.resume()
      child.on('error', (error) => {
        clearTimeout(timer)
        fail(error.message)
      })
      child.on('close', () => {
        clearTimeout(timer)
        if (settled) return
        let answer: ChildAnswer | undefined
        try {
          answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildAnswer
        } catch {
          answer = undefined
        }
        if (!answer) return fail('the keychain helper ended without an answer')
        if (!answer.ok) return fail(keychainFailure(answer.error ?? 'unknown error'))
        settled = true
        resolve(answer)
      })
      child.stdin.on('error', () => undefined)
      child.stdin.end(JSON.stringify({...request, service: this.service}))
    })
  }
}
