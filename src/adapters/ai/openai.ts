/**
 * ChatProvider over OpenAI chat completions (`openai` SDK), streaming, for
 * api.openai.com and any OpenAI-compatible server (Ollama, vLLM, llama.cpp,
 * LM Studio). Loaded only through the factory's dynamic import.
 *
 * Native tool calling: tools go out as `tools: [{type: 'function', …}]`; the
 * stream's `delta.tool_calls[]` fragments (id and name first, then argument
 * pieces) are assembled per `index` and emitted as `tool-call` events when the
 * turn finishes, after its text.
 *
 * JSON mode, for models and servers without tool calling: used when configured
 * (`toolCalling: 'json'`) or once a server refuses the `tools` parameter (a
 * 400/422, or the 500 llama.cpp sends without --jinja), remembered for the life
 * of this provider (the chat session). The tools are then described in the
 * system prompt, `response_format: json_object` is asked for (dropped, and
 * remembered, if the server refuses that too), tool history is rendered as
 * plain messages, and the streamed answer is read by JsonModeAnswerReader:
 * `{"reply": …}` text streams as it arrives, a `{"tool": …}` becomes a tool-call.
 */
import OpenAI from 'openai'
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'
import {AimsError} from '../../core/errors.js'
import {pairToolResults} from '../../core/ai/history.js'
import {
  jsonModeCallText,
  jsonModeInstructions,
  jsonModeResultText,
  JsonModeAnswerReader,
} from '../../core/ai/json-mode.js'
import {
  isValidToolName,
  type ChatMessage,
  type ChatProvider,
  type ChatRequest,
  type ProviderEvent,
  type StopReason,
  type ToolCall,
  type ToolSpec,
  type TokenUsage,
} from '../../core/ai/types.js'
import {providerFailure, type ProviderErrorContext} from './provider-errors.js'
import {RequestGuard} from './request-guard.js'

export interface OpenAiProviderOptions {
  /** 'openai' for api.openai.com, 'openai-compatible' for anything else (changes defaults, labels and hints). */
  flavor: 'openai' | 'openai-compatible'
  /** Undefined for a keyless local server: no Authorization header is sent then. */
  apiKey?: string | undefined
  apiKeyEnv?: string | undefined
  model: string
  /** Default https://api.openai.com/v1 (the SDK appends /chat/completions). */
  baseUrl?: string | undefined
  /** 'json' never sends `tools` (models without tool calling). Default 'native'. */
  toolCalling?: 'native' | 'json' | undefined
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  maxRetryWaitMs?: number | undefined
  sdkLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off' | undefined
}

export const openAiDefaultBaseUrl = 'https://api.openai.com/v1'

export function toOpenAiTools(tools: readonly ToolSpec[]): ChatCompletionTool[] {
  return tools.map((tool) => {
    if (!isValidToolName(tool.name))
      throw new AimsError('internal', `tool name ${JSON.stringify(tool.name)} is not valid for the OpenAI API`, {
        hint: 'tool names match ^[a-zA-Z0-9_-]{1,64}$',
      })
    return {type: 'function', function: {name: tool.name, description: tool.description, parameters: tool.parameters}}
  })
}

/**
 * A tool result's content for the wire. OpenAI has no error flag on tool
 * messages, so a failure is made explicit in the content itself.
 */
export function toolResultContent(message: Extract<ChatMessage, {role: 'tool'}>): string {
  if (!message.isError) return message.content
  try {
    const parsed: unknown = JSON.parse(message.content)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'error' in parsed) return message.content
    return JSON.stringify({error: parsed})
  } catch {
    return JSON.stringify({error: message.content})
  }
}

/** ChatMessage history → chat.completions messages with native tool calls. */
export function toOpenAiMessages(system: string, messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const wire: ChatCompletionMessageParam[] = system ? [{role: 'system', content: system}] : []
  for (const message of pairToolResults(messages)) {
    if (message.role === 'user') wire.push({role: 'user', content: message.content})
    else if (message.role === 'tool')
      wire.push({role: 'tool', tool_call_id: message.toolCallId, content: toolResultContent(message)})
    else if (message.toolCalls?.length) {
      wire.push({
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: {name: call.name, arguments: JSON.stringify(call.arguments)},
        })),
      })
    } else wire.push({role: 'assistant', content: message.content})
  }
  return wire
}

