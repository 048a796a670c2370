import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {createProvider} from '../../../../src/adapters/ai/factory.js'
import {AimsError} from '../../../../src/core/errors.js'
import {resolveAiSettings, type AiEnv} from '../../../../src/core/ai/settings.js'
import {startFakeAnthropic} from '../../../support/fake-anthropic.js'
import type {FakeLlmServer} from '../../../support/fake-llm-common.js'
import {startFakeOpenAI} from '../../../support/fake-openai.js'
import {collect, everythingShown, textDeltas, toolCalls} from '../../../support/provider-events.js'

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const tools = [
  {
    name: 'plug_ls',
    description: 'List plug instances',
    parameters: {type: 'object' as const, properties: {}},
    effect: 'read' as const,
  },
]

let servers: FakeLlmServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()))
  servers = []
})

async function providerFor(env: AiEnv) {
  return createProvider(resolveAiSettings({env}), env)
}

describe('createProvider', () => {
  it('refuses to build the offline provider, clearly', async () => {
    await expect(providerFor({})).rejects.toMatchObject({kind: 'internal', message: expect.stringContaining('offline')})
  })

  it('fails with an auth error naming the variable when an explicit provider has no key', async () => {
    const error = await createProvider(resolveAiSettings({config: {provider: 'anthropic'}, env: {}}), {}).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(AimsError)
    expect(error).toMatchObject({kind: 'auth', message: expect.stringContaining('ANTHROPIC_API_KEY is not set')})
    await expect(providerFor({AIMS_AI_PROVIDER: 'openai'})).rejects.toMatchObject({
      kind: 'auth',
      hint: expect.stringContaining('OPENAI_API_KEY'),
    })
  })

  it('builds Anthropic from the environment and talks to the server at AIMS_AI_BASE_URL', async () => {
    const key = 'sk-ant-api03-factorytestkey0123456789'
    const server = await startFakeAnthropic({apiKey: key, script: [{text: 'hello from claude'}]})
    servers.push(server)
    const provider = await providerFor({
      AIMS_AI_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: key,
      AIMS_AI_BASE_URL: server.url,
      AIMS_AI_MODEL: 'claude-test',
    })
    expect([provider.name, provider.model]).toEqual(['anthropic', 'claude-test'])
    const {events, error} = await collect(
      provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}),
    )
    expect(error).toBeUndefined()
    expect(textDeltas(events).join('')).toBe('hello from claude')
    expect(server.requests[0]?.body.model).toBe('claude-test')
  })

  it('builds a keyless OpenAI-compatible provider from AIMS_AI_BASE_URL alone (how e2e points aims at a fake)', async () => {
    const server = await startFakeOpenAI({script: [{toolCalls: [{name: 'plug_ls', arguments: {}}]}]})
    servers.push(server)
    const provider = await providerFor({AIMS_AI_BASE_URL: server.url})
    expect([provider.name, provider.model]).toEqual(['openai-compatible', 'llama3.1'])
    const {events} = await collect(
      provider.stream({system: '', messages: [{role: 'user', content: "what's running?"}], tools}),
    )
    expect(toolCalls(events).map((call) => call.name)).toEqual(['plug_ls'])
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
  })

  it('passes AIMS_AI_TOOLS=off through to JSON mode, and a short AIMS_AI_TIMEOUT to the guard', async () => {
    const server = await startFakeOpenAI({script: [{text: '{"reply": "hi"}'}, {delayMs: 3_000, text: 'late'}]})
    servers.push(server)
    const provider = await providerFor({AIMS_AI_BASE_URL: server.url, AIMS_AI_TOOLS: 'off', AIMS_AI_TIMEOUT: '0.3'})
    const first = await collect(provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}))
    expect(textDeltas(first.events).join('')).toBe('hi')
    expect(server.requests[0]?.body.tools).toBeUndefined()
    const second = await collect(provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}))
    expect(second.error).toMatchObject({kind: 'connection', message: expect.stringContaining('300 ms')})
  })

  it('uses the key stored with aims login when no env var holds one; the env var wins when set', async () => {
    const stored = 'sk-ant-api03-STOREDkey0123456789'
    const fromEnv = 'sk-ant-api03-ENVkey0123456789abc'
    const server = await startFakeAnthropic({apiKey: stored, script: [{text: 'stored key works', times: 'always'}]})
    servers.push(server)
    const names = new Set(['ai:anthropic'])
    const settings = resolveAiSettings({
      env: {AIMS_AI_BASE_URL: server.url},
      config: {provider: 'anthropic'},
      stored: names,
    })
    expect(settings).toMatchObject({apiKeySecret: 'ai:anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', hasApiKey: true})
    const provider = await createProvider(settings, {}, {}, {apiKey: stored})
    const {events, error} = await collect(
      provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}),
    )
    expect(error).toBeUndefined()
    expect(textDeltas(events).join('')).toBe('stored key works')
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${stored}`)

    // ANTHROPIC_API_KEY set: the settings no longer name the stored secret, and the factory reads the env.
    const envSettings = resolveAiSettings({
      env: {AIMS_AI_BASE_URL: server.url, ANTHROPIC_API_KEY: fromEnv},
      config: {provider: 'anthropic'},
      stored: names,
    })
    expect(envSettings.apiKeySecret).toBeUndefined()
    const envProvider = await createProvider(
      envSettings,
      {ANTHROPIC_API_KEY: fromEnv},
      {maxRetries: 0},
      {apiKey: stored},
    )
    const rejected = await collect(envProvider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}))
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${fromEnv}`)
    // The fake knows only the stored key: a 401 whose hint names the env var, and no key in any text.
    expect(rejected.error).toMatchObject({kind: 'auth', hint: expect.stringContaining('ANTHROPIC_API_KEY')})
    expect(everythingShown(rejected.error)).not.toContain(fromEnv)
  })

  it('names the login in hints when a stored key is rejected', async () => {
    const server = await startFakeOpenAI({apiKey: 'sk-the-right-one-0123456789'})
    servers.push(server)
    const settings = resolveAiSettings({
      env: {AIMS_AI_BASE_URL: server.url},
      config: {provider: 'openai-compatible'},
      stored: new Set([`ai:openai-compatible:${server.url.replace(/\/+$/, '')}`]),
    })
    expect(settings.apiKeySecret).toBeDefined()
    const provider = await createProvider(settings, {}, {maxRetries: 0}, {apiKey: 'sk-STORED-but-wrong-0123456789'})
    const result = await collect(provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools}))
    expect(result.error).toMatchObject({
      kind: 'auth',
      hint: expect.stringContaining('the key stored by aims login openai-compatible'),
    })
    expect(everythingShown(result.error)).not.toContain('sk-STORED-but-wrong')
  })

  it('keeps the SDKs out of the factory’s static imports (they load only when a provider is built)', () => {
    const source = readFileSync(join(root, 'src/adapters/ai/factory.ts'), 'utf8')
    const staticImports = source.split('\n').filter((line) => /^import\s/.test(line))
    expect(staticImports.join('\n')).not.toMatch(/@anthropic-ai\/sdk|from 'openai'|anthropic\.js|openai\.js/)
    for (const file of ['src/core/ai/types.ts', 'src/core/ai/settings.ts', 'src/core/ai/untrusted.ts']) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/@anthropic-ai\/sdk|from 'openai'|adapters\//)
    }
  })

  it('never shows a key from the environment in creation errors', async () => {
    const env = {AIMS_AI_PROVIDER: 'anthropic', OPENAI_API_KEY: 'sk-proj-shouldnotshow0123456789'}
    const error = await providerFor(env).catch((caught: unknown) => caught)
    expect(everythingShown(error)).not.toContain('shouldnotshow')
  })
})

describe('fake-llm-server CLI', () => {
  it('starts from a script file with plain node, prints its URL, serves the script and records requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prv-fake-cli-'))
    const script = join(dir, 'script.json')
    const record = join(dir, 'requests.jsonl')
    writeFileSync(script, JSON.stringify({turns: [{text: 'scripted hello'}]}))
    const child = spawn(
      process.execPath,
      [join(root, 'test/support/fake-llm-server.ts'), '--kind', 'openai', '--script', script, '--record', record],
      {stdio: ['ignore', 'pipe', 'pipe']},
    )
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        let err = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0]!)
        })
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)))
        setTimeout(() => reject(new Error(`no URL printed: ${err}`)), 8_000)
      })
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      const provider = await providerFor({AIMS_AI_BASE_URL: url})
      const {events} = await collect(
        provider.stream({system: '', messages: [{role: 'user', content: 'hi'}], tools: []}),
      )
      expect(textDeltas(events).join('')).toBe('scripted hello')
      expect(JSON.parse(readFileSync(record, 'utf8').split('\n')[0]!).body.messages).toEqual([
        {role: 'user', content: 'hi'},
      ])
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0) // nothing unexpected happened on the fake's side
    }
  }, 15_000)
})
