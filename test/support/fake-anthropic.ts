/**
 * A local server speaking Anthropic's Messages API wire format:
 * POST /v1/messages, streamed as SSE (message_start, ping, content_block_start
 * text/tool_use, content_block_delta text_delta/input_json_delta,
 * content_block_stop, message_delta with stop_reason and usage, message_stop)
 * or, without `stream: true`, one JSON message. Errors use the API's shape
 * ({type: 'error', error: {type, message}}) and a request-id header.
 *
 *   const server = await startFakeAnthropic({script: [{text: 'Hello'}, {toolCalls: [{name: 'plug_ls', arguments: {}}]}]})
 *   new Anthropic({baseURL: server.url, apiKey: 'test'}) …; server.requests[0].body.messages …
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

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
}

const defaultMessages: Record<number, string> = {
  400: 'invalid request',
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'Not found',
  429: 'Number of request tokens has exceeded your per-minute rate limit',
  500: 'Internal server error',
  529: 'Overloaded',
}

export function anthropicError(status: number, message?: string): unknown {
  return {
    type: 'error',
    error: {type: errorTypes[status] ?? 'api_error', message: message ?? defaultMessages[status] ?? `error ${status}`},
    request_id: `req_fake_${status}`,
  }
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** The request problems the real API answers with a 400 (the ones aims could plausibly cause). */
export function anthropicRequestProblems(body: any): string[] {
  const problems: string[] = []
  if (!body || typeof body !== 'object') return ['body must be a JSON object']
  if (typeof body.model !== 'string' || !body.model) problems.push('model: Field required')
  if (typeof body.max_tokens !== 'number') problems.push('max_tokens: Field required')
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return [...problems, 'messages: at least one message is required']
  if (body.messages[0]?.role !== 'user') problems.push('messages.0.role: the first message must use the "user" role')
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    problems.push('system: must be a string or a list of text blocks')
  for (const [index, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool?.name ?? ''))
      problems.push(`tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`)
    if (tool?.input_schema?.type !== 'object')
      problems.push(`tools.${index}.input_schema.type: Input should be 'object'`)
  }
  body.messages.forEach((message: any, index: number) => {
    if (message?.role !== 'user' && message?.role !== 'assistant')
      problems.push(`messages.${index}.role: Input should be 'user' or 'assistant'`)
    const blocks: any[] =
      typeof message?.content === 'string'
        ? [{type: 'text', text: message.content}]
        : Array.isArray(message?.content)
          ? message.content
          : []
    if (blocks.length === 0) problems.push(`messages.${index}: all messages must have non-empty content`)
    for (const block of blocks)
      if (block?.type === 'text' && !block.text)
        problems.push(`messages.${index}: text content blocks must be non-empty`)
    const toolUses = blocks.filter((block) => block?.type === 'tool_use')
    if (message?.role === 'user' && toolUses.length)
      problems.push(`messages.${index}: tool_use blocks are only allowed in assistant messages`)
    const results = blocks.filter((block) => block?.type === 'tool_result')
    if (message?.role === 'assistant' && results.length)
      problems.push(`messages.${index}: tool_result blocks are only allowed in user messages`)
    if (results.length) {
      const firstOther = blocks.findIndex((block) => block?.type !== 'tool_result')
      if (firstOther !== -1 && blocks.slice(firstOther).some((block) => block?.type === 'tool_result')) {
        problems.push(`messages.${index}: tool_result blocks must come before any other content`)
      }
      const previous = body.messages[index - 1]
      const previousIds = new Set(
        (Array.isArray(previous?.content) ? previous.content : [])
          .filter((block: any) => block?.type === 'tool_use')
          .map((block: any) => block.id),
      )
      for (const result of results) {
        if (!previousIds.has(result.tool_use_id))
          problems.push(
            `messages.${index}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${result.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          )
      }
    }
    if (message?.role === 'assistant' && toolUses.length) {
      const next = body.messages[index + 1]
      const answered = new Set(
        (Array.isArray(next?.content) ? next.content : [])
          .filter((block: any) => block?.type === 'tool_result')
          .map((block: any) => block.tool_use_id),
      )
      const missing = toolUses.filter((block) => !answered.has(block.id)).map((block) => block.id)
      if (next?.role !== 'user' || missing.length) {
        problems.push(
          `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        )
      }
      for (const block of toolUses)
        if (!block.input || typeof block.input !== 'object' || Array.isArray(block.input))
          problems.push(`messages.${index}: tool_use.input must be an object`)
    }
  })
  return problems
}

