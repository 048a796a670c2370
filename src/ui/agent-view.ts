/**
 * How ACHEEVY shows itself in a terminal: the reply streaming as it comes
 * (prefixed once per reply), the command line of each tool call, plans,
 * results and their tables, and questions read from the line input. One view
 * serves `aims chat` (answers come from the chat's input) and `aims ask`
 * (answers come from the terminal prompter, or nobody).
 */
import type {Prices} from '../core/catalog/cost.js'
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import type {Plan} from '../core/plan/plan.js'
import type {AgentUi, ToolOutcome} from '../services/agent/agent.js'
import type {AgentTool} from '../services/agent/tools.js'
import type {ToolArgs} from '../services/agent/tool-shape.js'
import type {Progress} from '../services/progress.js'
import {renderPlan} from './present/plan.js'
import {renderStatusLine, renderToolCall, renderToolData} from './present/agent.js'
import type {Style} from './style.js'

/**
 * A progress view that is cleared only when it drew something, so replies and
 * prompts printed between steps do not each emit a line-clearing sequence.
 */
export function settlingProgress(view: {progress: Progress; stop(): void}): {progress: Progress; settle(): void} {
  let drawn = false
  return {
    progress: (event) => {
      drawn = true
      view.progress(event)
    },
    settle: () => {
      if (drawn) view.stop()
      drawn = false
    },
  }
}

/** Where the view writes, and how it asks (undefined answer: end of input / nobody to ask). */
export interface AgentViewIo {
  write(text: string): void
  readLine(prompt: string, options?: {secret?: boolean}): Promise<string | undefined>
}

export class AgentView implements AgentUi {
  private replying = false
  /** The last plan shown, by the call it belonged to (for --json output). */
  readonly plans = new Map<string, Plan>()
  private currentCall: string | undefined

  constructor(
    private readonly io: AgentViewIo,
    private readonly style: Style,
    readonly progress: Progress,
    private readonly options: {assistantLabel?: string; quiet?: boolean; prices?: Prices} = {},
  ) {}

  private out(text: string): void {
    if (!this.options.quiet) this.io.write(text)
  }

  private finishReply(): void {
    if (this.replying) this.out('\n')
    this.replying = false
  }

  text(delta: string): void {
    if (!this.replying) this.out(this.style.cyan(this.options.assistantLabel ?? 'acheevy › '))
    this.replying = true
    // Model text can echo container output: no escape sequences reach the terminal.
    this.out(sanitizeUntrusted(delta))
  }

  endText(): void {
    this.finishReply()
  }

  notice(message: string): void {
    this.finishReply()
    this.out(`${this.style.dim(sanitizeUntrusted(message))}\n`)
  }

  toolCall(info: {callId: string; tool: AgentTool; args: ToolArgs; argv: string[]; summary: string}): void {
    this.finishReply()
    this.currentCall = info.callId
    this.out(`${renderToolCall(info.argv, this.style)}\n`)
  }

  toolResult(info: {callId: string; tool?: AgentTool; outcome: ToolOutcome}): void {
    this.finishReply()
    this.out(`${renderStatusLine(info.outcome, this.style)}\n`)
    const body = info.tool
      ? renderToolData(info.tool.spec.name, info.outcome, this.style, new Date(), this.options.prices)
      : undefined
    if (body) this.out(`${body}\n`)
  }

  showPlan(plan: Plan): void {
    this.finishReply()
    if (this.currentCall) this.plans.set(this.currentCall, plan)
    this.out(`${renderPlan(plan, this.style)}\n`)
  }

  async confirm(question: string): Promise<boolean> {
    this.finishReply()
    const answer = await this.io.readLine(`${question} [yes/no] `)
    return /^(?:y|yes)$/i.test(answer?.trim() ?? '')
  }

  async askText(question: string, options: {secret?: boolean} = {}): Promise<string | undefined> {
    this.finishReply()
    return this.io.readLine(`${question} `, options)
  }
}
