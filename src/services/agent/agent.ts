/**
 * The agent loop: a user's words → the provider (a model, or the offline
 * parser) → tool calls → results back to the provider → its reply, until it
 * stops calling tools.
 *
 * Guarantees, whatever the provider does:
 *   - every tool call gets exactly one result, in the order of the calls;
 *   - reads run at once; changes and destroys run their service with this
 *     call's approver, so the gate shows the plan and asks (chat), or applies
 *     only with --yes (ask); a destroy needs the instance name typed (chat) or
 *     --yes plus the request naming it (ask) — per call, never per session;
 *   - a refusal goes back to the model as {declined: true, reason};
 *   - tool results carry no secret values and container text only fenced;
 *   - every applied action is audited with the utterance (origin chat/ask).
 */
import {RESOURCE_NAME} from '../../core/names.js'
import {sanitizeField} from '../../core/text/sanitize.js'
import {AimsError} from '../../core/errors.js'
import {fenceUntrusted} from '../../core/ai/untrusted.js'
import type {ChatMessage, ChatProvider, ToolCall, ToolEffect} from '../../core/ai/types.js'
import {
  checkIntakeAnswer,
  isIntakeError,
  parseSizeAnswer,
  planIntake,
  rememberAnswer,
  type IntakeMemory,
} from '../../core/agent/intake.js'
import type {Plan} from '../../core/plan/plan.js'
import type {Progress} from '../progress.js'
import {AgentLog} from './agent-log.js'
import {agentApprover, type ApprovalUi} from './approver.js'
import type {ToolCallContext, ToolRunResult, ToolRuntime} from './runtime.js'
import {toolArgv, type ToolArgs} from './tool-shape.js'
import type {AgentTool, ToolRegistry} from './tools.js'

export interface AgentUi extends ApprovalUi {
  /** A piece of the assistant's reply, as it streams. */
  text(delta: string): void
  /** The assistant's reply (or this part of it) is complete. */
  endText(): void
  notice(message: string): void
  toolCall(info: {callId: string; tool: AgentTool; args: ToolArgs; argv: string[]; summary: string}): void
  toolResult(info: {callId: string; tool?: AgentTool; outcome: ToolOutcome}): void
  askText(question: string, options?: {secret?: boolean}): Promise<string | undefined>
  showPlan(plan: Plan): void
  progress: Progress
}

export interface ToolOutcome {
  status: 'ok' | 'dry-run' | 'declined' | 'failed' | 'invalid' | 'proposed'
  /** The JSON sent back to the model. */
  content: Record<string, unknown> & {summary: string}
  isError: boolean
  data?: unknown
  error?: AimsError
}

/** One tool call of a turn, for `aims ask --json` and callers. */
export interface AgentAction {
  callId: string
  tool: string
  effect: ToolEffect
  argv?: string[]
  summary: string
  mutates: boolean
  destructive: boolean
  outcome: ToolOutcome
}

export interface TurnResult {
  reply: string
  actions: AgentAction[]
  /** Tokens the provider's requests of this turn used, when it reports them (a model, not the parser). */
  usage?: {requests: number; inputTokens: number; outputTokens: number}
}

export interface AgentOptions {
  provider: ChatProvider
  registry: ToolRegistry
  runtime: ToolRuntime
  ui: AgentUi
  log?: AgentLog
  mode: 'chat' | 'ask'
  /** ask --yes */
  yes?: boolean
  /** Proposals only: changing calls are not run (ask --dry-run). Reads still run. */
  dryRun?: boolean
  /** A person answers questions (chat on stdin, ask on a TTY). */
  canAsk: boolean
  /** Needs analysis before a deploy (chat). */
  intake?: boolean
  /** The system prompt for this turn (facts change as the host does). */
  system(focus: string | undefined): Promise<string>
  history?: ChatMessage[]
  focus?: string
  /** Called with every message added to the history (the transcript). */
  onMessage?(message: ChatMessage): void
  maxToolRounds?: number
}

const DEFAULT_TOOL_ROUNDS = 8

/** Tools whose results carry text from containers or the engine (fenced as untrusted). */
const UNTRUSTED_OUTPUT = new Set(['plug_logs', 'plug_status', 'stats', 'health', 'events'])

