/**
 * Which model ACHEEVY talks to, decided from `aims config` (ai.provider, ai.model,
 * ai.base-url, ai.tools, ai.timeout) and the environment. Pure: the caller reads
 * the config file and passes `process.env`.
 *
 * Order: an explicit provider (env AIMS_AI_PROVIDER, then ai.provider) wins; else
 * a base URL (AIMS_AI_BASE_URL, then ai.base-url) means that server (api.openai.com
 * → openai, api.anthropic.com → anthropic, anything else → openai-compatible);
 * else an API key in the environment (ANTHROPIC_API_KEY before OPENAI_API_KEY);
 * else a key stored with `aims login` (anthropic before openai); else the
 * offline parser. Env always beats config. ai.model and ai.base-url
 * from the config belong to the config's provider: they are ignored when the
 * environment switches to another provider, so a `gpt-…` model is never sent to
 * Anthropic.
 *
 * The key: its env var wins over a stored key (`aims login`). For an
 * OpenAI-compatible server, AIMS_AI_API_KEY, then the key stored for exactly
 * that base URL, then OPENAI_API_KEY: a key stored for this server is more
 * specific than the generic OpenAI one, which must not be sent to a third
 * party's server when the user said which key that server takes.
 *
 * The result names the env var or the stored secret holding the key, never the
 * key itself.
 */
import {AimsError, shown} from '../errors.js'
import {didYouMean} from '../suggest.js'
import type {ProviderName} from './types.js'

export type AiProviderName = ProviderName

export interface AiConfigValues {
  provider?: string | undefined
  model?: string | undefined
  baseUrl?: string | undefined
  /** `false` (or 'off'/'json') forces the JSON-mode fallback instead of native tool calling. */
  tools?: boolean | string | undefined
  /** Seconds without progress before a request fails (default 60). */
  timeoutSeconds?: number | string | undefined
}

export type AiEnv = Readonly<Record<string, string | undefined>>

export type AiSettingSource = 'env' | 'config' | 'base-url' | 'api-key' | 'stored-key' | 'default'

export interface AiSettings {
  provider: AiProviderName
  model: string
  /** For openai-compatible always set (…/v1); for the others only when overridden. */
  baseUrl?: string | undefined
  /** Env var that holds the API key for this provider (undefined for offline or a keyless local server). */
  apiKeyEnv?: string | undefined
  /** The stored secret (`aims login`) that holds the key, when no env var does. */
  apiKeySecret?: string | undefined
  /** Whether a key is there (env var non-empty, or stored); an explicit provider without its key fails when created. */
  hasApiKey: boolean
  /**
   * 'native' tries the API's tool calling (falling back to JSON mode if the server refuses); 'json' never sends tools.
   */
  toolCalling: 'native' | 'json'
  timeoutMs: number
  /** Where the provider choice came from, for `aims doctor` and `aims init`. */
  source: AiSettingSource
}

export const defaultAiTimeoutMs = 60_000

export const defaultModels: Record<Exclude<AiProviderName, 'offline'>, string> = {
  anthropic: 'claude-sonnet-5-5',
  openai: 'gpt-5.4-mini',
  // What Ollama users most often have pulled; vLLM needs the served name in ai.model.
  'openai-compatible': 'llama3.1',
}

export const offlineModel = 'offline-parser'

/** Friendly names for local servers: provider openai-compatible with their usual URL. */
const localServers: Record<string, string> = {
  ollama: 'http://127.0.0.1:11434/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  'llama.cpp': 'http://127.0.0.1:8080/v1',
  llamacpp: 'http://127.0.0.1:8080/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
}

const providerAliases: Record<string, AiProviderName> = {
  offline: 'offline',
  none: 'offline',
  off: 'offline',
  anthropic: 'anthropic',
  claude: 'anthropic',
  openai: 'openai',
  'openai-compatible': 'openai-compatible',
  compatible: 'openai-compatible',
  local: 'openai-compatible',
  ...Object.fromEntries(Object.keys(localServers).map((name) => [name, 'openai-compatible' as const])),
}

