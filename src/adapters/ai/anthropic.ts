/**
 * ChatProvider over Anthropic's Messages API (@anthropic-ai/sdk), streaming,
 * with native tool use. Loaded only through the factory's dynamic import.
 *
 * Wire mapping:
 *   assistant text + toolCalls → one assistant message: a text block, then tool_use blocks
 *   tool results              → user message of tool_result blocks (is_error kept)
 *   consecutive same-role messages merge into one (the API wants alternating roles),
 *   with tool_result blocks first in a user message, as the API requires.
 * Stream events: text_delta → `text` at once; input_json_delta fragments are
 * joined per content block and parsed at content_block_stop → `tool-call`;
 * message_delta's stop_reason and usage → the final `done`.
 */
import Anthropic from '@anthropic-ai/sdk'
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from '@anthropic-ai/sdk/resources/messages/messages'
import {AimsError} from '../../core/errors.js'
import {pairToolResults} from '../../core/ai/history.js'
import {
  isValidToolName,
  type ChatMessage,
  type ChatProvider,
  type ChatRequest,
  type ProviderEvent,
  type StopReason,
  type ToolCall,
  type ToolSpec,
} from '../../core/ai/types.js'
import {providerFailure, type ProviderErrorContext} from './provider-errors.js'
import {RequestGuard} from './request-guard.js'

export interface AnthropicProviderOptions {
  apiKey: string
  model: string
  /** Default https://api.anthropic.com (the SDK appends /v1/messages). */
  baseUrl?: string | undefined
  /** Inactivity timeout per request (default 60 s). */
  timeoutMs?: number | undefined
  /** Retries after 429/5xx/connection failures (default 2, the SDK's). */
  maxRetries?: number | undefined
  /** Longest Retry-After honoured before failing instead (default 30 s). */
  maxRetryWaitMs?: number | undefined
  /** Named in auth hints (default ANTHROPIC_API_KEY). */
  apiKeyEnv?: string | undefined
  /** max_tokens when the request does not say (the API requires one). */
  defaultMaxTokens?: number | undefined
  /** SDK debug logging (redacted by the SDK); off by default so nothing reaches the terminal. */
  sdkLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off' | undefined
}

export const anthropicDefaultBaseUrl = 'https://api.anthropic.com'

export function toAnthropicTools(tools: readonly ToolSpec[]): Tool[] {
  return tools.map((tool) => {
    if (!isValidToolName(tool.name))
      throw new AimsError('internal', `tool name ${JSON.stringify(tool.name)} is not valid for the Anthropic API`, {
        hint: 'tool names match ^[a-zA-Z0-9_-]{1,64}$',
      })
    return {name: tool.name, description: tool.description, input_schema: tool.parameters as Tool['input_schema']}
  })
}

function blocksOf(message: ChatMessage): ContentBlockParam[] {
  switch (message.role) {
    case 'user':
      return message.content === '' ? [] : [{type: 'text', text: message.content}]
    case 'assistant':
      return [
        ...(message.content === '' ? [] : [{type: 'text' as const, text: message.content}]),
        ...(message.toolCalls ?? []).map((call) => ({
          type: 'tool_use' as const,
          id: call.id,
          name: call.name,
          input: call.arguments,
        })),
      ]
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
          ...(message.isError ? {is_error: true} : {}),
        },
      ]
  }
}

/** ChatMessage history → Anthropic `messages` (see the mapping at the top of this file). */
export function toAnthropicMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const merged: Array<{role: 'user' | 'assistant'; content: ContentBlockParam[]}> = []
  for (const message of pairToolResults(messages)) {
    const role = message.role === 'assistant' ? 'assistant' : 'user'
    const blocks = blocksOf(message)
    if (blocks.length === 0) continue
    const last = merged.at(-1)
    if (last && last.role === role) last.content.push(...blocks)
    else merged.push({role, content: blocks})
  }
  for (const message of merged) {
    if (message.role !== 'user') continue
    // Stable: tool results keep their order, and so does the text after them.
    message.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'))
  }
  return merged.map((message) =>
    message.role === 'user' && message.content.length === 1 && message.content[0]!.type === 'text'
      ? {role: 'user', content: message.content[0]!.text}
      : message,
  )
}

function stopReasonOf(reason: string | null | undefined, sawToolCall: boolean): StopReason {
  if (reason === 'max_tokens') return 'max-tokens'
  if (sawToolCall || reason === 'tool_use') return 'tool-calls'
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'end'
  return 'other'
}

/** Parses a tool_use block's joined input_json_delta fragments. */
export function readToolInput(json: string, startInput: unknown): Pick<ToolCall, 'arguments' | 'argumentsError'> {
  if (json.trim() === '') {
    return {
      arguments:
        startInput && typeof startInput === 'object' && !Array.isArray(startInput)
          ? (startInput as Record<string, unknown>)
          : {},
    }
  }
  try {
    const parsed: unknown = JSON.parse(json)
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return {arguments: parsed as Record<string, unknown>}
    return {arguments: {}, argumentsError: `the tool input was not a JSON object: ${json.slice(0, 200)}`}
  } catch (error) {
    return {
      arguments: {},
      argumentsError: `the tool input was not valid JSON (${(error as Error).message}): ${json.slice(0, 200)}`,
    }
  }
}

