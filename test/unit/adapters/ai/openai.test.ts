import {afterEach, describe, expect, it} from 'vitest'
import {
  OpenAiChatProvider,
  ToolCallAssembler,
  isToolsRejection,
  toOpenAiMessages,
  type OpenAiProviderOptions,
} from '../../../../src/adapters/ai/openai.js'
import {AimsError} from '../../../../src/core/errors.js'
import type {ChatMessage, ToolSpec} from '../../../../src/core/ai/types.js'
import {startFakeOpenAI, type FakeLlmServer, type FakeOpenAiOptions} from '../../../support/fake-openai.js'
import {collect, doneEvent, everythingShown, textDeltas, toolCalls} from '../../../support/provider-events.js'

const apiKey = 'sk-proj-TESTKEYdoNotLeak0123456789abcdefXYZ'

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

async function setup(fake: FakeOpenAiOptions, options: Partial<OpenAiProviderOptions> = {}) {
  server = await startFakeOpenAI({apiKey, ...fake})
  const provider = new OpenAiChatProvider({
    flavor: 'openai-compatible',
    apiKey,
    apiKeyEnv: 'OPENAI_API_KEY',
    model: 'gpt-test',
    baseUrl: server.url,
    timeoutMs: 5_000,
    ...options,
  })
  return {server, provider}
}

const ask = (content: string): ChatMessage[] => [{role: 'user', content}]

