import {afterEach, describe, expect, it} from 'vitest'
import {
  AnthropicChatProvider,
  toAnthropicMessages,
  type AnthropicProviderOptions,
} from '../../../../src/adapters/ai/anthropic.js'
import {AimsError} from '../../../../src/core/errors.js'
import type {ChatMessage, ToolSpec} from '../../../../src/core/ai/types.js'
import {startFakeAnthropic, type FakeLlmServer, type FakeServerOptions} from '../../../support/fake-anthropic.js'
import {collect, doneEvent, everythingShown, textDeltas, toolCalls} from '../../../support/provider-events.js'

const apiKey = 'sk-ant-api03-TESTKEYdoNotLeak0123456789abcdefXYZ'

const tools: ToolSpec[] = [
  {
    name: 'plug_ls',
    description: 'List plug instances',
    parameters: {type: 'object', properties: {tenant: {type: 'string'}}},
    effect: 'read',
  },
  {
    name: 'plug_up',
    description: 'Deploy a plug',
    parameters: {type: 'object', properties: {plug: {type: 'string'}, tenant: {type: 'string'}}, required: ['plug']},
    effect: 'change',
  },
]

let server: FakeLlmServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function setup(fake: FakeServerOptions, options: Partial<AnthropicProviderOptions> = {}) {
  server = await startFakeAnthropic({apiKey, ...fake})
  const provider = new AnthropicChatProvider({
    apiKey,
    model: 'claude-test',
    baseUrl: server.url,
    timeoutMs: 5_000,
    ...options,
  })
  return {server, provider}
}

const ask = (content: string): ChatMessage[] => [{role: 'user', content}]

