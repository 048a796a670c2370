/**
 * What the fake Anthropic and OpenAI servers share: a node:http server on a
 * free loopback port, a script of turns served one per request, and a record of
 * every request (headers and parsed body) for assertions.
 *
 * The fakes fail loudly: a request when the script is empty, a path they do not
 * serve, or a request the real API would refuse (tool results not matching tool
 * calls, and so on) gets an error response *and* lands in `unexpected`, which
 * tests should check is empty.
 *
 * This file and its siblings run both under Vitest and directly under
 * `node` (type stripping): no enums, no parameter properties.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface FakeToolCall {
  /** Default: a realistic id (`toolu_fake…` / `call_fake…`). */
  id?: string
  name: string
  /** An object is serialized; a string is sent as-is (to script malformed JSON). */
  arguments: Record<string, unknown> | string
  /** How many fragments the arguments JSON is split into on the wire (default 3). */
  argumentChunks?: number
}

export interface FakeTurn {
  /** Reply text: a string is cut into chunks of `textChunkChars`; an array is sent as those exact deltas. */
  text?: string | string[]
  toolCalls?: FakeToolCall[]
  /** Wire stop reason (`end_turn`, `tool_use`, `max_tokens` / `stop`, `tool_calls`, `length`); inferred when absent. */
  stopReason?: string
  usage?: {input?: number; output?: number}
  /** Answer with this HTTP status and error body instead of a reply. */
  status?: number
  /** Error body (default: the API's own error shape for the status). */
  error?: unknown
  /** Extra response headers (e.g. retry-after). */
  headers?: Record<string, string>
  /** Wait before sending response headers (to force client timeouts). */
  delayMs?: number
  /** Wait between stream events. */
  eventDelayMs?: number
  /** Send this many stream events, then hold the connection open without a word. */
  stallAfterEvents?: number
  /** Send this many stream events, then cut the connection. */
  dropAfterEvents?: number
  /** Anthropic only: send an `event: error` (e.g. overloaded_error) after message_start. */
  streamError?: {type: string; message: string}
  /** Serve this turn for this many requests (default 1); 'always' never runs out. */
  times?: number | 'always'
}

export interface RecordedRequest {
  index: number
  method: string
  path: string
  headers: Record<string, string>
  body: any
  rawBody: string
  receivedAt: number
}

export interface FakeServerOptions {
  script?: FakeTurn[]
  /** When set, requests without this key get the API's real 401. */
  apiKey?: string
  /** Chunk size for string texts (default 5 characters). */
  textChunkChars?: number
  /** Validate requests like the real API (default true). */
  strict?: boolean
  /** Fixed port (default 0: any free port). */
  port?: number
  /** Called with each request as it is recorded (the standalone CLI writes them to a file). */
  onRequest?: (request: RecordedRequest) => void
}

export interface FakeLlmServer {
  readonly kind: 'anthropic' | 'openai'
  /** What a client uses as its base URL (Anthropic: the origin; OpenAI: origin + /v1). */
  readonly url: string
  readonly origin: string
  readonly requests: RecordedRequest[]
  /** Problems the fake saw (unscripted requests, requests the real API would refuse). */
  readonly unexpected: string[]
  enqueue(...turns: FakeTurn[]): void
  /** Turns not served yet ('always' turns count once). */
  remaining(): number
  close(): Promise<void>
}

export interface FakeContext {
  request: RecordedRequest
  response: ServerResponse
  options: FakeServerOptions
  /** Takes the next scripted turn, or undefined when the script is empty. */
  nextTurn(): FakeTurn | undefined
  /** Records a problem and returns its text. */
  problem(text: string): string
  /** Resolves after `ms`, or early (false) when the client has gone. */
  wait(ms: number): Promise<boolean>
  clientGone(): boolean
}

export type FakeHandler = (context: FakeContext) => Promise<void>

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function splitText(text: string, size: number): string[] {
  const pieces: string[] = []
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size))
  return pieces
}

/** Cuts a string into `count` contiguous, roughly equal, non-empty pieces. */
export function splitInto(text: string, count: number): string[] {
  const parts = Math.max(1, Math.min(count, text.length))
  const size = Math.ceil(text.length / parts)
  return splitText(text, size)
}

export function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  })
  response.end(text)
}

/**
 * Writes SSE events one by one, honouring the turn's delays, stalls and drops.
 * Each item is the full text of one event (`event: …\ndata: …\n\n`).
 */
export async function writeEvents(
  context: FakeContext,
  turn: FakeTurn,
  events: string[],
  headers: Record<string, string> = {},
): Promise<void> {
  const {response} = context
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
    ...turn.headers,
  })
  response.flushHeaders()
  for (const [index, event] of events.entries()) {
    if (turn.stallAfterEvents !== undefined && index >= turn.stallAfterEvents) return // held open; closed by close()
    if (turn.dropAfterEvents !== undefined && index >= turn.dropAfterEvents) {
      response.destroy()
      return
    }
    if (index > 0 && turn.eventDelayMs) {
      if (!(await context.wait(turn.eventDelayMs))) return
    }
    if (context.clientGone()) return
    response.write(event)
  }
  response.end()
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFakeServer(
  kind: 'anthropic' | 'openai',
  options: FakeServerOptions,
  handler: FakeHandler,
): Promise<FakeLlmServer> {
  const queue: FakeTurn[] = [...(options.script ?? [])]
  const requests: RecordedRequest[] = []
  const unexpected: string[] = []

  const nextTurn = (): FakeTurn | undefined => {
    const turn = queue[0]
    if (!turn) return undefined
    if (turn.times === 'always') return turn
    const times = turn.times ?? 1
    if (times <= 1) queue.shift()
    else queue[0] = {...turn, times: times - 1}
    return turn
  }

  const server: Server = createServer((incoming, response) => {
    void (async () => {
      const rawBody = await readBody(incoming)
      let body: unknown
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined
      } catch {
        body = undefined
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(incoming.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '')
      const recorded: RecordedRequest = {
        index: requests.length,
        method: incoming.method ?? 'GET',
        path: (incoming.url ?? '/').split('?')[0]!,
        headers,
        body,
        rawBody,
        receivedAt: Date.now(),
      }
      requests.push(recorded)
      options.onRequest?.(recorded)
      let gone = false
      response.on('close', () => {
        gone = true
      })
      const context: FakeContext = {
        request: recorded,
        response,
        options,
        nextTurn,
        problem(text) {
          unexpected.push(`request #${recorded.index} ${recorded.method} ${recorded.path}: ${text}`)
          return text
        },
        wait(ms) {
          return new Promise((resolve) => {
            if (gone) return resolve(false)
            const onClose = () => {
              clearTimeout(timer)
              resolve(false)
            }
            const timer = setTimeout(() => {
              response.off('close', onClose)
              resolve(!gone)
            }, ms)
            response.once('close', onClose)
          })
        },
        clientGone: () => gone,
      }
      await handler(context)
    })().catch((error: unknown) => {
      unexpected.push(`fake ${kind} server crashed: ${(error as Error).stack ?? String(error)}`)
      if (!response.headersSent)
        sendJson(response, 500, {error: {message: `fake server crashed: ${(error as Error).message}`}})
      else response.destroy()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`

  return {
    kind,
    url: kind === 'openai' ? `${origin}/v1` : origin,
    origin,
    requests,
    unexpected,
    enqueue: (...turns) => {
      queue.push(...turns)
    },
    remaining: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