describe('OpenAiChatProvider against a fake chat completions API', () => {
  it('streams text as several deltas and ends with done; usage when the API is OpenAI', async () => {
    const {server, provider} = await setup(
      {script: [{text: "Here is what's running for acme: n8n and gitea.", usage: {input: 80, output: 12}}]},
      {flavor: 'openai', maxRetries: 0},
    )
    const {events, error} = await collect(
      provider.stream({system: 'You are ACHEEVY.', messages: ask("what's running?"), tools, maxTokens: 500}),
    )
    expect(error).toBeUndefined()
    expect(textDeltas(events).length).toBeGreaterThan(5)
    expect(textDeltas(events).join('')).toBe("Here is what's running for acme: n8n and gitea.")
    expect(events.at(-1)).toEqual({type: 'done', stopReason: 'end', usage: {inputTokens: 80, outputTokens: 12}})

    const [request] = server.requests
    expect(request?.path).toBe('/v1/chat/completions')
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`)
    expect(request?.body).toMatchObject({
      model: 'gpt-test',
      stream: true,
      stream_options: {include_usage: true},
      max_completion_tokens: 500,
      messages: [
        {role: 'system', content: 'You are ACHEEVY.'},
        {role: 'user', content: "what's running?"},
      ],
      tools: [
        {
          type: 'function',
          function: {name: 'plug_ls', description: 'List plug instances', parameters: tools[0]!.parameters},
        },
        {type: 'function', function: {name: 'plug_up', description: 'Deploy a plug', parameters: tools[1]!.parameters}},
      ],
    })
    expect(server.unexpected).toEqual([])
  })

  it('asks a compatible server for max_tokens and no stream_options (not every server knows them)', async () => {
    const {server, provider} = await setup({script: [{text: 'hi'}]})
    await collect(provider.stream({system: '', messages: ask('hi'), tools: [], maxTokens: 300}))
    expect(server.requests[0]?.body.max_tokens).toBe(300)
    expect(server.requests[0]?.body.max_completion_tokens).toBeUndefined()
    expect(server.requests[0]?.body.stream_options).toBeUndefined()
    expect(server.requests[0]?.body.tools).toBeUndefined()
  })

  it('assembles a tool call whose arguments arrive over several tool_calls deltas, after the text', async () => {
    const args = {plug: 'n8n', tenant: 'acme', env: {N8N_HOST: 'n8n.acme.test'}}
    const {provider} = await setup({
      script: [{text: 'Deploying.', toolCalls: [{id: 'call_1', name: 'plug_up', arguments: args, argumentChunks: 6}]}],
    })
    const {events, error} = await collect(provider.stream({system: '', messages: ask('spin up n8n for acme'), tools}))
    expect(error).toBeUndefined()
    expect(events.map((event) => event.type)).toEqual([...textDeltas(events).map(() => 'text'), 'tool-call', 'done'])
    expect(toolCalls(events)).toEqual([{id: 'call_1', name: 'plug_up', arguments: args}])
    expect(doneEvent(events)?.stopReason).toBe('tool-calls')
  })

  it('emits two tool calls of one turn in index order', async () => {
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
    const {events} = await collect(provider.stream({system: '', messages: ask('list both'), tools}))
    const calls = toolCalls(events)
    expect(calls.map((call) => call.arguments)).toEqual([{tenant: 'acme'}, {tenant: 'globex'}])
    expect(new Set(calls.map((call) => call.id)).size).toBe(2)
  })

  it('sends the assistant tool_calls and one tool message per call on the next request', async () => {
    const {server, provider} = await setup({
      script: [
        {
          toolCalls: [
            {name: 'plug_ls', arguments: {tenant: 'acme'}},
            {name: 'plug_up', arguments: {plug: 'n8n'}},
          ],
        },
        {text: 'Done.'},
      ],
    })
    const first = await collect(provider.stream({system: 'sys', messages: ask('go'), tools}))
    const [listCall, upCall] = toolCalls(first.events)
    const history: ChatMessage[] = [
      ...ask('go'),
      {role: 'assistant', content: '', toolCalls: toolCalls(first.events)},
      {role: 'tool', toolCallId: listCall!.id, name: 'plug_ls', content: '{"instances":["acme/n8n"]}'},
      {role: 'tool', toolCallId: upCall!.id, name: 'plug_up', content: '"the user declined"', isError: true},
    ]
    const second = await collect(provider.stream({system: 'sys', messages: history, tools}))
    expect(second.error).toBeUndefined()
    expect(server.requests[1]?.body.messages).toEqual([
      {role: 'system', content: 'sys'},
      {role: 'user', content: 'go'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {id: listCall!.id, type: 'function', function: {name: 'plug_ls', arguments: '{"tenant":"acme"}'}},
          {id: upCall!.id, type: 'function', function: {name: 'plug_up', arguments: '{"plug":"n8n"}'}},
        ],
      },
      {role: 'tool', tool_call_id: listCall!.id, content: '{"instances":["acme/n8n"]}'},
      {role: 'tool', tool_call_id: upCall!.id, content: '{"error":"the user declined"}'},
    ])
    expect(server.unexpected).toEqual([])
  })

  it('repairs a history whose tool call has no result (interrupted session) so the server accepts it', () => {
    const wire = toOpenAiMessages('', [
      {role: 'user', content: 'go'},
      {role: 'assistant', content: 'ok', toolCalls: [{id: 'c1', name: 'plug_ls', arguments: {}}]},
      {role: 'user', content: 'hello?'},
    ])
    expect(wire[2]).toMatchObject({
      role: 'tool',
      tool_call_id: 'c1',
      content: expect.stringContaining('no result was recorded'),
    })
    expect(wire[3]).toEqual({role: 'user', content: 'hello?'})
  })

  it('assembles tool calls from servers that omit index or send arguments as an object', () => {
    const assembler = new ToolCallAssembler()
    assembler.add({id: 'x1', function: {name: 'plug_ls', arguments: '{"ten'}} as never)
    assembler.add({function: {arguments: 'ant":"acme"}'}} as never)
    assembler.add({id: 'x2', function: {name: 'plug_up', arguments: {plug: 'n8n'}}} as never)
    expect(assembler.finish('gen_')).toEqual([
      {id: 'x1', name: 'plug_ls', arguments: {tenant: 'acme'}},
      {id: 'x2', name: 'plug_up', arguments: {plug: 'n8n'}},
    ])
  })

  it('maps 401 to an auth error and never repeats the key the server echoed back', async () => {
    const {server} = await setup({})
    const wrongKey = 'sk-proj-WRONGkeyWRONGkey0123456789abcdef'
    const provider = new OpenAiChatProvider({
      flavor: 'openai',
      apiKey: wrongKey,
      apiKeyEnv: 'OPENAI_API_KEY',
      model: 'gpt-test',
      baseUrl: server.url,
    })
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toBeInstanceOf(AimsError)
    expect(error).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('rejected the key (HTTP 401)'),
      hint: expect.stringContaining('OPENAI_API_KEY'),
    })
    expect(server.requests).toHaveLength(1)
    expect(everythingShown(error)).not.toContain('WRONGkey')
  })

  it('sends no Authorization header to a keyless local server, and asks for AIMS_AI_API_KEY if it wants one', async () => {
    const {server} = await setup({script: [{text: 'hi'}]})
    const keyless = new OpenAiChatProvider({flavor: 'openai-compatible', model: 'llama3.1', baseUrl: server.url})
    const {error} = await collect(keyless.stream({system: '', messages: ask('hi'), tools}))
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
    expect(error).toMatchObject({kind: 'auth', hint: expect.stringContaining('AIMS_AI_API_KEY')})
  })

  it('retries a 429 after retry-after-ms and then succeeds', async () => {
    const {server, provider} = await setup({
      script: [{status: 429, headers: {'retry-after-ms': '300'}}, {text: 'ok now'}],
    })
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toBeUndefined()
    expect(textDeltas(events).join('')).toBe('ok now')
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(280)
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

  it('says when the account is out of credit rather than rate limited', async () => {
    const {server, provider} = await setup({
      script: [
        {
          status: 429,
          error: {
            error: {
              message: 'You exceeded your current quota',
              type: 'insufficient_quota',
              param: null,
              code: 'insufficient_quota',
            },
          },
          headers: {'x-should-retry': 'false'},
        },
      ],
    })
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({kind: 'quota', message: expect.stringContaining('no credit left')})
    expect(server.requests).toHaveLength(1)
  })

  it('times out fast on a server that never answers, without retrying', async () => {
    const {server, provider} = await setup({script: [{delayMs: 5_000, text: 'too late'}]}, {timeoutMs: 300})
    const started = Date.now()
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining('no response from the OpenAI-compatible server at'),
    })
    expect(Date.now() - started).toBeLessThan(1500)
    expect(server.requests).toHaveLength(1)
  })

  it('times out a stream that stalls after it started', async () => {
    const {provider} = await setup(
      {script: [{text: 'partial answer that never ends', stallAfterEvents: 4}]},
      {timeoutMs: 300},
    )
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(textDeltas(events).length).toBeGreaterThan(0)
    expect(doneEvent(events)).toBeUndefined()
    expect(error).toMatchObject({kind: 'connection', message: expect.stringContaining('no response')})
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

  it('reports a stream cut off mid-reply as a connection error', async () => {
    const {provider} = await setup({script: [{text: 'half a reply', dropAfterEvents: 3}]})
    const {events, error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(doneEvent(events)).toBeUndefined()
    expect(error).toMatchObject({kind: 'connection'})
  })

  it('hints at Ollama when nothing listens on a local base URL', async () => {
    const closed = await startFakeOpenAI()
    const url = closed.url
    await closed.close()
    const provider = new OpenAiChatProvider({
      flavor: 'openai-compatible',
      model: 'llama3.1',
      baseUrl: url,
      maxRetries: 0,
    })
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining(`cannot reach the OpenAI-compatible server at ${url} (connection refused)`),
      hint: expect.stringContaining(`running at ${url}`),
    })
  })

  it('names the model when the server does not have it (404)', async () => {
    const {provider} = await setup({
      script: [
        {
          status: 404,
          error: {
            error: {
              message: "model 'llama9' not found, try pulling it first",
              type: 'api_error',
              param: null,
              code: null,
            },
          },
        },
      ],
    })
    const {error} = await collect(provider.stream({system: '', messages: ask('hi'), tools}))
    expect(error).toMatchObject({
      kind: 'not-found',
      message: expect.stringContaining('has no model "gpt-test"'),
      hint: expect.stringContaining('ollama pull'),
    })
  })

  it('never shows the API key in any error', async () => {
    const {provider} = await setup(
      {
        script: [
          {
            status: 400,
            error: {
              error: {
                message: `bad request with Authorization: Bearer ${apiKey}`,
                type: 'invalid_request_error',
                param: null,
                code: null,
              },
            },
          },
          {
            status: 503,
            error: {
              error: {message: `upstream failed for key ${apiKey}`, type: 'server_error', param: null, code: null},
            },
            times: 'always',
          },
        ],
      },
      {maxRetries: 1},
    )
    const failures = [
      await collect(provider.stream({system: '', messages: ask('hi'), tools})),
      await collect(provider.stream({system: '', messages: ask('hi'), tools})),
    ]
    expect(failures[0]?.error).toMatchObject({kind: 'internal'})
    expect(failures[1]?.error).toMatchObject({
      kind: 'connection',
      message: expect.stringContaining('HTTP 503, 2 attempts'),
    })
    for (const {error} of failures) {
      expect(everythingShown(error)).not.toContain(apiKey)
      expect(everythingShown(error)).not.toContain('TESTKEY')
    }
  })
})

describe('JSON-mode fallback for models and servers without tool calling', () => {
  it('switches to JSON mode when the server rejects tools (Ollama 400), remembers it, and reads a tool call from the JSON reply', async () => {
    const {server, provider} = await setup({
      toolsSupported: false,
      script: [
        {text: '{"tool": "plug_ls", "arguments": {"tenant": "acme"}}'},
        {text: '{"reply": "acme runs \\"n8n\\" and gitea.\\nAnything else?"}'},
      ],
      textChunkChars: 4,
    })
    const first = await collect(
      provider.stream({system: 'You are ACHEEVY.', messages: ask("what's running for acme?"), tools}),
    )
    expect(first.error).toBeUndefined()
    expect(first.events[0]).toMatchObject({type: 'notice', message: expect.stringContaining('JSON mode')})
    expect(toolCalls(first.events)).toEqual([{id: expect.any(String), name: 'plug_ls', arguments: {tenant: 'acme'}}])
    expect(textDeltas(first.events)).toEqual([])
    expect(doneEvent(first.events)?.stopReason).toBe('tool-calls')
    expect(provider.toolCallingMode).toBe('json')

    expect(server.requests).toHaveLength(2)
    expect(server.requests[0]?.body.tools).toHaveLength(2)
    const jsonRequest = server.requests[1]!.body
    expect(jsonRequest.tools).toBeUndefined()
    expect(jsonRequest.response_format).toEqual({type: 'json_object'})
    expect(jsonRequest.messages[0].role).toBe('system')
    expect(jsonRequest.messages[0].content).toContain('You are ACHEEVY.')
    expect(jsonRequest.messages[0].content).toContain('- plug_ls: List plug instances')
    expect(jsonRequest.messages[0].content).toContain('{"tool": "<tool name>"')

    const [call] = toolCalls(first.events)
    const history: ChatMessage[] = [
      ...ask("what's running for acme?"),
      {role: 'assistant', content: '', toolCalls: [call!]},
      {role: 'tool', toolCallId: call!.id, name: 'plug_ls', content: '{"instances":["acme/n8n","acme/gitea"]}'},
    ]
    const second = await collect(provider.stream({system: 'You are ACHEEVY.', messages: history, tools}))
    expect(second.error).toBeUndefined()
    expect(second.events.some((event) => event.type === 'notice')).toBe(false)
    // The reply streams as it arrives, decoded, in several pieces.
    expect(textDeltas(second.events).length).toBeGreaterThan(3)
    expect(textDeltas(second.events).join('')).toBe('acme runs "n8n" and gitea.\nAnything else?')
    expect(doneEvent(second.events)?.stopReason).toBe('end')
    // Remembered: no second attempt with tools; history rendered without tool roles.
    expect(server.requests).toHaveLength(3)
    expect(server.requests[2]?.body.tools).toBeUndefined()
    expect(server.requests[2]?.body.messages.slice(1)).toEqual([
      {role: 'user', content: "what's running for acme?"},
      {role: 'assistant', content: '{"tool":"plug_ls","arguments":{"tenant":"acme"}}'},
      {role: 'user', content: `Tool result for plug_ls (call ${call!.id}):\n{"instances":["acme/n8n","acme/gitea"]}`},
    ])
    expect(server.unexpected).toEqual([])
  })

  it('does not retry a llama.cpp-style 500 tools refusal, and drops response_format when that is refused too', async () => {
    const {server, provider} = await setup({
      toolsRejection: {status: 500, message: 'tools param requires --jinja flag'},
      responseFormatSupported: false,
      script: [{text: 'Sure! ```json\n{"name": "plug_up", "arguments": {"plug": "uptime-kuma"}}\n```'}],
    })
    const {events, error} = await collect(provider.stream({system: '', messages: ask('deploy uptime kuma'), tools}))
    expect(error).toBeUndefined()
    expect(toolCalls(events)).toEqual([{id: expect.any(String), name: 'plug_up', arguments: {plug: 'uptime-kuma'}}])
    expect(
      server.requests.map((request) => [request.body.tools !== undefined, request.body.response_format !== undefined]),
    ).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ])
  })

  it('never sends tools when configured for JSON mode, and treats a non-JSON answer as a plain reply', async () => {
    const {server, provider} = await setup({script: [{text: 'I can help with deployments.'}]}, {toolCalling: 'json'})
    const {events} = await collect(provider.stream({system: '', messages: ask('hello'), tools}))
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.body.tools).toBeUndefined()
    expect(textDeltas(events).join('')).toBe('I can help with deployments.')
    expect(toolCalls(events)).toEqual([])
    expect(events.some((event) => event.type === 'notice')).toBe(false)
  })

  it('recognizes tool refusals from real servers, but not schema errors that are aims bugs', () => {
    expect(
      isToolsRejection(400, '{"error":{"message":"registry.ollama.ai/library/gemma:2b does not support tools"}}'),
    ).toBe(true)
    expect(
      isToolsRejection(
        400,
        '{"object":"error","message":"\\"auto\\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set"}',
      ),
    ).toBe(true)
    expect(isToolsRejection(500, '{"error":{"code":500,"message":"tools param requires --jinja flag"}}')).toBe(true)
    expect(
      isToolsRejection(
        422,
        '{"detail":[{"type":"extra_forbidden","loc":["body","tools"],"msg":"Extra inputs are not permitted"}]}',
      ),
    ).toBe(true)
    expect(
      isToolsRejection(
        400,
        "Invalid schema for function 'plug_up': 'strng' is not valid under any of the given schemas",
      ),
    ).toBe(false)
    expect(isToolsRejection(400, "This model's maximum context length is 8192 tokens")).toBe(false)
    expect(isToolsRejection(429, 'does not support tools')).toBe(false)
  })
})
