/**
 * A local server speaking OpenAI's chat completions wire format (and so what
 * Ollama, vLLM and llama.cpp serve): POST /v1/chat/completions streamed as SSE
 * `data: {chat.completion.chunk}` lines — a role chunk, `delta.content` pieces,
 * `delta.tool_calls[index]` with id + function.name first and then argument
 * fragments, a chunk with `finish_reason`, a usage chunk when
 * `stream_options.include_usage` is set — and `data: [DONE]`; or, without
 * `stream: true`, one chat.completion JSON. Errors use OpenAI's shape
 * ({error: {message, type, param, code}}).
 *
 * Server quirks can be switched on to exercise fallbacks:
 *   toolsSupported: false           → a request with `tools` gets Ollama's 400 "… does not support tools"
 *   toolsRejection: {status, message} → another server's wording (vLLM 400, llama.cpp 500)
 *   responseFormatSupported: false  → a request with `response_format` gets a 400
 */
import {randomUUID} from 'node:crypto'
import {
  argumentsText,
  sendJson,
  splitInto,
  splitText,
  startFakeServer,
  writeEvents,
  type FakeContext,
  type FakeLlmServer,
  type FakeServerOptions,
  type FakeTurn,
} from './fake-llm-common.js'

export type {FakeLlmServer, FakeServerOptions, FakeTurn} from './fake-llm-common.js'

export interface FakeOpenAiOptions extends FakeServerOptions {
  toolsSupported?: boolean
  toolsRejection?: {status: number; message: string}
  responseFormatSupported?: boolean
}