type OpenBlock =
  {kind: 'text'} | {kind: 'tool'; id: string; name: string; json: string; startInput: unknown} | {kind: 'other'}

export class AnthropicChatProvider implements ChatProvider {
  readonly name = 'anthropic' as const
  readonly model: string
  private readonly options: AnthropicProviderOptions
  private readonly baseUrl: string

  constructor(options: AnthropicProviderOptions) {
    this.options = options
    this.model = options.model
    this.baseUrl = (options.baseUrl ?? anthropicDefaultBaseUrl).replace(/\/+$/, '')
  }

  async *stream(request: ChatRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const timeoutMs = this.options.timeoutMs ?? 60_000
    const guard = new RequestGuard({
      timeoutMs,
      maxRetryWaitMs: this.options.maxRetryWaitMs ?? 30_000,
      callerSignal: request.signal,
    })
    const context: ProviderErrorContext = {
      provider: 'anthropic',
      label: this.baseUrl === anthropicDefaultBaseUrl ? 'the Anthropic API' : `the Anthropic API at ${this.baseUrl}`,
      baseUrl: this.baseUrl,
      model: this.model,
      apiKeyEnv: this.options.apiKeyEnv ?? 'ANTHROPIC_API_KEY',
      secrets: [this.options.apiKey],
      guard,
    }
    try {
      // A client per request: its fetch is this request's guard. Construction is cheap (no I/O).
      const client = new Anthropic({
        apiKey: this.options.apiKey,
        baseURL: this.baseUrl,
        // The guard's inactivity watchdog is the real timeout; this one is a backstop.
        timeout: timeoutMs + 5_000,
        maxRetries: this.options.maxRetries ?? 2,
        fetch: guard.fetch,
        logLevel: this.options.sdkLogLevel ?? 'off',
      })
      const body: MessageCreateParamsStreaming = {
        model: this.model,
        max_tokens: request.maxTokens ?? this.options.defaultMaxTokens ?? 4096,
        messages: toAnthropicMessages(request.messages),
        stream: true,
        // The system prompt and tools are the same on every turn of the agent loop: a cache
        // breakpoint after them lets the API reuse that prefix (ignored when it is too short to cache).
        ...(request.system
          ? {system: [{type: 'text' as const, text: request.system, cache_control: {type: 'ephemeral' as const}}]}
          : {}),
        ...(request.tools.length > 0 ? {tools: toAnthropicTools(request.tools)} : {}),
      }

      let events: AsyncIterable<RawMessageStreamEvent>
      try {
        events = await client.messages.create(body, {signal: guard.signal})
      } catch (error) {
        throw providerFailure(error, context)
      }

      const blocks = new Map<number, OpenBlock>()
      let stopReason: string | null | undefined
      let sawToolCall = false
      let sawMessageStop = false
      const usage: {inputTokens?: number; outputTokens?: number} = {}
      try {
        for await (const event of events) {
          guard.progress()
          const out: ProviderEvent[] = []
          switch (event.type) {
            case 'message_start':
              usage.inputTokens = event.message.usage?.input_tokens ?? usage.inputTokens
              usage.outputTokens = event.message.usage?.output_tokens ?? usage.outputTokens
              break
            case 'content_block_start': {
              const block = event.content_block
              if (block.type === 'text') {
                blocks.set(event.index, {kind: 'text'})
                if (block.text) out.push({type: 'text', delta: block.text})
              } else if (block.type === 'tool_use') {
                blocks.set(event.index, {
                  kind: 'tool',
                  id: block.id,
                  name: block.name,
                  json: '',
                  startInput: block.input,
                })
              } else {
                blocks.set(event.index, {kind: 'other'}) // thinking and server-side tool blocks: not shown
              }
              break
            }
            case 'content_block_delta': {
              const block = blocks.get(event.index)
              if (event.delta.type === 'text_delta' && event.delta.text)
                out.push({type: 'text', delta: event.delta.text})
              else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool')
                block.json += event.delta.partial_json
              break
            }
            case 'content_block_stop': {
              const block = blocks.get(event.index)
              blocks.delete(event.index)
              if (block?.kind === 'tool') {
                sawToolCall = true
                out.push({
                  type: 'tool-call',
                  call: {id: block.id, name: block.name, ...readToolInput(block.json, block.startInput)},
                })
              }
              break
            }
            case 'message_delta':
              stopReason = event.delta.stop_reason ?? stopReason
              usage.outputTokens = event.usage?.output_tokens ?? usage.outputTokens
              if (typeof event.usage?.input_tokens === 'number') usage.inputTokens = event.usage.input_tokens
              break
            case 'message_stop':
              sawMessageStop = true
              break
          }
          if (out.length > 0) {
            guard.holdForConsumer()
            yield* out
            guard.progress()
          }
        }
      } catch (error) {
        throw providerFailure(error, context)
      }
      // The SDK ends the iteration quietly when the request is aborted.
      if (guard.timedOut || guard.callerAborted) throw providerFailure(undefined, context)
      if (!sawMessageStop) {
        throw new AimsError('connection', `${context.label} closed the stream before the reply was complete`, {
          hint: 'try again',
          details: {provider: 'anthropic'},
        })
      }
      guard.stop()
      yield {type: 'done', stopReason: stopReasonOf(stopReason, sawToolCall), usage}
    } finally {
      guard.stop()
    }
  }
}
