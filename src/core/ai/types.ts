/**
 * The contract between ACHEEVY (the agent loop) and the language-model providers.
 *
 * A provider turns one request (system prompt, history, tool specs) into a stream
 * of events; it keeps no conversation state between calls (the agent owns the
 * history). The same contract is met by Anthropic, OpenAI, any OpenAI-compatible
 * server (with or without native tool calling) and the offline parser.
 *
 * Event order within one `stream()` call:
 *   - zero or more `text` deltas and `tool-call` events, in the order the model
 *     produced them (a `tool-call` is emitted once its arguments are complete;
 *     with OpenAI-style streams that is at the end of the turn, after the text);
 *   - zero or more `notice` events anywhere (informational, safe to ignore);
 *   - exactly one `done`, always last. A failure throws instead (an AimsError),
 *     and then no `done` arrives. Aborting through `signal` throws the signal's
 *     reason (an AbortError by default).
 *
 * To continue after tool calls: append the assistant message (its text and its
 * `toolCalls`, ids unchanged) and then one `tool` message per call (same
 * `toolCallId`, JSON result, `isError` for failures and declined actions), then
 * call `stream()` again with the longer history. Providers repair a history
 * where a call has no result (they add an error result) rather than failing,
 * but the agent should never rely on that.
 */

/** A JSON Schema (draft 2020-12 subset the APIs accept). */
export interface JsonSchema {
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  additionalProperties?: boolean | JsonSchema
  [keyword: string]: unknown
}

/** Tool parameters are always an object schema (both APIs require it). */
export interface ObjectJsonSchema extends JsonSchema {
  type: 'object'
}

/** What running a tool does to the world: decides the gate (reads run at once). */
export type ToolEffect = 'read' | 'change' | 'destroy'

export interface ToolSpec {
  /** `^[a-zA-Z0-9_-]{1,64}$` (both APIs refuse anything else), e.g. `plug_up`. */
  name: string
  description: string
  parameters: ObjectJsonSchema
  effect: ToolEffect
}

export interface ToolCall {
  /** Provider-issued id (`toolu_…`, `call_…`); synthesized when a server sends none. */
  id: string
  name: string
  arguments: Record<string, unknown>
  /**
   * Set when the model's arguments were not a JSON object (malformed or cut off):
   * `arguments` is then `{}`. The agent should answer this call with an error
   * result quoting this text so the model can correct itself, not run the tool.
   * (Added to the original contract: without it a broken call is indistinguishable
   * from a call with no arguments.)
   */
  argumentsError?: string
}

export type ChatMessage =
  | {role: 'user'; content: string}
  | {role: 'assistant'; content: string; toolCalls?: ToolCall[]}
  | {role: 'tool'; toolCallId: string; name: string; content: string /* JSON result */; isError?: boolean}

export type StopReason = 'end' | 'tool-calls' | 'max-tokens' | 'other'

export interface TokenUsage {
  inputTokens?: number
  outputTokens?: number
}

export type ProviderEvent =
  | {type: 'text'; delta: string}
  | {type: 'tool-call'; call: ToolCall}
  /**
   * Something the user may want to know about how the provider is working, e.g.
   * "the server does not support tool calling; using JSON mode for this session".
   * (Added to the original contract: the fallback changes how reliable tool use
   * is, and the user should be told once rather than never.)
   */
  | {type: 'notice'; message: string}
  | {type: 'done'; stopReason: StopReason; usage?: TokenUsage}

export type ProviderName = 'anthropic' | 'openai' | 'openai-compatible' | 'offline'

export interface ChatRequest {
  system: string
  messages: ChatMessage[]
  tools: ToolSpec[]
  signal?: AbortSignal
  maxTokens?: number
}

export interface ChatProvider {
  readonly name: ProviderName
  readonly model: string
  stream(request: ChatRequest): AsyncIterable<ProviderEvent>
}

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/

export function isValidToolName(name: string): boolean {
  return toolNamePattern.test(name)
}