export const keyEnvNames = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  /** A key for an OpenAI-compatible server; OPENAI_API_KEY is used when this is unset. */
  compatible: 'AIMS_AI_API_KEY',
} as const

/** Names of the AI keys in the SecretStore (core/secrets.ts). */
export const aiSecretNames = {
  anthropic: 'ai:anthropic',
  openai: 'ai:openai',
  compatible: (baseUrl: string) => `ai:openai-compatible:${baseUrl}`,
} as const

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

function parseProvider(value: string, where: string): {provider: AiProviderName; localServer?: string | undefined} {
  const key = value.trim().toLowerCase()
  const provider = providerAliases[key]
  if (!provider) {
    const suggestion = didYouMean(key, Object.keys(providerAliases))
    throw new AimsError('usage', `unknown AI provider ${shown(value)} in ${where}`, {
      hint:
        `${suggestion ? `${suggestion} ` : ''}use one of offline, anthropic, openai, openai-compatible (or ` +
        `ollama, vllm, llama.cpp, lmstudio)`,
    })
  }
  return {provider, localServer: localServers[key]}
}

/**
 * Validates a base URL and completes a bare server address with /v1 for
 * OpenAI-compatible servers (Ollama, vLLM, llama.cpp and LM Studio all serve
 * the API under /v1, and users often paste just host:port).
 */
export function normalizeBaseUrl(value: string, provider: AiProviderName, where: string): string {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw new AimsError('usage', `the AI base URL ${shown(value)} in ${where} is not a URL`, {
      hint: 'use a full URL such as http://127.0.0.1:11434/v1',
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AimsError('usage', `the AI base URL ${shown(value)} in ${where} must be http or https`, {
      hint: 'use a full URL such as http://127.0.0.1:11434/v1',
    })
  }
  if (url.username || url.password) {
    throw new AimsError('usage', `the AI base URL in ${where} must not carry credentials`, {
      hint: `put the key in ${keyEnvNames.compatible} instead`,
    })
  }
  url.search = ''
  url.hash = ''
  let path = url.pathname.replace(/\/+$/, '')
  if (provider === 'openai-compatible' && path === '') path = '/v1'
  return `${url.origin}${path}`
}

function providerForBaseUrl(baseUrl: string): AiProviderName {
  const host = new URL(baseUrl).hostname
  if (host === 'api.openai.com') return 'openai'
  if (host === 'api.anthropic.com') return 'anthropic'
  return 'openai-compatible'
}

function parseToolCalling(value: boolean | string | undefined, where: string): 'native' | 'json' | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'boolean') return value ? 'native' : 'json'
  const key = value.trim().toLowerCase()
  if (key === '') return undefined
  if (['true', 'on', 'yes', '1', 'native', 'auto'].includes(key)) return 'native'
  if (['false', 'off', 'no', '0', 'json'].includes(key)) return 'json'
  throw new AimsError('usage', `${where} must be on or off, not ${shown(value)}`, {
    hint: 'off makes aims describe tools in the prompt and read JSON replies (for models without tool calling)',
  })
}

function parseTimeout(value: number | string | undefined, where: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const seconds = typeof value === 'number' ? value : Number(value.trim().replace(/s$/i, ''))
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new AimsError(
      'usage',
      `${where} must be a number of seconds between 1 and 3600, not ${shown(String(value))}`,
      {hint: 'for example 60'},
    )
  }
  return Math.round(seconds * 1000)
}