function errorContent(error: AimsError, secrets: Iterable<string>): Record<string, unknown> {
  const logs = Array.isArray(error.details?.logs) ? (error.details.logs as unknown[]).map(String) : undefined
  return {
    error: {
      kind: error.kind,
      message: error.message,
      ...(error.hint ? {hint: error.hint} : {}),
      exitCode: error.exitCode,
    },
    ...(logs && logs.length > 0
      ? {
          logs: fenceUntrusted(
            `last log lines of ${String(error.details?.service ?? 'the failing service')}`,
            logs.join('\n'),
            {secrets, keep: 'tail'},
          ),
        }
      : {}),
  }
}

export class Agent {
  readonly history: ChatMessage[]
  readonly log: AgentLog
  focus: string | undefined
  /** Intake answers of this session (in memory only). */
  readonly intakeMemory: IntakeMemory = new Map()
  /** Container output entered this turn: later proposals get a warning, and ask's --yes stops applying. */
  private tainted = false
  private readonly options: AgentOptions

  constructor(options: AgentOptions) {
    this.options = options
    this.history = [...(options.history ?? [])]
    this.log = options.log ?? new AgentLog()
    this.focus = options.focus
  }

  private push(message: ChatMessage): void {
    this.history.push(message)
    this.options.onMessage?.(message)
  }

  async turn(text: string, signal?: AbortSignal): Promise<TurnResult> {
    const {provider, registry, ui} = this.options
    this.tainted = false
    this.log.record({type: 'user', text})
    this.push({role: 'user', content: text})
    const actions: AgentAction[] = []
    const replies: string[] = []
    const usage = {requests: 0, inputTokens: 0, outputTokens: 0}
    const rounds = this.options.maxToolRounds ?? DEFAULT_TOOL_ROUNDS
    for (let round = 0; ; round++) {
      const system = await this.options.system(this.focus)
      let reply = ''
      const calls: ToolCall[] = []
      for await (const event of provider.stream({
        system,
        messages: this.history,
        tools: registry.specs,
        ...(signal ? {signal} : {}),
      })) {
        if (event.type === 'text') {
          reply += event.delta
          ui.text(event.delta)
        } else if (event.type === 'tool-call') calls.push(event.call)
        else if (event.type === 'notice') {
          this.log.record({type: 'notice', message: event.message})
          ui.notice(event.message)
        } else if (event.type === 'done' && event.usage) {
          const inputTokens = event.usage.inputTokens ?? 0
          const outputTokens = event.usage.outputTokens ?? 0
          usage.requests++
          usage.inputTokens += inputTokens
          usage.outputTokens += outputTokens
          this.log.record({type: 'usage', provider: provider.name, model: provider.model, inputTokens, outputTokens})
        }
      }
      if (reply !== '') {
        ui.endText()
        replies.push(reply)
      }
      if (reply !== '' || calls.length > 0)
        this.push({role: 'assistant', content: reply, ...(calls.length > 0 ? {toolCalls: calls} : {})})
      if (calls.length === 0) break
      let stop = false
      for (const call of calls) {
        // Every call gets its result, even after a proposal ended the turn or the user interrupted.
        const action =
          stop || signal?.aborted
            ? this.skipped(call, signal?.aborted ? 'interrupted' : 'not run: the turn ended with a proposal')
            : await this.execute(call, text, signal)
        actions.push(action)
        this.push({
          role: 'tool',
          toolCallId: call.id,
          name: call.name,
          content: JSON.stringify(action.outcome.content),
          ...(action.outcome.isError ? {isError: true} : {}),
        })
        if (action.outcome.status === 'proposed') stop = true
      }
      if (stop || signal?.aborted) break
      if (round + 1 >= rounds) {
        const message = `stopped after ${rounds} rounds of tool calls in one turn`
        this.log.record({type: 'notice', message})
        ui.notice(message)
        break
      }
    }
    return {reply: replies.join('\n'), actions, ...(usage.requests > 0 ? {usage} : {})}
  }

  private skipped(call: ToolCall, why: string): AgentAction {
    const tool = this.options.registry.get(call.name)
    const effect = tool?.spec.effect ?? 'read'
    this.log.record({type: 'tool-call', callId: call.id, tool: call.name, effect})
    const outcome: ToolOutcome = {
      status: 'declined',
      isError: true,
      content: {summary: why, declined: true, reason: why, error: why},
    }
    this.log.record({type: 'tool-result', callId: call.id, tool: call.name, status: 'declined', summary: why})
    return {
      callId: call.id,
      tool: call.name,
      effect,
      summary: why,
      mutates: effect !== 'read',
      destructive: effect === 'destroy',
      outcome,
    }
  }

