/**
 * ACHEEVY's provider settings as this machine has them: the config's ai.*
 * preferences, the environment, and the names of the keys stored with
 * `aims login` (core/ai/settings.ts decides). Then the key itself, read only
 * when a provider is built; and where it came from, for `aims doctor` and
 * `aims login --status` (never the key).
 */
import type {AiFact} from '../core/doctor.js'
import {resolveAiSettings, type AiConfigValues, type AiSettings} from '../core/ai/settings.js'
import {readPreferences} from '../core/preferences.js'
import type {KeySource, SecretStore} from './secret-store.js'

export function aiConfigFromPreferences(preferences: Record<string, unknown>): AiConfigValues {
  const read = readPreferences(preferences)
  return {
    provider: read.string('ai.provider'),
    model: read.string('ai.model'),
    baseUrl: read.string('ai.base-url'),
    tools: read.boolean('ai.tools') ?? read.string('ai.tools'),
    timeoutSeconds: read.number('ai.timeout') ?? read.string('ai.timeout'),
  }
}

export interface AiSettingsDeps {
  store: Pick<SecretStore, 'list' | 'get' | 'where'>
  env: Readonly<Record<string, string | undefined>>
  preferences: Record<string, unknown>
}

/** Reads the store's index only (names): no keychain is asked. */
export async function loadAiSettings(deps: AiSettingsDeps): Promise<AiSettings> {
  const stored = new Set((await deps.store.list()).map((entry) => entry.name))
  return resolveAiSettings({config: aiConfigFromPreferences(deps.preferences), env: deps.env, stored})
}

/** Where the key of these settings comes from, from the index (the value is not read). */
export async function keySourceOf(settings: AiSettings, store: Pick<SecretStore, 'where'>): Promise<KeySource> {
  if (settings.apiKeySecret) {
    const location = await store.where(settings.apiKeySecret)
    return location ? {kind: 'stored', name: settings.apiKeySecret, location} : {kind: 'none'}
  }
  if (settings.apiKeyEnv && settings.hasApiKey) return {kind: 'env', envVar: settings.apiKeyEnv}
  return {kind: 'none'}
}

/** The stored key when the settings say the key is stored (env keys are read by the factory). */
export async function storedProviderKey(
  settings: AiSettings,
  store: Pick<SecretStore, 'get'>,
): Promise<string | undefined> {
  if (!settings.apiKeySecret) return undefined
  return (await store.get(settings.apiKeySecret))?.value
}

/**
 * For `aims doctor`: the provider and where its key comes from. A stored key
 * is read (and dropped) so that a keychain that lost it, or is locked, shows
 * here rather than at the first chat.
 */
export async function aiKeyFact(deps: AiSettingsDeps): Promise<AiFact> {
  const settings = await loadAiSettings(deps)
  const source = await keySourceOf(settings, deps.store)
  const base = {
    provider: settings.provider,
    model: settings.model,
    ...(settings.baseUrl ? {baseUrl: settings.baseUrl} : {}),
  }
  if (source.kind === 'stored') {
    await deps.store.get(source.name)
    return {...base, key: {kind: 'stored', store: source.location.store, location: source.location.detail}}
  }
  if (source.kind === 'env') return {...base, key: {kind: 'env', envVar: source.envVar}}
  return {...base, key: {kind: 'none', needed: settings.provider === 'anthropic' || settings.provider === 'openai'}}
}
