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

function keyFrom(settings: AiSettings, env: AiEnv): string | undefined {
  const value = settings.apiKeyEnv ? env[settings.apiKeyEnv]?.trim() : undefined
  return value ? value : undefined
}

export async function createProvider(
  settings: AiSettings,
  env: AiEnv,
  tuning: ProviderTuning = {},
): Promise<ChatProvider> {
  switch (settings.provider) {
    case 'offline':
      throw new AimsError('internal', 'createProvider does not build the offline provider', {
        hint: 'build the offline parser where the catalog and instances are known',
      })

    case 'anthropic': {
      const apiKey = keyFrom(settings, env)
      if (!apiKey) {
        throw new AimsError(
          'auth',
          `ACHEEVY is set to use Anthropic but ${settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY'} is not set`,
          {
            hint: `export ${settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY'}=… in your shell, or aims config set ai.provider offline`,
          },
        )
      }
      const {AnthropicChatProvider} = await import('./anthropic.js')
      return new AnthropicChatProvider({
        apiKey,
        apiKeyEnv: settings.apiKeyEnv,
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
      const apiKey = keyFrom(settings, env)
      if (settings.provider === 'openai' && !apiKey) {
        throw new AimsError(
          'auth',
          `ACHEEVY is set to use OpenAI but ${settings.apiKeyEnv ?? 'OPENAI_API_KEY'} is not set`,
          {
            hint: `export ${settings.apiKeyEnv ?? 'OPENAI_API_KEY'}=… in your shell, or aims config set ai.provider offline`,
          },
        )
      }
      const {OpenAiChatProvider} = await import('./openai.js')
      return new OpenAiChatProvider({
        flavor: settings.provider,
        apiKey,
        apiKeyEnv: settings.apiKeyEnv,
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