  private async execute(call: ToolCall, utterance: string, signal?: AbortSignal): Promise<AgentAction> {
    const {registry, runtime, ui} = this.options
    const tool = registry.get(call.name)
    const effect: ToolEffect = tool?.spec.effect ?? 'read'
    const finish = (outcome: ToolOutcome, extra: {argv?: string[]; summary?: string} = {}): AgentAction => {
      this.log.record({
        type: 'tool-result',
        callId: call.id,
        tool: call.name,
        status: outcome.status === 'proposed' ? 'dry-run' : outcome.status,
        summary: outcome.content.summary,
      })
      ui.toolResult({callId: call.id, ...(tool ? {tool} : {}), outcome})
      return {
        callId: call.id,
        tool: call.name,
        effect,
        ...(extra.argv ? {argv: extra.argv} : {}),
        summary: extra.summary ?? outcome.content.summary,
        mutates: effect !== 'read',
        destructive: effect === 'destroy',
        outcome,
      }
    }
    const invalid = (message: string, hint?: string): ToolOutcome => ({
      status: 'invalid',
      isError: true,
      content: {summary: message, error: {kind: 'usage', message, ...(hint ? {hint} : {})}},
    })

    if (!tool) {
      this.log.record({type: 'tool-call', callId: call.id, tool: call.name, effect})
      return finish(
        invalid(
          `there is no tool named ${JSON.stringify(call.name.slice(0, 64))}`,
          `the tools are ${registry.specs.map((spec) => spec.name).join(', ')}`,
        ),
      )
    }
    if (call.argumentsError) {
      this.log.record({type: 'tool-call', callId: call.id, tool: call.name, effect})
      return finish(
        invalid(
          `the arguments of ${call.name} could not be read: ${call.argumentsError}`,
          'send the arguments as one JSON object matching the schema',
        ),
      )
    }
    let args: ToolArgs
    try {
      args = tool.parse(call.arguments)
    } catch (error) {
      this.log.record({type: 'tool-call', callId: call.id, tool: call.name, effect})
      if (error instanceof AimsError) return finish(invalid(error.message, error.hint))
      throw error
    }
    let argv = toolArgv(tool, args)
    let summary = tool.summary(args, runtime.defaultTenant)
    this.log.record({type: 'tool-call', callId: call.id, tool: call.name, effect, argv, summary})
    ui.toolCall({callId: call.id, tool, args, argv, summary})

    if (effect !== 'read' && this.options.provider.name !== 'offline') {
      const question = await this.ungrounded(tool, args)
      if (question) return finish(invalid(question.message, question.hint), {argv, summary})
    }
    if (effect !== 'read' && this.options.dryRun) {
      return finish(
        {
          status: 'proposed',
          isError: false,
          content: {summary: `proposed, not run (dry run): ${summary}`, status: 'dry-run', argv},
        },
        {argv, summary},
      )
    }
    try {
      if (tool.spec.name === 'plug_up' && this.options.intake && this.options.canAsk) {
        const intake = await this.intake(call.id, args)
        if ('declined' in intake)
          throw new AimsError('not-confirmed', `not confirmed: ${intake.declined}`, {hint: 'nothing was changed'})
        args = intake.args
        argv = toolArgv(tool, args)
        summary = tool.summary(args, runtime.defaultTenant)
      }
      const context: ToolCallContext = {
        id: call.id,
        origin: {kind: this.options.mode, utterance: utterance, argv},
        approver: agentApprover(
          {
            mode: this.options.mode,
            yes: Boolean(this.options.yes),
            dryRun: false,
            canAsk: this.options.canAsk,
            utterance,
            tainted: this.tainted,
            defaultTenant: runtime.defaultTenant,
          },
          ui,
          this.log,
          call.id,
        ),
        progress: ui.progress,
      }
      if (signal?.aborted) throw signal.reason
      if (this.tainted && effect !== 'read')
        ui.notice(
          'Note: this was proposed after reading container output in this turn. Make sure it is what you asked for.',
        )
      const result: ToolRunResult = await tool.run(args, runtime, context)
      if (result.focus !== undefined) this.focus = result.focus ?? undefined
      if (UNTRUSTED_OUTPUT.has(tool.spec.name) && result.status === 'ok') this.tainted = true
      return finish(
        {
          status: result.status,
          isError: false,
          content: result.content,
          ...(result.data !== undefined ? {data: result.data} : {}),
        },
        {argv, summary},
      )
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-confirmed') {
        const reason = error.message.replace(/^not confirmed: /, '')
        return finish(
          {
            status: 'declined',
            isError: true,
            error,
            content: {
              summary: `declined: ${reason}`,
              declined: true,
              reason,
              error: 'the user did not approve this action; nothing was changed',
            },
          },
          {argv, summary},
        )
      }
      if (error instanceof AimsError) {
        return finish(
          {
            status: 'failed',
            isError: true,
            error,
            content: {summary: error.message, ...errorContent(error, runtime.secrets)},
          },
          {argv, summary},
        )
      }
      if ((error as Error)?.name === 'AbortError' || signal?.aborted) {
        const failure = new AimsError('not-confirmed', 'interrupted', {
          hint: 'the action may be partly done: check with plug status',
        })
        return finish(
          {
            status: 'failed',
            isError: true,
            error: failure,
            content: {
              summary: 'interrupted by the user',
              error: {kind: 'interrupted', message: 'interrupted by the user (Ctrl-C)'},
            },
          },
          {argv, summary},
        )
      }
      const failure = new AimsError('internal', `unexpected error: ${(error as Error)?.message ?? String(error)}`)
      return finish(
        {
          status: 'failed',
          isError: true,
          error: failure,
          content: {summary: failure.message, ...errorContent(failure, runtime.secrets)},
        },
        {argv, summary},
      )
    }
  }

  /**
   * The grounding rule for a model's change (the offline parser applies it itself): the instance it acts
   * on runs on the host, a new deploy's tenant and name were said by the user (or the tenant is the
   * default). Otherwise the call is refused with what to ask the user, before any plan or gate.
   */
  private async ungrounded(tool: AgentTool, args: ToolArgs): Promise<{message: string; hint: string} | undefined> {
    const {runtime} = this.options
    const said = this.history
      .flatMap((message) => (message.role === 'user' ? [message.content.toLowerCase()] : []))
      .join(' ')
    const saidWord = (word: string) => new RegExp(String.raw`(?:^|[^a-z0-9-])${word}(?![a-z0-9-])`).test(said)
    if (tool.spec.name === 'plug_up') {
      const unsaid = [
        args.tenant !== undefined && String(args.tenant) !== runtime.defaultTenant && !saidWord(String(args.tenant))
          ? `tenant ${String(args.tenant)}`
          : '',
        args.name !== undefined && !saidWord(String(args.name)) ? `name ${String(args.name)}` : '',
      ].filter(Boolean)
      if (unsaid.length === 0) return undefined
      return {
        message: `not grounded: the user never said the ${unsaid.join(' or the ')}`,
        hint: 'ask the user which tenant and name to deploy under; do not guess them',
      }
    }
    const target = tool.target(args, runtime.defaultTenant)
    if (!target) return undefined
    let live: Array<{tenant: string; instance: string}>
    try {
      live = await runtime.services.listInstances(await runtime.session(), {probe: false})
    } catch {
      // No host to ask: the service reports the real error.
      return undefined
    }
    if (live.some((item) => item.tenant === target.tenant && item.instance === target.instance)) return undefined
    const sameName = live.filter((item) => item.instance === target.instance)
    const options = (sameName.length > 0 ? sameName : live)
      .slice(0, 12)
      .map((item) => `${item.tenant}/${item.instance}`)
    const among = options.length > 0 ? ` (${options.join(', ')})` : ''
    return {
      message: `not grounded: no instance ${target.tenant}/${target.instance} runs on this host`,
      hint: `ask the user which instance they mean${among}; do not guess`,
    }
  }

  /** A deploy whose name is taken: says so and offers a free one (NAME-2, …) before any other question. */
  private async freeName(args: ToolArgs, plugId: string): Promise<{args: ToolArgs} | {declined: string}> {
    const {runtime, ui} = this.options
    const tenant = args.tenant ? String(args.tenant) : runtime.defaultTenant
    const name = args.name ? String(args.name) : plugId
    let live: Array<{tenant: string; instance: string; plug?: string}>
    try {
      live = await runtime.services.listInstances(await runtime.session(), {probe: false})
    } catch {
      return {args}
    }
    const taken = (candidate: string) => live.some((item) => item.tenant === tenant && item.instance === candidate)
    if (!taken(name)) return {args}
    let n = 2
    while (taken(`${name}-${n}`)) n++
    const suggestion = `${name}-${n}`
    const existing = live.find((item) => item.tenant === tenant && item.instance === name)
    const plug = existing?.plug ? ` (${sanitizeField(existing.plug)})` : ''
    ui.notice(`${sanitizeField(`${tenant}/${name}`)} already exists${plug}: the new instance needs another name.`)
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await ui.askText(`Name for the new instance [${suggestion}]`, {secret: false})
      if (answer === undefined) return {declined: `${tenant}/${name} already exists and no other name was given`}
      const chosen = answer.trim() === '' ? suggestion : answer.trim()
      if (!RESOURCE_NAME.test(chosen)) ui.notice(`"${sanitizeField(chosen)}" is not a valid name (a-z, 0-9 and -)`)
      else if (taken(chosen)) ui.notice(`${sanitizeField(`${tenant}/${chosen}`)} exists too`)
      else return {args: {...args, name: chosen}}
    }
    return {declined: `${tenant}/${name} already exists and no free name was given`}
  }

  /** Needs analysis: asks what the deploy still needs, skipping what was answered. */
  private async intake(callId: string, args: ToolArgs): Promise<{args: ToolArgs} | {declined: string}> {
    const {runtime, ui} = this.options
    const plugId = String(args.plug)
    const entry = await runtime.catalog.find(plugId)
    // An unknown plug is the service's to report (with its did-you-mean).
    if (!entry) return {args}
    // The name first: no questions about a deploy whose name is taken.
    const named = await this.freeName(args, plugId)
    if ('declined' in named) return named
    args = named.args
    const env: Array<[string, string]> = ((args.env as string[] | undefined) ?? []).map((item) => [
      item.slice(0, item.indexOf('=')),
      item.slice(item.indexOf('=') + 1),
    ])
    let hostDomain: string | undefined
    try {
      hostDomain = (await runtime.session()).host.domain
    } catch {
      hostDomain = undefined
    }
    const conversation = this.history.flatMap((message) => (message.role === 'user' ? [message.content] : []))
    const plan = planIntake(
      entry.plug,
      {
        plug: plugId,
        env,
        ...(args.name ? {name: String(args.name)} : {}),
        ...(args.tenant ? {tenant: String(args.tenant)} : {}),
        ...(args.domain ? {domain: String(args.domain)} : {}),
        ...(args.cpus ? {cpus: String(args.cpus)} : {}),
        ...(args.memory ? {memory: String(args.memory)} : {}),
      },
      {
        conversation,
        memory: this.intakeMemory,
        defaultTenant: runtime.defaultTenant,
        ...(hostDomain ? {hostDomain} : {}),
      },
    )
    this.log.record({
      type: 'intake',
      callId,
      asked: plan.questions.map((question) => question.id),
      skipped: plan.skipped.map((item) => `${item.id} (${item.why})`),
    })
    const answers: Record<string, string> = {...(plan.filled as Record<string, string>)}
    if (plan.questions.length > 0)
      ui.notice(
        `Before I plan ${entry.plug.name}, ` +
          `${plan.questions.length === 1 ? 'one question' : `${plan.questions.length} questions`} (an empty ` +
          `answer takes the default in brackets):`,
      )
    for (const question of plan.questions) {
      let value: string | undefined
      for (let attempt = 0; attempt < 2 && value === undefined; attempt++) {
        const answer = await ui.askText(
          `${question.text}${question.fallback ? ` [${question.fallback}]` : question.required ? ' (required)' : ''}`,
          {secret: question.secret},
        )
        if (answer === undefined) return {declined: 'the questions were not answered (end of input)'}
        try {
          value = checkIntakeAnswer(question, answer, entry.plug)
        } catch (error) {
          if (!isIntakeError(error)) throw error
          ui.notice(error.line)
        }
      }
      if (value === undefined) return {declined: `no valid answer for ${question.key ?? question.id}`}
      if (question.secret && value !== '') runtime.secrets.add(value)
      rememberAnswer(this.intakeMemory, plugId, question, value)
      answers[question.id] = value
    }
    const next: ToolArgs = {...args}
    const envAdded = Object.entries(answers)
      .filter(([id, value]) => id.startsWith('env:') && value !== '')
      .map(([id, value]) => `${id.slice(4)}=${value}`)
    if (envAdded.length > 0) next.env = [...((args.env as string[] | undefined) ?? []), ...envAdded]
    if (answers.tenant) next.tenant = answers.tenant
    if (answers.domain) next.domain = answers.domain
    if (answers.size) {
      const size = parseSizeAnswer(answers.size)
      if (size.cpus) next.cpus = size.cpus
      if (size.memory) next.memory = size.memory
    }
    return {args: next}
  }
}
