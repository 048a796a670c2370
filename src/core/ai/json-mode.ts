/**
 * Tool use for models and servers without native tool calling: the tools are
 * described in the system prompt, the model answers with one JSON object
 * (`{"tool": name, "arguments": {...}}` or `{"reply": "..."}`), and this module
 * reads that answer — while it streams, so replies still appear word by word.
 *
 * Small local models bend the format, so the reader accepts the common variants
 * (`name`/`arguments`, `tool_calls: [...]`, a ```json fence, prose around the
 * object) and falls back to treating the whole answer as a plain reply.
 */
import type {ChatMessage, ToolSpec} from './types.js'

export interface JsonModeCall {
  name: string
  arguments: Record<string, unknown>
  argumentsError?: string
}

export interface JsonModeAnswer {
  text: string
  calls: JsonModeCall[]
}

/** The system prompt addition that teaches the JSON protocol and lists the tools. */
export function jsonModeInstructions(tools: readonly ToolSpec[]): string {
  const list = tools
    .map(
      (tool) =>
        `- ${tool.name}: ${tool.description.replace(/\s+/g, ' ').trim()}\n  arguments schema: ` +
        `${JSON.stringify(tool.parameters)}`,
    )
    .join('\n')
  return [
    '## How to use tools (JSON protocol)',
    'You cannot call functions directly. Instead, every answer you give must be exactly one JSON object and ' +
      'nothing else, in one of these two shapes:',
    '{"tool": "<tool name>", "arguments": {<arguments matching that tool\'s schema>}}   to run a tool',
    '{"reply": "<your message to the user>"}   to answer the user or ask a question',
    'Run at most one tool per answer. The tool\'s result comes back in a message that starts with "Tool ' +
      'result"; then answer again with one JSON object.',
    'Available tools:',
    list,
  ].join('\n')
}

/**
 * A tool exchange rendered as plain messages, for servers that accept no
 * `tool_calls` or `tool` roles: a call becomes the JSON the model would have
 * written, a result becomes a user message.
 */
export function jsonModeCallText(call: {name: string; arguments: Record<string, unknown>}): string {
  return JSON.stringify({tool: call.name, arguments: call.arguments})
}

export function jsonModeResultText(message: Extract<ChatMessage, {role: 'tool'}>): string {
  return (
    `Tool result for ${message.name} (call ` +
    `${message.toolCallId})${message.isError ? ', an error' : ''}:\n${message.content}`
  )
}

const replyKeys = ['reply', 'message', 'response', 'answer', 'content', 'text']
const toolKeys = ['tool', 'name', 'function', 'tool_name']
const argumentKeys = ['arguments', 'args', 'parameters', 'input', 'params']
const listKeys = ['tool_calls', 'calls', 'tools']

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readArguments(value: unknown): {arguments: Record<string, unknown>; argumentsError?: string} {
  if (value === undefined || value === null) return {arguments: {}}
  if (isRecord(value)) return {arguments: value}
  if (typeof value === 'string') {
    if (value.trim() === '') return {arguments: {}}
    try {
      const parsed: unknown = JSON.parse(value)
      if (isRecord(parsed)) return {arguments: parsed}
    } catch {
      // reported below
    }
  }
  return {arguments: {}, argumentsError: `arguments must be a JSON object, got ${JSON.stringify(value).slice(0, 200)}`}
}

/** One JSON value from the model, read as calls and/or reply text; undefined when it is neither. */
function interpret(value: unknown): JsonModeAnswer | undefined {
  if (Array.isArray(value)) {
    const parts = value.map(interpret).filter((part): part is JsonModeAnswer => part !== undefined)
    if (parts.length === 0) return undefined
    return {
      text: parts
        .map((part) => part.text)
        .filter(Boolean)
        .join('\n'),
      calls: parts.flatMap((part) => part.calls),
    }
  }
  if (!isRecord(value)) return undefined
  for (const key of listKeys) {
    if (Array.isArray(value[key])) {
      const inner = interpret(value[key])
      if (inner) return inner
    }
  }
  // OpenAI-shaped {"function": {"name", "arguments"}} or {"type": "function", ...}
  if (isRecord(value.function)) return interpret(value.function)
  const name = toolKeys
    .map((key) => value[key])
    .find((candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '')
  const reply = replyKeys
    .map((key) => value[key])
    .find((candidate): candidate is string => typeof candidate === 'string')
  if (
    name !== undefined &&
    !(name === value.name && reply !== undefined && argumentKeys.every((key) => value[key] === undefined))
  ) {
    const argumentValue = argumentKeys.map((key) => value[key]).find((candidate) => candidate !== undefined)
    return {text: '', calls: [{name: name.trim(), ...readArguments(argumentValue)}]}
  }
  if (reply !== undefined) return {text: reply, calls: []}
  return undefined
}

/** The top-level `{…}` and `[…]` spans of `text`, in order, skipping braces inside strings. */
export function topLevelJsonSpans(text: string): string[] {
  const spans: string[] = []
  let depth = 0
  let start = -1
  let inString = false
  let escaped = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (inString) {
      if (escaped) escaped = false
      else if (char === '\\') escaped = true
      else if (char === '"') inString = false
      continue
    }
    if (char === '"' && depth > 0) inString = true
    else if (char === '{' || char === '[') {
      if (depth === 0) start = index
      depth++
    } else if ((char === '}' || char === ']') && depth > 0) {
      depth--
      if (depth === 0) spans.push(text.slice(start, index + 1))
    }
  }
  return spans
}