const errorTypes: Record<number, {type: string; code: string | null; message: string}> = {
  400: {type: 'invalid_request_error', code: null, message: 'Invalid request'},
  401: {type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.'},
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  429: {type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests'},
  500: {type: 'server_error', code: null, message: 'The server had an error while processing your request.'},
  503: {type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later'},
}

export function openAiError(status: number, message?: string, code?: string | null): unknown {
  const known = errorTypes[status] ?? {type: 'server_error', code: null, message: `error ${status}`}
  return {
    error: {
      message: message ?? known.message,
      type: known.type,
      param: null,
      code: code === undefined ? known.code : code,
    },
  }
}

/** The request problems the real API answers with a 400. */
export function openAiRequestProblems(body: any): string[] {
  const problems: string[] = []
  if (!body || typeof body !== 'object') return ['body must be a JSON object']
  if (typeof body.model !== 'string' || !body.model) problems.push('you must provide a model parameter')
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return [...problems, "'messages' must contain at least one message"]
  for (const [index, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    if (tool?.type !== 'function') problems.push(`tools[${index}].type: expected 'function'`)
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool?.function?.name ?? ''))
      problems.push(`tools[${index}].function.name: string does not match pattern '^[a-zA-Z0-9_-]{1,64}$'`)
    if (tool?.function?.parameters !== undefined && tool.function.parameters?.type !== 'object')
      problems.push(
        `Invalid schema for function '${tool?.function?.name}': schema must be a JSON Schema of 'type: "object"'`,
      )
  }
  if (body.response_format?.type === 'json_object' && !JSON.stringify(body.messages).toLowerCase().includes('json')) {
    problems.push(
      "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    )
  }
  let pending: string[] = []
  body.messages.forEach((message: any, index: number) => {
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(message?.role))
      problems.push(`messages[${index}].role: invalid role ${message?.role}`)
    if (message?.role === 'tool') {
      if (!pending.includes(message.tool_call_id)) {
        problems.push(
          `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (messages[${index}], tool_call_id ${message.tool_call_id})`,
        )
      }
      pending = pending.filter((id) => id !== message.tool_call_id)
      if (typeof message.content !== 'string')
        problems.push(`messages[${index}].content: tool content must be a string`)
      return
    }
    if (pending.length) {
      problems.push(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
      )
      pending = []
    }
    if (message?.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (
          call?.type !== 'function' ||
          typeof call?.function?.name !== 'string' ||
          typeof call?.function?.arguments !== 'string'
        ) {
          problems.push(
            `messages[${index}].tool_calls: each call needs type 'function', function.name and function.arguments (a string)`,
          )
        }
      }
      pending = message.tool_calls.map((call: any) => call?.id)
    } else if (message?.content === undefined || (message.content === null && message.role !== 'assistant')) {
      problems.push(`messages[${index}].content: Field required`)
    }
  })
  if (pending.length) {
    problems.push(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
    )
  }
  return problems
}

const data = (payload: unknown) => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`

function finishReasonOf(turn: FakeTurn): string {
  return turn.stopReason ?? (turn.toolCalls?.length ? 'tool_calls' : 'stop')
}

function requestKey(context: FakeContext): string | undefined {
  return /^Bearer (.+)$/.exec(context.request.headers.authorization ?? '')?.[1]
}

function handler(options: FakeOpenAiOptions) {
  return async (context: FakeContext): Promise<void> => {
    const {request, response} = context
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      context.problem(`unexpected ${request.method} ${request.path}`)
      sendJson(response, 404, openAiError(404, `Invalid URL (${request.method} ${request.path})`, null))
      return
    }
    if (options.apiKey !== undefined && requestKey(context) !== options.apiKey) {
      // The real API echoes (part of) the key it rejected; this fake echoes all of it,
      // so tests prove aims never shows what a server sends back.
      sendJson(
        response,
        401,
        openAiError(
          401,
          `Incorrect API key provided: ${requestKey(context) ?? '(none)'}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        ),
      )
      return
    }
    const body = request.body
    if (body?.tools !== undefined && (options.toolsSupported === false || options.toolsRejection)) {
      const rejection = options.toolsRejection ?? {
        status: 400,
        message: `registry.ollama.ai/library/${body.model}:latest does not support tools`,
      }
      sendJson(response, rejection.status, {
        error: {message: rejection.message, type: 'api_error', param: null, code: null},
      })
      return
    }
    if (body?.response_format !== undefined && options.responseFormatSupported === false) {
      sendJson(response, 400, openAiError(400, 'Unrecognized request argument supplied: response_format'))
      return
    }
    if (options.strict !== false) {
      const problems = openAiRequestProblems(body)
      if (problems.length) {
        context.problem(problems.join('; '))
        sendJson(response, 400, openAiError(400, problems.join('; ')))
        return
      }
    }
    const turn = context.nextTurn()
    if (!turn) {
      const text = context.problem('no scripted response left')
      sendJson(response, 500, openAiError(500, `fake server: ${text} for request #${request.index}`))
      return
    }
    if (turn.delayMs && !(await context.wait(turn.delayMs))) return
    if (turn.status !== undefined) {
      sendJson(response, turn.status, turn.error ?? openAiError(turn.status), {
        'x-request-id': `req_fake_${request.index}`,
        ...turn.headers,
      })
      return
    }

    const model = body?.model ?? 'gpt-fake'
    const texts =
      turn.text === undefined
        ? []
        : Array.isArray(turn.text)
          ? turn.text
          : splitText(turn.text, options.textChunkChars ?? 5)
    const calls = (turn.toolCalls ?? []).map((call) => ({
      ...call,
      id: call.id ?? `call_fake${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    }))
    const id = `chatcmpl-fake${randomUUID().replace(/-/g, '').slice(0, 20)}`
    const created = Math.floor(Date.now() / 1000)
    const usage = {
      prompt_tokens: turn.usage?.input ?? 25,
      completion_tokens: turn.usage?.output ?? 10,
      total_tokens: (turn.usage?.input ?? 25) + (turn.usage?.output ?? 10),
    }

    if (body?.stream !== true) {
      const message = {
        role: 'assistant',
        content: texts.length ? texts.join('') : null,
        refusal: null,
        ...(calls.length
          ? {
              tool_calls: calls.map((call) => ({
                id: call.id,
                type: 'function',
                function: {name: call.name, arguments: argumentsText(call)},
              })),
            }
          : {}),
      }
      sendJson(
        response,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{index: 0, message, logprobs: null, finish_reason: finishReasonOf(turn)}],
          usage,
          system_fingerprint: 'fp_fake',
        },
        {'x-request-id': `req_fake_${request.index}`, ...turn.headers},
      )
      return
    }

    const chunk = (delta: unknown, finishReason: string | null = null) =>
      data({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason}],
      })
    const events: string[] = [chunk({role: 'assistant', content: '', refusal: null})]
    for (const text of texts) events.push(chunk({content: text}))
    calls.forEach((call, index) => {
      events.push(
        chunk({tool_calls: [{index, id: call.id, type: 'function', function: {name: call.name, arguments: ''}}]}),
      )
      for (const fragment of splitInto(argumentsText(call), call.argumentChunks ?? 3))
        events.push(chunk({tool_calls: [{index, function: {arguments: fragment}}]}))
    })
    events.push(chunk({}, finishReasonOf(turn)))
    if (body?.stream_options?.include_usage)
      events.push(
        data({id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [], usage}),
      )
    events.push(data('[DONE]'))
    await writeEvents(context, turn, events, {'x-request-id': `req_fake_${request.index}`})
  }
}

export function startFakeOpenAI(options: FakeOpenAiOptions = {}): Promise<FakeLlmServer> {
  return startFakeServer('openai', options, handler(options))
}