function requestKey(context: FakeContext): string | undefined {
  const headers = context.request.headers
  if (headers['x-api-key']) return headers['x-api-key']
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')
  return bearer?.[1]
}

const nextId = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 24)}`

function stopReasonOf(turn: FakeTurn): string {
  return turn.stopReason ?? (turn.toolCalls?.length ? 'tool_use' : 'end_turn')
}

async function handle(context: FakeContext): Promise<void> {
  const {request, response, options} = context
  if (request.method !== 'POST' || request.path !== '/v1/messages') {
    context.problem(`unexpected ${request.method} ${request.path}`)
    sendJson(response, 404, anthropicError(404, `Not found: ${request.method} ${request.path}`))
    return
  }
  if (options.apiKey !== undefined && requestKey(context) !== options.apiKey) {
    sendJson(response, 401, anthropicError(401), {'request-id': 'req_fake_401'})
    return
  }
  if (options.strict !== false) {
    const problems = anthropicRequestProblems(request.body)
    if (problems.length) {
      context.problem(problems.join('; '))
      sendJson(response, 400, anthropicError(400, problems.join('; ')), {'request-id': 'req_fake_400'})
      return
    }
  }
  const turn = context.nextTurn()
  if (!turn) {
    const text = context.problem('no scripted response left')
    sendJson(response, 500, anthropicError(500, `fake server: ${text} for request #${request.index}`))
    return
  }
  if (turn.delayMs && !(await context.wait(turn.delayMs))) return
  if (turn.status !== undefined) {
    sendJson(response, turn.status, turn.error ?? anthropicError(turn.status), {
      'request-id': `req_fake_${request.index}`,
      ...turn.headers,
    })
    return
  }

  const model = request.body?.model ?? 'claude-fake'
  const texts =
    turn.text === undefined
      ? []
      : Array.isArray(turn.text)
        ? turn.text
        : splitText(turn.text, options.textChunkChars ?? 5)
  const calls = (turn.toolCalls ?? []).map((call) => ({...call, id: call.id ?? nextId('toolu_fake')}))
  const usage = {input_tokens: turn.usage?.input ?? 25, output_tokens: turn.usage?.output ?? 10}
  const messageId = nextId('msg_fake')

  if (request.body?.stream !== true) {
    const content = [
      ...(texts.length ? [{type: 'text', text: texts.join('')}] : []),
      ...calls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: JSON.parse(argumentsText(call) || '{}'),
      })),
    ]
    sendJson(
      response,
      200,
      {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReasonOf(turn),
        stop_sequence: null,
        usage,
      },
      {'request-id': `req_fake_${request.index}`, ...turn.headers},
    )
    return
  }

  const events: string[] = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {input_tokens: usage.input_tokens, output_tokens: 1},
      },
    }),
    sse('ping', {type: 'ping'}),
  ]
  if (turn.streamError) {
    events.push(sse('error', {type: 'error', error: turn.streamError}))
    await writeEvents(context, turn, events, {'request-id': `req_fake_${request.index}`})
    return
  }
  let index = 0
  if (texts.length) {
    events.push(
      sse('content_block_start', {type: 'content_block_start', index, content_block: {type: 'text', text: ''}}),
    )
    for (const text of texts)
      events.push(sse('content_block_delta', {type: 'content_block_delta', index, delta: {type: 'text_delta', text}}))
    events.push(sse('content_block_stop', {type: 'content_block_stop', index}))
    index++
  }
  for (const call of calls) {
    events.push(
      sse('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: {type: 'tool_use', id: call.id, name: call.name, input: {}},
      }),
    )
    // The real API opens with an empty fragment, then sends the JSON in pieces.
    for (const partial of ['', ...splitInto(argumentsText(call), call.argumentChunks ?? 3)]) {
      events.push(
        sse('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: {type: 'input_json_delta', partial_json: partial},
        }),
      )
    }
    events.push(sse('content_block_stop', {type: 'content_block_stop', index}))
    index++
  }
  events.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: {stop_reason: stopReasonOf(turn), stop_sequence: null},
      usage: {output_tokens: usage.output_tokens},
    }),
  )
  events.push(sse('message_stop', {type: 'message_stop'}))
  await writeEvents(context, turn, events, {'request-id': `req_fake_${request.index}`})
}

export function startFakeAnthropic(options: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return startFakeServer('anthropic', options, handle)
}
