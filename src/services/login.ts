/**
 * `aims login`, `aims logout` and `aims login --status`: API keys into the
 * SecretStore (the OS keychain, or the encrypted file), out of it, and where
 * each key a provider would use comes from. Env vars always win over a stored
 * key; the status says so instead of hiding it.
 *
 * No value is ever returned, logged or audited: results carry names and
 * locations only.
 */
import {envVarsForSecret, loginTargetForName, type LoginTarget} from '../core/secrets.js'
import type {AuditLog} from './audit.js'
import {
  describeLocation,
  type KeySource,
  type SecretLocation,
  type SecretStore,
  type StorePreference,
} from './secret-store.js'

export interface LoginDeps {
  store: SecretStore
  env: Readonly<Record<string, string | undefined>>
  /** Reads the key from a hidden prompt or stdin; called only when something will be stored. */
  readKey: (target: LoginTarget) => Promise<string>
  audit?: AuditLog
  actor: string
  now: () => Date
  newId: () => string
  /** The command line, for the audit record (it never holds a key: keys on argv are refused). */
  command?: string
}

export interface LoginResult {
  name: string
  provider: LoginTarget['provider']
  label: string
  store: SecretLocation['store']
  location: string
  replaced: boolean
  dryRun: boolean
  /** Why the keychain was not used. */
  note?: string
  /** This env var is set and wins over the stored key. */
  overriddenBy?: string
}

const envSet = (env: LoginDeps['env'], name: string) => Boolean(env[name]?.trim())

async function audit(deps: Omit<LoginDeps, 'readKey'>, action: string, target: string, detail: string): Promise<void> {
  await deps.audit
    ?.append({
      id: deps.newId(),
      time: deps.now().toISOString(),
      actor: deps.actor,
      host: '-',
      action,
      target,
      origin: 'cli',
      outcome: 'applied',
      detail,
      ...(deps.command ? {command: deps.command} : {}),
    })
    .catch(() => undefined)
}

export async function login(
  deps: LoginDeps,
  request: {target: LoginTarget; store?: StorePreference; dryRun?: boolean},
): Promise<LoginResult> {
  const {target} = request
  const overriddenBy = envSet(deps.env, target.envVar) ? target.envVar : undefined
  const base = {
    name: target.name,
    provider: target.provider,
    label: target.label,
    ...(overriddenBy ? {overriddenBy} : {}),
  }
  if (request.dryRun) {
    // Where it would go, without asking for the key.
    const [{location, note}, existing] = await Promise.all([
      deps.store.target(request.store),
      deps.store.where(target.name),
    ])
    return {
      ...base,
      store: location.store,
      location: location.detail,
      replaced: existing !== undefined,
      dryRun: true,
      ...(note ? {note} : {}),
    }
  }
  // Fail before the prompt when the store cannot take it (--store keychain without one).
  await deps.store.target(request.store)
  const value = await deps.readKey(target)
  const result = await deps.store.set(target.name, value, request.store ? {store: request.store} : {})
  await audit(deps, 'login', target.name, `stored in ${describeLocation(result.location)}`)
  return {
    ...base,
    store: result.location.store,
    location: result.location.detail,
    replaced: result.replaced,
    dryRun: false,
    ...(result.note ? {note: result.note} : {}),
  }
}

export interface LogoutResult {
  name: string
  label: string
  removed: Array<{store: SecretLocation['store']; location: string}>
  dryRun: boolean
  /** Still set in the environment: the provider keeps using it. */
  stillInEnv?: string
}

export async function logout(
  deps: Pick<LoginDeps, 'store' | 'env' | 'audit' | 'actor' | 'now' | 'newId' | 'command'>,
  request: {target: LoginTarget; dryRun?: boolean},
): Promise<LogoutResult> {
  const {target} = request
  const stillInEnv = envSet(deps.env, target.envVar) ? target.envVar : undefined
  const base = {name: target.name, label: target.label, ...(stillInEnv ? {stillInEnv} : {})}
  if (request.dryRun) {
    const where = await deps.store.where(target.name)
    return {...base, removed: where ? [{store: where.store, location: where.detail}] : [], dryRun: true}
  }
  const {removed} = await deps.store.delete(target.name)
  if (removed.length > 0)
    await audit(deps, 'logout', target.name, `removed from ${removed.map(describeLocation).join(' and ')}`)
  return {
    ...base,
    removed: removed.map((location) => ({store: location.store, location: location.detail})),
    dryRun: false,
  }
}

export interface KeyStatus {
  name: string
  /** "anthropic", "openai-compatible http://…/v1", or the name itself (registry:…, stt:…). */
  label: string
  /** Where a provider gets it now: the env var wins over the stored key. */
  source: KeySource['kind']
  envVar?: string
  stored?: {store: SecretLocation['store']; location: string; savedAt?: string; missing?: boolean; unverified?: string}
}

export interface LoginStatus {
  keys: KeyStatus[]
  /** Where `aims login` would store a key now, and why not the keychain. */
  newKeysGoTo: {store: SecretLocation['store']; location: string; note?: string}
}

/** Always lists anthropic and openai (set or not), then every stored secret. */
export async function loginStatus(
  deps: Pick<LoginDeps, 'store' | 'env'>,
  options: {verify?: boolean; store?: StorePreference} = {},
): Promise<LoginStatus> {
  const [entries, target] = await Promise.all([
    deps.store.list({verify: options.verify ?? true}),
    deps.store.target(options.store).catch((error: unknown) => ({
      location: {store: 'keychain' as const, detail: 'unavailable'},
      note: error instanceof Error ? error.message : String(error),
    })),
  ])
  const names = [...new Set(['ai:anthropic', 'ai:openai', ...entries.map((entry) => entry.name)])]
  const keys = names.map((name): KeyStatus => {
    const entry = entries.find((candidate) => candidate.name === name)
    const envVar = envVarsForSecret(name).find((candidate) => envSet(deps.env, candidate))
    const stored = entry
      ? {
          store: entry.location.store,
          location: entry.location.detail,
          ...(entry.savedAt ? {savedAt: entry.savedAt} : {}),
          ...(entry.missing ? {missing: true} : {}),
          ...(entry.unverified ? {unverified: entry.unverified} : {}),
        }
      : undefined
    const label = loginTargetForName(name)?.label ?? name
    const source: KeySource['kind'] = envVar ? 'env' : stored && !stored.missing ? 'stored' : 'none'
    return {name, label, source, ...(envVar ? {envVar} : {}), ...(stored ? {stored} : {})}
  })
  return {
    keys,
    newKeysGoTo: {
      store: target.location.store,
      location: target.location.detail,
      ...(target.note ? {note: target.note} : {}),
    },
  }
}
