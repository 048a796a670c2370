/**
 * The offline provider: the deterministic parser (src/core/intents) wrapped
 * as a ChatProvider, so the agent loop, the tools and the gate are the same
 * with or without a model. A request becomes one tool call (the parser's
 * argv read back into the tool's arguments); a clarifying question becomes
 * text, and the next user message answers it; after tool results it says
 * only what the tool display does not (declined, failed, not available).
 *
 * It keeps no state: a pending question is found again by re-reading the
 * previous request (the parser is deterministic), so resumed sessions work.
 */
import type {ChatMessage, ChatProvider, ChatRequest, ProviderEvent} from '../../core/ai/types.js'
import {offlineModel} from '../../core/ai/settings.js'
import {commandPathOf} from '../../core/commands/argv.js'
import {
  completeClarification,
  formatArgv,
  parseUtterance,
  type ClarifyIntent,
  type IntentContext,
  type IntentResult,
} from '../../core/intents/index.js'
import {argsFromArgv} from './tool-shape.js'
import type {ToolRegistry} from './tools.js'

/** The question as the user reads it: the question and its numbered options. */
export function clarificationText(question: ClarifyIntent): string {
  if (question.options.length === 0) return question.question
  return `${question.question}\n${question.options.map((option, index) => `  ${index + 1}. ${option}`).join('\n')}`
}

/** The clarifying question the previous turn ended with, if it did. */
function pendingClarification(messages: readonly ChatMessage[], context: IntentContext): ClarifyIntent | undefined {
  // … user(previous request), assistant(question), user(answer)
  const answerIndex = messages.length - 1
  const question = messages[answerIndex - 1]
  const previous = messages[answerIndex - 2]
  if (question?.role !== 'assistant' || question.toolCalls?.length || previous?.role !== 'user') return undefined
  const reparsed = parseUtterance(previous.content, context)
  if (reparsed.kind !== 'clarify' || clarificationText(reparsed) !== question.content.trim()) return undefined
  return reparsed
}

function answerTo(question: ClarifyIntent, text: string, context: IntentContext): IntentResult | undefined {
  const answer = text.trim().replace(/[.!]+$/, '')
  const number = /^\d+$/.test(answer) ? Number(answer) : undefined
  const lower = answer.toLowerCase()
  // "2", "acme/n8n", or a bare "n8n" when exactly one TENANT/n8n is offered.
  const suffixed = question.options.filter((candidate) => candidate.toLowerCase().endsWith(`/${lower}`))
  const option =
    number !== undefined
      ? question.options[number - 1]
      : (question.options.find((candidate) => candidate.toLowerCase() === lower) ??
        (suffixed.length === 1 ? suffixed[0] : undefined))
  if (option !== undefined) return completeClarification(question, option, context)
  // No options offered (no host to list instances): a well-formed name answers a partial command.
  if (question.options.length === 0 && question.partial) {
    const result = completeClarification(question, answer, context)
    if (result.kind === 'command') return result
  }
  return undefined
}

interface ToolResultContent {
  summary?: string
  declined?: boolean
  reason?: string
  error?: {message?: string; hint?: string} | string
  available?: boolean
  hint?: string
}

/** What to say after a round of tool results: nothing for plain successes (the display showed them). */
function afterResults(results: Array<Extract<ChatMessage, {role: 'tool'}>>): string {
  const lines: string[] = []
  for (const result of results) {
    let content: ToolResultContent
    try {
      content = JSON.parse(result.content) as ToolResultContent
    } catch {
      continue
    }
    if (content.declined)
      lines.push(
        `Nothing was changed${content.reason ? ` (${content.reason})` : ''}. Tell me what you would like instead.`,
      )
    else if (content.available === false) lines.push(`${content.summary ?? 'That is not available in this build'}.`)
    else if (content.error) {
      const error = typeof content.error === 'string' ? {message: content.error} : content.error
      lines.push(`That did not work: ${error.message ?? 'unknown error'}${error.hint ? ` — ${error.hint}` : ''}`)
    }
  }
  return lines.join('\n')
}

export interface OfflineProviderOptions {
  registry: ToolRegistry
  /** The parser's context now: catalog, instances on the host, default tenant, focus. */
  context(): Promise<IntentContext>
  /** The host the session acts on (a --host in a request for another one is refused). */
  hostName?: () => string | undefined
}

export class OfflineChatProvider implements ChatProvider {
  readonly name = 'offline' as const
  readonly model = offlineModel
  private calls = 0

  constructor(private readonly options: OfflineProviderOptions) {}

  async *stream(request: ChatRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    if (request.signal?.aborted) throw request.signal.reason
    const last = request.messages.at(-1)
    if (!last) {
      yield {type: 'done', stopReason: 'end'}
      return
    }
    if (last.role === 'tool') {
      const results: Array<Extract<ChatMessage, {role: 'tool'}>> = []
      for (let index = request.messages.length - 1; index >= 0 && request.messages[index]!.role === 'tool'; index--)
        results.unshift(request.messages[index] as Extract<ChatMessage, {role: 'tool'}>)
      const text = afterResults(results)
      if (text) yield {type: 'text', delta: text}
      yield {type: 'done', stopReason: 'end'}
      return
    }
    if (last.role !== 'user') {
      yield {type: 'done', stopReason: 'end'}
      return
    }
    const context = await this.options.context()
    const pending = pendingClarification(request.messages, context)
    const result = (pending && answerTo(pending, last.content, context)) ?? parseUtterance(last.content, context)
    yield* this.respond(result)
  }

  private *respond(result: IntentResult): Generator<ProviderEvent, void, undefined> {
    if (result.kind === 'clarify') {
      yield {type: 'text', delta: clarificationText(result)}
      yield {type: 'done', stopReason: 'end'}
      return
    }
    if (result.kind === 'unknown') {
      yield {type: 'text', delta: result.message}
      yield {type: 'done', stopReason: 'end'}
      return
    }
    const path = commandPathOf(result.argv)
    const tool = path ? this.options.registry.forCommand(path) : undefined
    if (!tool) {
      yield {
        type: 'text',
        delta:
          `That is \`${formatArgv(result.argv)}\`: run it in your terminal. In this chat I deploy, inspect and ` +
          `change plugs.`,
      }
      yield {type: 'done', stopReason: 'end'}
      return
    }
    const {raw, ignored} = argsFromArgv(tool, result.argv)
    const hostIndex = ignored.indexOf('--host')
    const otherHost = hostIndex >= 0 ? ignored[hostIndex + 1] : undefined
    if (otherHost && otherHost !== this.options.hostName?.()) {
      yield {
        type: 'text',
        delta:
          `This chat works on ${this.options.hostName?.() ?? 'the current host'}. For host ${otherHost}, run ` +
          `\`${formatArgv(result.argv)}\`, or start \`aims chat --host ${otherHost}\`.`,
      }
      yield {type: 'done', stopReason: 'end'}
      return
    }
    if (ignored.includes('--follow'))
      yield {
        type: 'text',
        delta: `(In chat I show the latest lines; to follow them live, run \`${formatArgv(result.argv)}\`.)\n`,
      }
    yield {
      type: 'tool-call',
      call: {id: `offline_${Date.now().toString(36)}_${this.calls++}`, name: tool.spec.name, arguments: raw},
    }
    yield {type: 'done', stopReason: 'tool-calls'}
  }
}
