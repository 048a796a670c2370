/**
 * What happened in an agent session, in order: user turns, tool calls, plans
 * shown, approvals (or refusals) and results. It is the evidence for the two
 * invariants tests check on every run — every tool call gets exactly one
 * result, and no change is applied without an approval event — and the
 * source of `aims ask --json`'s list of actions. It never holds secret values.
 */
import type {ToolEffect} from '../../core/ai/types.js'

export type AgentEvent =
  | {type: 'user'; text: string}
  | {type: 'tool-call'; callId: string; tool: string; effect: ToolEffect; argv?: string[]; summary?: string}
  | {type: 'intake'; callId: string; asked: string[]; skipped: string[]}
  | {type: 'plan'; callId: string; action: string; target: string; destructive: boolean; summary: string}
  | {
      type: 'approval'
      callId: string
      decision: 'apply' | 'dry-run' | 'declined'
      by: string
      target: string
      reason?: string
    }
  | {
      type: 'tool-result'
      callId: string
      tool: string
      status: 'ok' | 'dry-run' | 'declined' | 'failed' | 'invalid'
      summary: string
    }
  | {type: 'notice'; message: string}
  /** Tokens one provider request used (for the usage report); none for the offline parser. */
  | {type: 'usage'; provider: string; model: string; inputTokens: number; outputTokens: number}

export class AgentLog {
  readonly events: AgentEvent[] = []
  private readonly listeners: Array<(event: AgentEvent) => void> = []

  record(event: AgentEvent): void {
    this.events.push(event)
    for (const listener of this.listeners) listener(event)
  }

  onEvent(listener: (event: AgentEvent) => void): void {
    this.listeners.push(listener)
  }
}

/**
 * The invariants, as a list of violations (empty when all hold):
 * each tool call has exactly one result, after it; each tool call that
 * reached a plan and was applied had an 'apply' approval for that plan.
 */
export function invariantViolations(events: readonly AgentEvent[]): string[] {
  const problems: string[] = []
  const calls = events.flatMap((event, index) => (event.type === 'tool-call' ? [{event, index}] : []))
  for (const {event, index} of calls) {
    const results = events
      .map((other, position) => ({other, position}))
      .filter(({other}) => other.type === 'tool-result' && other.callId === event.callId)
    if (results.length !== 1) problems.push(`tool call ${event.callId} (${event.tool}) has ${results.length} results`)
    else if (results[0]!.position < index) problems.push(`tool call ${event.callId} got its result before the call`)
    const result = results[0]?.other
    if (event.effect !== 'read' && result?.type === 'tool-result' && result.status === 'ok') {
      const approved = events.some(
        (other) => other.type === 'approval' && other.callId === event.callId && other.decision === 'apply',
      )
      if (!approved) problems.push(`${event.tool} call ${event.callId} was applied without an approval`)
    }
  }
  return problems
}