describe('AnthropicChatProvider against a fake Messages API', () => {
  it('streams text as several deltas and ends with done, usage included', async () => {
    const {server, provider} = await setup({
      script: [{text: "Here is what's running for acme: n8n and gitea.", usage: {input: 120, output: 17}}],
    })
    const {events, error} = await collect(
      provider.stream({system: 'You are ACHEEVY.', messages: ask("what's running?"), tools}),
    )
    expect(error).toBeUndefined()
    const deltas = textDeltas(events)
    expect(deltas.length).toBeGreaterThan(5)
    expect(deltas.join('')).toBe("Here is what's running for acme: n8n and gitea.")
    expect(events.at(-1)).toEqual({type: 'done', stopReason: 'end', usage: {inputTokens: 120, outputTokens: 17}})

    const [request] = server.requests
    expect(request?.path).toBe('/v1/messages')
    expect(request?.body).toMatchObject({
      model: 'claude-test',
      stream: true,
      system: [{type: 'text', text: 'You are ACHEEVY.', cache_control: {type: 'ephemeral'}}],
      messages: [{role: 'user', content: "what's running?"}],
    })
    expect(request?.body.max_tokens).toBeGreaterThan(0)
    expect(request?.body.tools).toEqual([
      {name: 'plug_ls', description: 'List plug instances', input_schema: tools[0]!.parameters},
      {name: 'plug_up', description: 'Deploy a plug', input_schema: tools[1]!.parameters},
    ])
    expect(request?.headers.authorization ?? request?.headers['x-api-key']).toContain(apiKey)
    expect(request?.headers['anthropic-version']).toBeTruthy()
    expect(server.unexpected).toEqual([])
  })

  it('assembles a tool call whose input arrives over several input_json_delta events, after the text', async () => {
    const input = {plug: 'n8n', tenant: 'acme', env: {N8N_HOST: 'n8n.acme.test', TZ: 'Europe/Paris'}}
    const {server, provider} = await setup({
      script: [
        {text: 'Deploying n8n.', toolCalls: [{id: 'toolu_01', name: 'plug_up', arguments: input, argumentChunks: 7}]},
      ],
    })
    const {events, error} = await collect(provider.stream({system: '', messages: ask('spin up n8n for acme'), tools}))
    expect(error).toBeUndefined()
    expect(events.map((event) => event.type)).toEqual([...textDeltas(events).map(() => 'text'), 'tool-call', 'done'])
    expect(toolCalls(events)).toEqual([{id: 'toolu_01', name: 'plug_up', arguments: input}])
    expect(doneEvent(events)?.stopReason).toBe('tool-calls')
    expect(server.requests[0]?.body.system).toBeUndefined() // an empty system prompt is not sent
  })

  it('emits two tool calls of one turn in order, with their own ids', async () => {
    const {provider} = await setup({
      script: [
        {
          toolCalls: [
            {name: 'plug_ls', arguments: {tenant: 'acme'}},
            {name: 'plug_ls', arguments: {tenant: 'globex'}},
          ],
        },
      ],
    })
    const {events, error} = await collect(provider.stream({system: '', messages: ask('list acme and globex'), tools}))
    expect(error).toBeUndefined()
    const calls = toolCalls(events)
    expect(calls.map((call) => call.arguments)).toEqual([{tenant: 'acme'}, {tenant: 'globex'}])
    expect(new Set(calls.map((call) => call.id)).size).toBe(2)
    expect(calls.every((call) => call.id.startsWith('toolu_'))).toBe(true)
  })

  it('sends tool results back as tool_result blocks in one user message, and the API accepts the history', async () => {
    const {server, provider} = await setup({
      script: [
        {
          text: 'Checking.',
          toolCalls: [
            {name: 'plug_ls', arguments: {tenant: 'acme'}},
            {name: 'plug_up', arguments: {plug: 'n8n'}},
          ],
        },
        {text: 'acme runs n8n; the deploy was declined.'},
      ],
    })
    const first = await collect(provider.stream({system: 'sys', messages: ask('go'), tools}))
    const [listCall, upCall] = toolCalls(first.events)
    const history: ChatMessage[] = [
      ...ask('go'),
      {role: 'assistant', content: 'Checking.', toolCalls: toolCalls(first.events)},
      {role: 'tool', toolCallId: listCall!.id, name: 'plug_ls', content: '{"instances":["acme/n8n"]}'},
      {role: 'tool', toolCallId: upCall!.id, name: 'plug_up', content: '{"declined":true}', isError: true},
    ]
    const second = await collect(provider.stream({system: 'sys', messages: history, tools}))
    expect(second.error).toBeUndefined()
    expect(textDeltas(second.events).join('')).toBe('acme runs n8n; the deploy was declined.')
    expect(server.requests[1]?.body.messages).toEqual([
      {role: 'user', content: 'go'},
      {
        role: 'assistant',
        content: [
          {type: 'text', text: 'Checking.'},
          {type: 'tool_use', id: listCall!.id, name: 'plug_ls', input: {tenant: 'acme'}},
          {type: 'tool_use', id: upCall!.id, name: 'plug_up', input: {plug: 'n8n'}},
        ],
      },
      {
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: listCall!.id, content: '{"instances":["acme/n8n"]}'},
          {type: 'tool_result', tool_use_id: upCall!.id, content: '{"declined":true}', is_error: true},
        ],
      },
    ])
    expect(server.unexpected).toEqual([])
  })

  it('merges a user message that follows tool results into the same user turn, results first, and repairs a missing result', () => {
    const history: ChatMessage[] = [
      {role: 'user', content: 'restart n8n and show logs'},
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          {id: 'a', name: 'plug_restart', arguments: {}},
          {id: 'b', name: 'plug_logs', arguments: {}},
        ],
      },
      {role: 'tool', toolCallId: 'a', name: 'plug_restart', content: '{"ok":true}'},
      {role: 'user', content: 'never mind the logs'},
      {role: 'tool', toolCallId: 'zzz', name: 'plug_ls', content: '{}'},
    ]
    expect(toAnthropicMessages(history)).toEqual([
      {role: 'user', content: 'restart n8n and show logs'},
      {
        role: 'assistant',
        content: [
          {type: 'tool_use', id: 'a', name: 'plug_restart', input: {}},
          {type: 'tool_use', id: 'b', name: 'plug_logs', input: {}},
        ],
      },
      {
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: 'a', content: '{"ok":true}'},
          {
            type: 'tool_result',
            tool_use_id: 'b',
            content: expect.stringContaining('no result was recorded'),
            is_error: true,
          },
          {type: 'text', text: 'never mind the logs'},
        ],
      },
    ])
  })

  it('reports a tool call with malformed input as argumentsError instead of guessing', async () => {
    const {provider} = await setup({
      script: [{toolCalls: [{id: 'toolu_bad', name: 'plug_up', arguments: '{"plug": "n8n", "tenant": '}]}],
    })
    const {events} = await collect(provider.stream({system: '', messages: ask('x'), tools}))
    const [call] = toolCalls(events)
    expect(call).toMatchObject({id: 'toolu_bad', name: 'plug_up', arguments: {}})
    expect(call?.argumentsError).toMatch(/not valid JSON/)
  })

  it('maps 401 to an auth error naming the env var, without retrying or echoing the key', async () => {
    const {server, provider} = await setup({})
    const wrongKey = new AnthropicChatProvider({
      apiKey: 'sk-ant-api03-WRONGkeyWRONGkey0123456789',
      model: 'claude-test',
      baseUrl: server.url,
    })
    const {events, error} = await collect(wrongKey.stream({system: '', messages: ask('hi'), tools}))
    expect(events).toEqual([])
    expect(error).toBeInstanceOf(AimsError)
    expect(error).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('the Anthropic API'),
      hint: expect.stringContaining('ANTHROPIC_API_KEY'),
    })
    expect((error as AimsError).message).toContain('rejected the key (HTTP 401)')
    expect(server.requests).toHaveLength(1)
    expect(everythingShown(error)).not.toContain('WRONGkey')
    void provider
  })

  it('retries a 429 after the Retry-After delay and then succeeds', async () => {
    const {server, provider} = await setup({script: [{status: 429, headers: {'retry-after': '1'}}, {text: 'ok now'}]})
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toBeUndefined()
    expect(textDeltas(events).join('')).toBe('ok now')
    expect(server.requests).toHaveLength(2)
    const waited = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt
    expect(waited).toBeGreaterThanOrEqual(950) // Retry-After: 1 honoured (the default backoff would be ~0.5 s)
  })

  it('gives a clear rate-limit error after the retries are used up', async () => {
    const {server, provider} = await setup(
      {script: [{status: 429, headers: {'retry-after': '0.02'}, times: 'always'}]},
      {maxRetries: 2},
    )
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({
      kind: 'quota',
      message: expect.stringMatching(/rate limiting requests after 3 attempts \(HTTP 429\)/),
    })
    expect(server.requests).toHaveLength(3)
  })

  it('fails at once when Retry-After is longer than it is worth waiting, saying how long', async () => {
    const {server, provider} = await setup({script: [{status: 429, headers: {'retry-after': '120'}, times: 'always'}]})
    const started = Date.now()
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(Date.now() - started).toBeLessThan(1500)
    expect(error).toMatchObject({
      kind: 'quota',
      message: expect.stringContaining('asks to wait 120 s'),
      hint: 'try again in 120 s',
    })
    expect(server.requests).toHaveLength(1)
  })

  it('times out fast on a server that never answers, without retrying', async () => {
    const {server, provider} = await setup({script: [{delayMs: 5_000, text: 'too late'}]}, {timeoutMs: 300})
    const started = Date.now()
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    const elapsed = Date.now() - started
    expect(error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining('no response from the Anthropic API at'),
    })
    expect((error as AimsError).message).toContain('300 ms')
    expect((error as AimsError).hint).toContain('ai.timeout')
    expect(elapsed).toBeLessThan(1500)
    expect(server.requests).toHaveLength(1)
  })

  it('times out a stream that stalls after it started', async () => {
    const {provider} = await setup(
      {script: [{text: 'partial answer that never ends', stallAfterEvents: 5}]},
      {timeoutMs: 300},
    )
    const started = Date.now()
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(textDeltas(events).length).toBeGreaterThan(0)
    expect(doneEvent(events)).toBeUndefined()
    expect(error).toMatchObject({kind: 'connection', message: expect.stringContaining('no response')})
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('does not count time the consumer spends holding an event (e.g. asking the user) as server silence', async () => {
    const {provider} = await setup(
      {script: [{text: 'Deploy n8n?', toolCalls: [{name: 'plug_up', arguments: {plug: 'n8n'}}]}]},
      {timeoutMs: 200},
    )
    const seen: string[] = []
    for await (const event of provider.stream({system: '', messages: ask('deploy n8n'), tools})) {
      seen.push(event.type)
      if (event.type === 'tool-call' || seen.length === 1) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(seen.at(-1)).toBe('done')
    expect(seen).toContain('tool-call')
  })

  it('reports a stream cut off mid-reply as a connection error, never as a finished reply', async () => {
    const {provider} = await setup({script: [{text: 'half a reply', dropAfterEvents: 4}]})
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(doneEvent(events)).toBeUndefined()
    expect(error).toMatchObject({kind: 'connection'})
  })

  it('reports an error event inside the stream (overloaded)', async () => {
    const {provider} = await setup({script: [{streamError: {type: 'overloaded_error', message: 'Overloaded'}}]})
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({kind: 'connection', message: expect.stringContaining('overloaded_error')})
  })

  it('maps a refused connection to a connection error with a hint', async () => {
    const closed = await startFakeAnthropic()
    const url = closed.url
    await closed.close()
    const provider = new AnthropicChatProvider({apiKey, model: 'claude-test', baseUrl: url, maxRetries: 0})
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining('connection refused'),
      hint: expect.stringContaining(url),
    })
    expect(everythingShown(error)).not.toContain(apiKey)
  })

  it('throws the caller’s abort reason when the caller aborts', async () => {
    const {provider} = await setup({script: [{text: 'slow', delayMs: 2_000}]})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools, signal: controller.signal}))
    expect(error).not.toBeInstanceOf(AimsError)
    expect((error as Error).name).toBe('AbortError')
  })

  it('never shows the API key in any error', async () => {
    const {server, provider} = await setup(
      {
        script: [
          {
            status: 400,
            error: {type: 'error', error: {type: 'invalid_request_error', message: `bad request from key ${apiKey}`}},
          },
          {
            status: 500,
            error: {type: 'error', error: {type: 'api_error', message: `internal: auth=${apiKey}`}},
            times: 'always',
          },
        ],
      },
      {maxRetries: 1},
    )
    const badRequest = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(badRequest.error).toMatchObject({
      kind: 'internal',
      message: expect.stringContaining('refused the request (HTTP 400)'),
    })
    const serverError = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(serverError.error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining('HTTP 500, 2 attempts'),
    })
    for (const error of [badRequest.error, serverError.error]) {
      expect(everythingShown(error)).not.toContain(apiKey)
      expect(everythingShown(error)).not.toContain('TESTKEY')
    }
    expect(server.requests).toHaveLength(3)
  })
})
