/**
 * Builds the ChatProvider for resolved AI settings. The SDK adapters are loaded
 * with a dynamic import here, so nothing pays for an LLM SDK until ACHEEVY talks
 * to a model (`aims --help` never does).
 *
 * The offline parser is built elsewhere (it needs the catalog and instances);
 * asking this factory for it is a programming error and says so.
 */
import {AimsError} from '../../core/errors.js'
import type {AiEnv, AiSettings} from '../../core/ai/settings.js'
import type {ChatProvider} from '../../core/ai/types.js'

export interface ProviderTuning {
  maxRetries?: number
  maxRetryWaitMs?: number
  /** SDK logging; default off unless ANTHROPIC_LOG / OPENAI_LOG asks for it (the SDKs redact keys). */
  sdkLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off'
}

type LogLevel = NonNullable<ProviderTuning['sdkLogLevel']>
const logLevels: readonly string[] = ['debug', 'info', 'warn', 'error', 'off']
const logLevelFrom = (value: string | undefined): LogLevel | undefined =>
  value && logLevels.includes(value) ? (value as LogLevel) : undefined

/** A key stored with `aims login`, read by the caller from the SecretStore (settings.apiKeySecret). */
export interface ProviderKeys {
  apiKey?: string
}

/** The env var wins (when the settings chose it); else the stored key. */
function keyFrom(settings: AiSettings, env: AiEnv, keys: ProviderKeys): string | undefined {
  const value = settings.apiKeyEnv && !settings.apiKeySecret ? env[settings.apiKeyEnv]?.trim() : undefined
  if (value) return value
  const stored = settings.apiKeySecret ? keys.apiKey?.trim() : undefined
  return stored ? stored : undefined
}

/** How hints name the key: its env var, or the login that stored it. */
function keyLabel(settings: AiSettings): string | undefined {
  if (!settings.apiKeySecret) return settings.apiKeyEnv
  const target =
    settings.provider === 'openai-compatible' ? `openai-compatible ${settings.baseUrl ?? 'URL'}` : settings.provider
  return `the key stored by aims login ${target}`
}

export async function createProvider(
  settings: AiSettings,
  env: AiEnv,
  tuning: ProviderTuning = {},
  keys: ProviderKeys = {},
): Promise<ChatProvider> {
  switch (settings.provider) {
    case 'offline':
      throw new AimsError('internal', 'createProvider does not build the offline provider', {
        hint: 'build the offline parser where the catalog and instances are known',
      })

    case 'anthropic': {
      const apiKey = keyFrom(settings, env, keys)
      if (!apiKey) {
        throw new AimsError(
          'auth',
          `ACHEEVY is set to use Anthropic but has no key (${settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY'} is ` +
            `not set and none is stored)`,
          {
            hint:
              `run aims login anthropic (or export ${settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY'}=…), or aims ` +
              `config set ai.provider offline`,
          },
        )
      }
      const {AnthropicChatProvider} = await import('./anthropic.js')
      return new AnthropicChatProvider({
        apiKey,
        apiKeyEnv: keyLabel(settings),
        model: settings.model,
        baseUrl: settings.baseUrl,
        timeoutMs: settings.timeoutMs,
        maxRetries: tuning.maxRetries,
        maxRetryWaitMs: tuning.maxRetryWaitMs,
        sdkLogLevel: tuning.sdkLogLevel ?? logLevelFrom(env.ANTHROPIC_LOG) ?? 'off',
      })
    }

    case 'openai':
    case 'openai-compatible': {
      const apiKey = keyFrom(settings, env, keys)
      if (settings.provider === 'openai' && !apiKey) {
        throw new AimsError(
          'auth',
          `ACHEEVY is set to use OpenAI but has no key (${settings.apiKeyEnv ?? 'OPENAI_API_KEY'} is not set ` +
            `and none is stored)`,
          {
            hint:
              `run aims login openai (or export ${settings.apiKeyEnv ?? 'OPENAI_API_KEY'}=…), or aims config ` +
              `set ai.provider offline`,
          },
        )
      }
      const {OpenAiChatProvider} = await import('./openai.js')
      return new OpenAiChatProvider({
        flavor: settings.provider,
        apiKey,
        apiKeyEnv: keyLabel(settings),
        model: settings.model,
        baseUrl: settings.baseUrl,
        toolCalling: settings.toolCalling,
        timeoutMs: settings.timeoutMs,
        maxRetries: tuning.maxRetries,
        maxRetryWaitMs: tuning.maxRetryWaitMs,
        sdkLogLevel: tuning.sdkLogLevel ?? logLevelFrom(env.OPENAI_LOG) ?? 'off',
      })
    }
  }
}
