import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../../src/core/errors.js'
import {
  defaultModels,
  resolveAiSettings,
  type AiConfigValues,
  type AiEnv,
  type AiSettings,
} from '../../../../src/core/ai/settings.js'

const anthropicKey = 'sk-ant-api03-secretsecretsecret'
const openaiKey = 'sk-proj-secretsecretsecret'

type Row = [string, AiEnv, AiConfigValues, Partial<AiSettings>]

const table: Row[] = [
  [
    'nothing configured → offline',
    {},
    {},
    {provider: 'offline', model: 'offline-parser', source: 'default', hasApiKey: false, apiKeyEnv: undefined},
  ],
  [
    'Anthropic key → anthropic, default model',
    {ANTHROPIC_API_KEY: anthropicKey},
    {},
    {
      provider: 'anthropic',
      model: defaultModels.anthropic,
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      hasApiKey: true,
      source: 'api-key',
      baseUrl: undefined,
    },
  ],
  [
    'OpenAI key → openai, default model',
    {OPENAI_API_KEY: openaiKey},
    {},
    {provider: 'openai', model: defaultModels.openai, apiKeyEnv: 'OPENAI_API_KEY', hasApiKey: true, source: 'api-key'},
  ],
  ['both keys → anthropic', {ANTHROPIC_API_KEY: anthropicKey, OPENAI_API_KEY: openaiKey}, {}, {provider: 'anthropic'}],
  [
    'AIMS_AI_PROVIDER picks among keys',
    {ANTHROPIC_API_KEY: anthropicKey, OPENAI_API_KEY: openaiKey, AIMS_AI_PROVIDER: 'openai'},
    {},
    {provider: 'openai', source: 'env'},
  ],
  [
    'ai.provider picks among keys',
    {ANTHROPIC_API_KEY: anthropicKey, OPENAI_API_KEY: openaiKey},
    {provider: 'openai', model: 'gpt-5.5'},
    {provider: 'openai', model: 'gpt-5.5', source: 'config'},
  ],
  [
    'env provider beats config, and the config model stays with the config provider',
    {AIMS_AI_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: anthropicKey},
    {provider: 'openai', model: 'gpt-5.5'},
    {provider: 'anthropic', model: defaultModels.anthropic},
  ],
  [
    'AIMS_AI_MODEL beats ai.model',
    {OPENAI_API_KEY: openaiKey, AIMS_AI_MODEL: 'gpt-6-luna'},
    {model: 'gpt-5.5'},
    {provider: 'openai', model: 'gpt-6-luna'},
  ],
  [
    'ai.model without ai.provider applies to the inferred provider',
    {ANTHROPIC_API_KEY: anthropicKey},
    {model: 'claude-haiku-5-5'},
    {provider: 'anthropic', model: 'claude-haiku-5-5'},
  ],
  [
    'explicit provider without its key stays explicit (fails when created)',
    {},
    {provider: 'anthropic'},
    {provider: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', hasApiKey: false},
  ],
  [
    'offline is explicit even with keys',
    {ANTHROPIC_API_KEY: anthropicKey},
    {provider: 'offline'},
    {provider: 'offline'},
  ],
  [
    'AIMS_AI_PROVIDER=none → offline',
    {OPENAI_API_KEY: openaiKey, AIMS_AI_PROVIDER: 'none'},
    {},
    {provider: 'offline', source: 'env'},
  ],
  [
    'a local base URL → openai-compatible, /v1 added, keyless',
    {AIMS_AI_BASE_URL: 'http://127.0.0.1:11434'},
    {},
    {
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: defaultModels['openai-compatible'],
      apiKeyEnv: undefined,
      hasApiKey: false,
      source: 'base-url',
    },
  ],
  [
    'a base URL beats an API key for the inferred provider',
    {AIMS_AI_BASE_URL: 'http://gpu.lan:8000/v1/', ANTHROPIC_API_KEY: anthropicKey},
    {},
    {provider: 'openai-compatible', baseUrl: 'http://gpu.lan:8000/v1'},
  ],
  [
    'compatible server uses OPENAI_API_KEY when it is the only key',
    {AIMS_AI_BASE_URL: 'http://gpu.lan:8000/v1', OPENAI_API_KEY: openaiKey},
    {},
    {apiKeyEnv: 'OPENAI_API_KEY', hasApiKey: true},
  ],
  [
    'AIMS_AI_API_KEY beats OPENAI_API_KEY for a compatible server',
    {AIMS_AI_BASE_URL: 'http://gpu.lan:8000/v1', OPENAI_API_KEY: openaiKey, AIMS_AI_API_KEY: 'local-key'},
    {},
    {apiKeyEnv: 'AIMS_AI_API_KEY'},
  ],
  [
    'api.openai.com base URL → openai',
    {AIMS_AI_BASE_URL: 'https://api.openai.com/v1', OPENAI_API_KEY: openaiKey},
    {},
    {provider: 'openai', baseUrl: 'https://api.openai.com/v1'},
  ],
  [
    'api.anthropic.com base URL → anthropic',
    {AIMS_AI_BASE_URL: 'https://api.anthropic.com'},
    {},
    {provider: 'anthropic', baseUrl: 'https://api.anthropic.com', hasApiKey: false},
  ],
  [
    'ai.provider ollama → its usual URL',
    {},
    {provider: 'ollama'},
    {provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1'},
  ],
  [
    'ai.provider vllm with a model',
    {},
    {provider: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct'},
    {provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen2.5-7B-Instruct'},
  ],
  [
    'config compatible server kept whole',
    {},
    {provider: 'openai-compatible', baseUrl: 'http://gpu.lan:8080/v1', model: 'qwen'},
    {provider: 'openai-compatible', baseUrl: 'http://gpu.lan:8080/v1', model: 'qwen', source: 'config'},
  ],
  [
    'config base URL ignored when env switches provider',
    {AIMS_AI_PROVIDER: 'openai', OPENAI_API_KEY: openaiKey},
    {provider: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1'},
    {provider: 'openai', baseUrl: undefined},
  ],
  [
    'anthropic behind a proxy keeps the path as given',
    {AIMS_AI_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: anthropicKey, AIMS_AI_BASE_URL: 'http://127.0.0.1:9999'},
    {},
    {provider: 'anthropic', baseUrl: 'http://127.0.0.1:9999'},
  ],
  [
    'provider names are case-insensitive, blanks are unset',
    {AIMS_AI_PROVIDER: '  ', AIMS_AI_MODEL: ''},
    {provider: 'Claude'},
    {provider: 'anthropic', model: defaultModels.anthropic},
  ],
  [
    'tool calling off from env',
    {AIMS_AI_TOOLS: 'off', AIMS_AI_BASE_URL: 'http://127.0.0.1:8080'},
    {},
    {toolCalling: 'json'},
  ],
  ['tool calling off from config', {}, {provider: 'ollama', tools: false}, {toolCalling: 'json'}],
  ['tool calling native by default', {OPENAI_API_KEY: openaiKey}, {}, {toolCalling: 'native', timeoutMs: 60_000}],
  [
    'timeout from env beats config',
    {OPENAI_API_KEY: openaiKey, AIMS_AI_TIMEOUT: '90'},
    {timeoutSeconds: 30},
    {timeoutMs: 90_000},
  ],
  ['timeout from config', {OPENAI_API_KEY: openaiKey}, {timeoutSeconds: '2.5'}, {timeoutMs: 2_500}],
]

describe('resolveAiSettings', () => {
  it.each(table)('%s', (_name, env, config, expected) => {
    const settings = resolveAiSettings({config, env})
    for (const [key, value] of Object.entries(expected)) expect(settings[key as keyof AiSettings], key).toEqual(value)
  })

  it('never carries a key value, only the name of its variable', () => {
    for (const [, env, config] of table) {
      const text = JSON.stringify(resolveAiSettings({config, env}))
      expect(text).not.toContain('secretsecret')
      expect(text).not.toContain('local-key')
    }
  })

  const failures: Array<[string, AiEnv, AiConfigValues, RegExp]> = [
    [
      'unknown provider, with a suggestion',
      {},
      {provider: 'antropic'},
      /unknown AI provider "antropic" in ai\.provider.*did you mean "anthropic"/,
    ],
    ['compatible without a base URL', {AIMS_AI_PROVIDER: 'openai-compatible'}, {}, /needs a base URL.*ai\.base-url/],
    ['a base URL that is not a URL', {AIMS_AI_BASE_URL: 'localhost:11434'}, {}, /must be http or https|is not a URL/],
    [
      'a base URL with credentials',
      {AIMS_AI_BASE_URL: 'http://user:pw@127.0.0.1:8000/v1'},
      {},
      /must not carry credentials/,
    ],
    [
      'a timeout that is not a number',
      {AIMS_AI_TIMEOUT: 'soon', OPENAI_API_KEY: openaiKey},
      {},
      /AIMS_AI_TIMEOUT must be a number of seconds/,
    ],
    ['ai.tools that is not on/off', {OPENAI_API_KEY: openaiKey}, {tools: 'maybe'}, /ai\.tools must be on or off/],
  ]
  it.each(failures)('refuses %s as a usage error', (_name, env, config, pattern) => {
    let caught: unknown
    try {
      resolveAiSettings({config, env})
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(AimsError)
    expect((caught as AimsError).kind).toBe('usage')
    expect((caught as AimsError).line).toMatch(pattern)
    expect((caught as AimsError).line).not.toContain(':pw@')
  })
})

describe('resolveAiSettings with keys stored by aims login', () => {
  const stored = (...names: string[]) => new Set(names)

  it('a stored key selects its provider when nothing else does (anthropic before openai)', () => {
    expect(resolveAiSettings({env: {}, stored: stored('ai:openai')})).toMatchObject({
      provider: 'openai',
      source: 'stored-key',
      apiKeySecret: 'ai:openai',
      apiKeyEnv: 'OPENAI_API_KEY',
      hasApiKey: true,
    })
    expect(resolveAiSettings({env: {}, stored: stored('ai:openai', 'ai:anthropic')})).toMatchObject({
      provider: 'anthropic',
      apiKeySecret: 'ai:anthropic',
    })
  })

  it('env keys win over stored ones, for the choice of provider and for the key', () => {
    const settings = resolveAiSettings({env: {OPENAI_API_KEY: openaiKey}, stored: stored('ai:anthropic', 'ai:openai')})
    expect(settings).toMatchObject({
      provider: 'openai',
      source: 'api-key',
      apiKeyEnv: 'OPENAI_API_KEY',
      hasApiKey: true,
    })
    expect(settings.apiKeySecret).toBeUndefined()
    const explicit = resolveAiSettings({
      env: {ANTHROPIC_API_KEY: anthropicKey},
      config: {provider: 'anthropic'},
      stored: stored('ai:anthropic'),
    })
    expect(explicit.apiKeySecret).toBeUndefined()
  })

  it('an explicit provider takes its stored key; a stored key of another provider does not count', () => {
    expect(resolveAiSettings({env: {}, config: {provider: 'openai'}, stored: stored('ai:openai')})).toMatchObject({
      provider: 'openai',
      apiKeySecret: 'ai:openai',
      hasApiKey: true,
    })
    const other = resolveAiSettings({env: {}, config: {provider: 'openai'}, stored: stored('ai:anthropic')})
    expect(other).toMatchObject({provider: 'openai', hasApiKey: false})
    expect(other.apiKeySecret).toBeUndefined()
  })

  it('an OpenAI-compatible server: AIMS_AI_API_KEY, then the key stored for exactly its URL, then OPENAI_API_KEY', () => {
    const url = 'http://127.0.0.1:8000/v1'
    const config = {provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/'}
    const names = stored(`ai:openai-compatible:${url}`)
    expect(resolveAiSettings({env: {OPENAI_API_KEY: openaiKey}, config, stored: names})).toMatchObject({
      baseUrl: url,
      apiKeySecret: `ai:openai-compatible:${url}`,
      hasApiKey: true,
    })
    expect(
      resolveAiSettings({env: {AIMS_AI_API_KEY: 'k', OPENAI_API_KEY: openaiKey}, config, stored: names}),
    ).toMatchObject({apiKeyEnv: 'AIMS_AI_API_KEY'})
    // A key stored for another server is not sent to this one.
    const elsewhere = resolveAiSettings({
      env: {},
      config,
      stored: stored('ai:openai-compatible:http://10.0.0.9:8000/v1'),
    })
    expect(elsewhere).toMatchObject({hasApiKey: false})
    expect(elsewhere.apiKeySecret).toBeUndefined()
    expect(resolveAiSettings({env: {OPENAI_API_KEY: openaiKey}, config, stored: stored()})).toMatchObject({
      apiKeyEnv: 'OPENAI_API_KEY',
    })
  })
})