/** ChatMessage history → plain messages for JSON mode (no tool roles on the wire). */
export function toJsonModeMessages(
  system: string,
  messages: readonly ChatMessage[],
  tools: readonly ToolSpec[],
): ChatCompletionMessageParam[] {
  const instructions = tools.length > 0 ? jsonModeInstructions(tools) : ''
  const fullSystem = [system, instructions].filter(Boolean).join('\n\n')
  const wire: ChatCompletionMessageParam[] = fullSystem ? [{role: 'system', content: fullSystem}] : []
  for (const message of pairToolResults(messages)) {
    if (message.role === 'user') wire.push({role: 'user', content: message.content})
    else if (message.role === 'tool')
      wire.push({role: 'user', content: jsonModeResultText({...message, content: toolResultContent(message)})})
    else if (message.toolCalls?.length)
      wire.push({role: 'assistant', content: message.toolCalls.map(jsonModeCallText).join('\n')})
    else
      wire.push({
        role: 'assistant',
        content: tools.length > 0 ? JSON.stringify({reply: message.content}) : message.content,
      })
  }
  return wire
}

/**
 * Whether an error response means "this server does not do tool calling" (and
 * not, say, that one of our schemas is wrong). Seen in the wild: Ollama "…does
 * not support tools" (400), vLLM "auto" tool choice requires
 * --enable-auto-tool-choice (400), llama.cpp "tools param requires --jinja"
 * (500), strict servers rejecting the unknown field (400/422).
 */
export function isToolsRejection(status: number, body: string): boolean {
  if (![400, 404, 422, 500, 501].includes(status)) return false
  if (/invalid schema|invalid_function_parameters|is not valid under any of the given schemas/i.test(body)) return false
  return /does not support tools|tools? (?:is|are) not supported|not support(?:ed)? (?:for )?tool|tool[_ ]?choice|tool[_ ]?call(?:ing|s)? (?:is |are )?not|--jinja|enable-auto-tool-choice|tool-call-parser|unrecognized.{0,40}\btools\b|unknown.{0,40}\btools\b|\btools\b.{0,40}(?:not permitted|not allowed|unexpected|extra)|extra (?:inputs|fields).{0,80}\btools\b/i.test(
    body,
  )
}

export function isResponseFormatRejection(status: number, body: string): boolean {
  return [400, 422, 500, 501].includes(status) && /response_format|json_object|json mode/i.test(body)
}

function finishReasonOf(reason: string | undefined, sawToolCall: boolean): StopReason {
  if (reason === 'length') return 'max-tokens'
  if (sawToolCall || reason === 'tool_calls' || reason === 'function_call') return 'tool-calls'
  if (reason === 'stop') return 'end'
  return 'other'
}

function readArguments(text: string): Pick<ToolCall, 'arguments' | 'argumentsError'> {
  if (text.trim() === '') return {arguments: {}}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return {arguments: parsed as Record<string, unknown>}
    return {arguments: {}, argumentsError: `the function arguments were not a JSON object: ${text.slice(0, 200)}`}
  } catch (error) {
    return {
      arguments: {},
      argumentsError: `the function arguments were not valid JSON (${(error as Error).message}): ${text.slice(0, 200)}`,
    }
  }
}

interface PartialCall {
  order: number
  id?: string
  name: string
  args: string
}

/** Joins `delta.tool_calls` fragments by index (by id, or onto the last call, for servers that omit index). */
export class ToolCallAssembler {
  private readonly calls = new Map<string, PartialCall>()
  private lastKey: string | undefined

