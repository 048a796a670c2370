/**
 * The secrets port: where aims keeps API keys, registry credentials and
 * speech-to-text keys for the user. The adapter (adapters/secrets/) puts them
 * in the OS keychain, or in an encrypted file on machines without one.
 *
 * Values are opaque strings (a registry login stores JSON). Nothing here ever
 * prints, logs or returns a value except `get` to the code that uses it.
 */

export type SecretStoreKind = 'keychain' | 'file'

/** Where a secret is kept, for people and --json ("keychain (Secret Service)", a file path). */
export interface SecretLocation {
  store: SecretStoreKind
  /** The keychain's name, or the encrypted file's path. */
  detail: string
}

export type StorePreference = 'auto' | 'keychain' | 'file'

export interface SecretEntry {
  name: string
  location: SecretLocation
  savedAt?: string
  /** Set by list({verify: true}) when the store no longer has it (removed by another tool). */
  missing?: boolean
  /** Set by list({verify: true}) when the store could not be asked (locked, no passphrase). */
  unverified?: string
}

export interface SecretSetResult {
  location: SecretLocation
  /** The secret was there before (and is replaced). */
  replaced: boolean
  /** Why the preferred store was not used (the keychain is not there, refused…). */
  note?: string
}

export interface SecretStore {
  /** The value and where it came from; undefined when aims never stored it. Throws when the store lost it. */
  get(name: string): Promise<{value: string; location: SecretLocation} | undefined>
  set(name: string, value: string, options?: {store?: StorePreference}): Promise<SecretSetResult>
  /** Removes it from every store that has it; idempotent. */
  delete(name: string): Promise<{removed: SecretLocation[]}>
  /** Where it is, without reading it (the store's index): cheap, never asks the keychain. */
  where(name: string): Promise<SecretLocation | undefined>
  /** Names only, never values; `verify` asks each store whether it still has them. */
  list(options?: {verify?: boolean}): Promise<SecretEntry[]>
  /** Where a new secret would go now, and why (for `aims login --status` and doctor). */
  target(preference?: StorePreference): Promise<{location: SecretLocation; note?: string}>
}

/** Where a key that a provider uses came from. */
export type KeySource =
  {kind: 'env'; envVar: string} | {kind: 'stored'; name: string; location: SecretLocation} | {kind: 'none'}

export function describeLocation(location: SecretLocation): string {
  return location.store === 'keychain' ? `the keychain (${location.detail})` : `the encrypted file ${location.detail}`
}

export function describeKeySource(source: KeySource): string {
  switch (source.kind) {
    case 'env':
      return `env ${source.envVar}`
    case 'stored':
      return source.location.store === 'keychain'
        ? `keychain (${source.location.detail})`
        : `encrypted file (${source.location.detail})`
    case 'none':
      return 'none'
  }
}

/**
 * A key for a provider: the first env var that is set wins over the stored
 * secret (env vars win); `fallbackEnv` are generic variables that
 * only count after the stored secret (OPENAI_API_KEY for another server).
 */
export async function resolveKey(
  store: Pick<SecretStore, 'get'>,
  request: {name: string; env: Readonly<Record<string, string | undefined>>; envVars: string[]; fallbackEnv?: string[]},
): Promise<{value: string; source: KeySource} | undefined> {
  const fromEnv = (names: string[]) => {
    for (const envVar of names) {
      const value = request.env[envVar]?.trim()
      if (value) return {value, source: {kind: 'env', envVar} as const}
    }
    return undefined
  }
  const first = fromEnv(request.envVars)
  if (first) return first
  const stored = await store.get(request.name)
  if (stored) return {value: stored.value, source: {kind: 'stored', name: request.name, location: stored.location}}
  return fromEnv(request.fallbackEnv ?? [])
}