/** Reads a complete JSON-mode answer. Never throws: unreadable answers are plain replies. */
export function parseJsonModeAnswer(raw: string): JsonModeAnswer {
  const text = raw.trim()
  const unfenced = text
    .replace(/^```[a-zA-Z]*\s*\n?/, '')
    .replace(/\n?```\s*$/, '')
    .trim()
  try {
    const whole = interpret(JSON.parse(unfenced))
    if (whole) return whole
  } catch {
    // not one JSON value: look for objects inside the prose below
  }
  const parts = topLevelJsonSpans(unfenced)
    .map((span) => {
      try {
        return interpret(JSON.parse(span))
      } catch {
        return undefined
      }
    })
    .filter((part): part is JsonModeAnswer => part !== undefined)
  if (parts.length > 0) {
    return {
      text: parts
        .map((part) => part.text)
        .filter(Boolean)
        .join('\n'),
      calls: parts.flatMap((part) => part.calls),
    }
  }
  return {text: unfenced, calls: []}
}

const replyOpening = new RegExp(`^\\s*(?:\`\`\`[a-zA-Z]*\\s*)?\\{\\s*"(?:${replyKeys.join('|')})"\\s*:\\s*"`)
const anyKeyOpening = /^\s*(?:```[a-zA-Z]*\s*)?\{\s*"[^"\\]*"\s*:\s*\S/
const couldStillOpen = /^\s*(?:`{0,3}[a-zA-Z]*\s*)?(?:\{\s*(?:"[^"\\]*(?:"\s*(?::\s*)?)?)?)?$/

const simpleEscapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

/**
 * Reads a JSON-mode answer chunk by chunk. When the answer opens as
 * `{"reply": "`, the string's decoded characters are returned from `push` as
 * they arrive (escape sequences split across chunks are held back until whole);
 * anything else is buffered and read by `finish`.
 */
export class JsonModeAnswerReader {
  private buffer = ''
  private mode: 'undecided' | 'reply' | 'buffer' = 'undecided'
  private cursor = 0
  private replyClosed = false
  private streamed = ''

  /** Returns the reply text that became available with this chunk ('' if none). */
  push(chunk: string): string {
    this.buffer += chunk
    if (this.mode === 'undecided') {
      const opening = replyOpening.exec(this.buffer)
      if (opening) {
        this.mode = 'reply'
        this.cursor = opening[0].length
      } else if (anyKeyOpening.test(this.buffer) || !couldStillOpen.test(this.buffer)) {
        this.mode = 'buffer'
      }
    }
    if (this.mode !== 'reply' || this.replyClosed) return ''
    const delta = this.decodeAvailable()
    this.streamed += delta
    return delta
  }

  private decodeAvailable(): string {
    let out = ''
    const text = this.buffer
    while (this.cursor < text.length) {
      const char = text[this.cursor]!
      if (char === '"') {
        this.replyClosed = true
        this.cursor++
        break
      }
      if (char !== '\\') {
        out += char
        this.cursor++
        continue
      }
      const code = text[this.cursor + 1]
      if (code === undefined) break
      if (code !== 'u') {
        out += simpleEscapes[code] ?? code
        this.cursor += 2
        continue
      }
      const hex = text.slice(this.cursor + 2, this.cursor + 6)
      if (hex.length < 4) break
      const unit = Number.parseInt(hex, 16)
      if (unit >= 0xd800 && unit <= 0xdbff) {
        // A high surrogate is only written together with its low half.
        const next = text.slice(this.cursor + 6, this.cursor + 12)
        if (next.length < 6) break
        const low = /^\\u([0-9a-fA-F]{4})$/.exec(next)
        out += low ? String.fromCharCode(unit, Number.parseInt(low[1]!, 16)) : '\ufffd'
        this.cursor += low ? 12 : 6
        continue
      }
      out += Number.isNaN(unit) ? '\ufffd' : String.fromCharCode(unit)
      this.cursor += 6
    }
    return out
  }

  /** The full answer, and the part of its reply text not yet returned by `push`. */
  finish(): JsonModeAnswer & {remainingText: string} {
    const answer = parseJsonModeAnswer(this.buffer)
    if (this.streamed === '') return {...answer, remainingText: answer.text}
    // A streamed reply that ends up unreadable (cut off) keeps what was shown.
    const remainingText = answer.text.startsWith(this.streamed) ? answer.text.slice(this.streamed.length) : ''
    return {...answer, text: answer.text.startsWith(this.streamed) ? answer.text : this.streamed, remainingText}
  }
}