  add(fragment: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const raw = fragment as ChatCompletionChunk.Choice.Delta.ToolCall & {function?: {arguments?: unknown}}
    let key: string
    if (typeof raw.index === 'number') key = `#${raw.index}`
    else if (raw.id && !this.calls.has(`@${raw.id}`) && raw.function?.name) key = `@${raw.id}`
    else if (raw.id && this.calls.has(`@${raw.id}`)) key = `@${raw.id}`
    else key = this.lastKey ?? '#0'
    const call = this.calls.get(key) ?? {order: this.calls.size, name: '', args: ''}
    this.calls.set(key, call)
    this.lastKey = key
    if (raw.id) call.id = raw.id
    if (raw.function?.name)
      call.name = call.name && call.name !== raw.function.name ? call.name + raw.function.name : raw.function.name
    const args = raw.function?.arguments
    if (typeof args === 'string') call.args += args
    else if (args && typeof args === 'object') call.args += JSON.stringify(args) // some servers send an object
  }

  get size(): number {
    return this.calls.size
  }

  finish(idPrefix: string): ToolCall[] {
    return [...this.calls.values()]
      .sort((a, b) => a.order - b.order)
      .map((call, index) => ({id: call.id || `${idPrefix}${index}`, name: call.name, ...readArguments(call.args)}))
  }
}

class ToolsRejected extends Error {}
class ResponseFormatRejected extends Error {}

export class OpenAiChatProvider implements ChatProvider {
  readonly name: 'openai' | 'openai-compatible'
  readonly model: string
  private readonly options: OpenAiProviderOptions
  private readonly baseUrl: string
  /** Session memory: the server refused `tools` once, so JSON mode from now on. */
  private toolMode: 'native' | 'json'
  /** Session memory: the server refused `response_format`. */
  private responseFormatRefused = false
  private callCounter = 0

  constructor(options: OpenAiProviderOptions) {
    this.options = options
    this.name = options.flavor
    this.model = options.model
    this.baseUrl = (options.baseUrl ?? openAiDefaultBaseUrl).replace(/\/+$/, '')
    this.toolMode = options.toolCalling ?? 'native'
  }

  /** 'json' after a server refused tool calling (or when configured so). */
  get toolCallingMode(): 'native' | 'json' {
    return this.toolMode
  }

  async *stream(request: ChatRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    if (this.toolMode === 'native' || request.tools.length === 0) {
      try {
        yield* this.streamOnce(request, 'native')
        return
      } catch (error) {
        if (!(error instanceof ToolsRejected)) throw error
        this.toolMode = 'json'
        yield {
          type: 'notice',
          message:
            `${this.label()} does not support tool calling for model ${this.model}; ACHEEVY switches to JSON ` +
            `mode for this session (tools described in the prompt)`,
        }
      }
    }
    try {
      yield* this.streamOnce(request, 'json')
    } catch (error) {
      if (!(error instanceof ResponseFormatRejected)) throw error
      this.responseFormatRefused = true
      yield* this.streamOnce(request, 'json')
    }
  }

  private label(): string {
    return this.options.flavor === 'openai' && this.baseUrl === openAiDefaultBaseUrl
      ? 'the OpenAI API'
      : `the ${this.options.flavor === 'openai' ? 'OpenAI API' : 'OpenAI-compatible server'} at ${this.baseUrl}`
  }