export function resolveAiSettings(input: {
  config?: AiConfigValues
  env: AiEnv
  /** Names of the secrets stored with `aims login` (names only: the values are read when used). */
  stored?: ReadonlySet<string>
}): AiSettings {
  const config = input.config ?? {}
  const env = input.env
  const stored = input.stored ?? new Set<string>()
  const envProvider = nonEmpty(env.AIMS_AI_PROVIDER)
  const configProvider = nonEmpty(config.provider)
  const envBaseUrl = nonEmpty(env.AIMS_AI_BASE_URL)
  const envModel = nonEmpty(env.AIMS_AI_MODEL)

  const fromConfig = configProvider ? parseProvider(configProvider, 'ai.provider') : undefined
  const fromEnv = envProvider ? parseProvider(envProvider, 'AIMS_AI_PROVIDER') : undefined

  let provider: AiProviderName
  let source: AiSettingSource
  let localServer: string | undefined
  if (fromEnv) {
    ;({provider, localServer} = fromEnv)
    source = 'env'
  } else if (fromConfig) {
    ;({provider, localServer} = fromConfig)
    source = 'config'
  } else if (envBaseUrl || nonEmpty(config.baseUrl)) {
    provider = providerForBaseUrl(
      normalizeBaseUrl(
        (envBaseUrl ?? nonEmpty(config.baseUrl))!,
        'openai-compatible',
        envBaseUrl ? 'AIMS_AI_BASE_URL' : 'ai.base-url',
      ),
    )
    source = 'base-url'
  } else if (nonEmpty(env.ANTHROPIC_API_KEY)) {
    provider = 'anthropic'
    source = 'api-key'
  } else if (nonEmpty(env.OPENAI_API_KEY)) {
    provider = 'openai'
    source = 'api-key'
  } else if (stored.has(aiSecretNames.anthropic)) {
    provider = 'anthropic'
    source = 'stored-key'
  } else if (stored.has(aiSecretNames.openai)) {
    provider = 'openai'
    source = 'stored-key'
  } else {
    provider = 'offline'
    source = 'default'
  }

  // Config model/base URL go with the config's provider (or with none named).
  const configApplies = !fromConfig || fromConfig.provider === provider
  const timeoutMs =
    parseTimeout(env.AIMS_AI_TIMEOUT, 'AIMS_AI_TIMEOUT') ??
    parseTimeout(config.timeoutSeconds, 'ai.timeout') ??
    defaultAiTimeoutMs
  const toolCalling =
    parseToolCalling(env.AIMS_AI_TOOLS, 'AIMS_AI_TOOLS') ?? parseToolCalling(config.tools, 'ai.tools') ?? 'native'

  if (provider === 'offline') {
    return {provider, model: offlineModel, hasApiKey: false, toolCalling, timeoutMs, source}
  }

  const model = envModel ?? (configApplies ? nonEmpty(config.model) : undefined) ?? defaultModels[provider]
  const rawBaseUrl = envBaseUrl ?? (configApplies ? nonEmpty(config.baseUrl) : undefined) ?? localServer
  const baseUrl =
    rawBaseUrl === undefined
      ? undefined
      : normalizeBaseUrl(rawBaseUrl, provider, envBaseUrl ? 'AIMS_AI_BASE_URL' : 'ai.base-url')

  if (provider === 'openai-compatible') {
    if (!baseUrl) {
      throw new AimsError('usage', 'the openai-compatible AI provider needs a base URL', {
        hint: 'aims config set ai.base-url http://127.0.0.1:11434/v1 (or set AIMS_AI_BASE_URL; provider "ollama" implies that URL)',
      })
    }
    const secret = aiSecretNames.compatible(baseUrl)
    const key = nonEmpty(env[keyEnvNames.compatible])
      ? {apiKeyEnv: keyEnvNames.compatible}
      : stored.has(secret)
        ? {apiKeySecret: secret}
        : nonEmpty(env[keyEnvNames.openai])
          ? {apiKeyEnv: keyEnvNames.openai}
          : {}
    return {provider, model, baseUrl, ...key, hasApiKey: Object.keys(key).length > 0, toolCalling, timeoutMs, source}
  }

  const apiKeyEnv = keyEnvNames[provider]
  const secret = aiSecretNames[provider]
  const inEnv = nonEmpty(env[apiKeyEnv]) !== undefined
  const fromStore = !inEnv && stored.has(secret)
  return {
    provider,
    model,
    ...(baseUrl ? {baseUrl} : {}),
    apiKeyEnv,
    ...(fromStore ? {apiKeySecret: secret} : {}),
    hasApiKey: inEnv || fromStore,
    toolCalling,
    timeoutMs,
    source,
  }
}