  private body(request: ChatRequest, mode: 'native' | 'json'): ChatCompletionCreateParamsStreaming {
    const json = mode === 'json' && request.tools.length > 0
    const body: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      stream: true,
      messages:
        mode === 'native'
          ? toOpenAiMessages(request.system, request.messages)
          : toJsonModeMessages(request.system, request.messages, request.tools),
    }
    if (mode === 'native' && request.tools.length > 0) body.tools = toOpenAiTools(request.tools)
    if (json && !this.responseFormatRefused) body.response_format = {type: 'json_object'}
    if (this.options.flavor === 'openai') {
      body.stream_options = {include_usage: true}
      if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens
    } else if (request.maxTokens !== undefined) {
      // Local servers know max_tokens; max_completion_tokens is newer and not everywhere.
      body.max_tokens = request.maxTokens
    }
    return body
  }

  private async *streamOnce(
    request: ChatRequest,
    mode: 'native' | 'json',
  ): AsyncGenerator<ProviderEvent, void, undefined> {
    const timeoutMs = this.options.timeoutMs ?? 60_000
    const body = this.body(request, mode)
    const sendsTools = body.tools !== undefined
    const sendsResponseFormat = body.response_format !== undefined
    const guard = new RequestGuard({
      timeoutMs,
      maxRetryWaitMs: this.options.maxRetryWaitMs ?? 30_000,
      callerSignal: request.signal,
      // Retrying a server that cannot do tools (llama.cpp answers 500) only wastes seconds.
      isPermanentFailure: (status, text) =>
        (sendsTools && isToolsRejection(status, text)) ||
        (sendsResponseFormat && isResponseFormatRejection(status, text)),
    })
    const context: ProviderErrorContext = {
      provider: this.options.flavor,
      label: this.label(),
      baseUrl: this.baseUrl,
      model: this.model,
      apiKeyEnv: this.options.apiKey ? this.options.apiKeyEnv : undefined,
      secrets: this.options.apiKey ? [this.options.apiKey] : [],
      guard,
    }
    try {
      const client = new OpenAI({
        // The SDK refuses to start without a key; a keyless server gets a placeholder that is then removed.
        apiKey: this.options.apiKey ?? 'no-key',
        baseURL: this.baseUrl,
        organization: null,
        project: null,
        timeout: timeoutMs + 5_000, // backstop: the guard's watchdog is the real timeout
        maxRetries: this.options.maxRetries ?? 2,
        fetch: guard.fetch,
        logLevel: this.options.sdkLogLevel ?? 'off',
        ...(this.options.apiKey ? {} : {defaultHeaders: {Authorization: null}}),
      })

      let chunks: AsyncIterable<ChatCompletionChunk>
      try {
        chunks = await client.chat.completions.create(body, {signal: guard.signal})
      } catch (error) {
        const status = (error as {status?: unknown}).status
        const text = guard.lastErrorBody ?? ''
        if (typeof status === 'number' && !guard.timedOut && !guard.callerAborted) {
          if (sendsTools && isToolsRejection(status, text)) throw new ToolsRejected()
          if (sendsResponseFormat && isResponseFormatRejection(status, text)) throw new ResponseFormatRejected()
        }
        throw providerFailure(error, context)
      }

      const assembler = new ToolCallAssembler()
      const reader = mode === 'json' && request.tools.length > 0 ? new JsonModeAnswerReader() : undefined
      let finishReason: string | undefined
      const usage: TokenUsage = {}
      try {
        for await (const chunk of chunks) {
          guard.progress()
          if (chunk.usage) {
            usage.inputTokens = chunk.usage.prompt_tokens
            usage.outputTokens = chunk.usage.completion_tokens
          }
          const choice = chunk.choices?.[0]
          if (!choice) continue
          const delta = choice.delta ?? {}
          const text =
            typeof delta.content === 'string' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : ''
          for (const fragment of delta.tool_calls ?? []) assembler.add(fragment)
          if (choice.finish_reason) finishReason = choice.finish_reason
          const shown = text && reader ? reader.push(text) : text
          if (shown) {
            guard.holdForConsumer()
            yield {type: 'text', delta: shown}
            guard.progress()
          }
        }
      } catch (error) {
        throw providerFailure(error, context)
      }
      // The SDK ends the iteration quietly when the request is aborted.
      if (guard.timedOut || guard.callerAborted) throw providerFailure(undefined, context)
      if (finishReason === undefined) {
        throw new AimsError('connection', `${context.label} closed the stream before the reply was complete`, {
          hint: 'try again',
          details: {provider: this.options.flavor},
        })
      }

      guard.stop()
      const prefix = `call_aims_${Date.now().toString(36)}_${this.callCounter++}_`
      const calls = assembler.finish(prefix)
      if (reader) {
        const answer = reader.finish()
        if (answer.remainingText) yield {type: 'text', delta: answer.remainingText}
        calls.push(...answer.calls.map((call, index) => ({id: `${prefix}json${index}`, ...call})))
      }
      for (const call of calls) yield {type: 'tool-call', call}
      yield {
        type: 'done',
        stopReason: finishReasonOf(finishReason, calls.length > 0),
        ...(usage.inputTokens !== undefined || usage.outputTokens !== undefined ? {usage} : {}),
      }
    } finally {
      guard.stop()
    }
  }
}
