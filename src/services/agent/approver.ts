/**
 * ACHEEVY's side of the gate: the Approver a tool call's service passes its
 * plan to. The plan is always shown; then
 *
 *   chat  a change is confirmed with "yes"; a destroy needs the instance
 *         name typed. Every plan is asked on its own: there is no "approve
 *         all", so nothing is ever approved for a whole session.
 *   ask   (one shot) --yes approves a change, and a person at a terminal may
 *         confirm it; a destroy needs --yes AND the request itself asking to
 *         take down that named instance, never less (without a TTY, nothing
 *         changes without --yes). Once container output (logs, inspect,
 *         events) entered the turn, --yes no longer approves anything: what
 *         the model proposes after reading untrusted text is asked at a
 *         terminal or declined, and a destroy is refused.
 *   --dry-run answers 'dry-run' to every plan.
 *
 * Refusals throw AimsError 'not-confirmed' (what passGate expects); the agent
 * turns that into a structured {declined: true} result for the model. Every
 * decision is recorded in the agent's log, so tests can prove no change
 * happened without an approval.
 */
import {AimsError} from '../../core/errors.js'
import {destroysWhat, type Plan} from '../../core/plan/plan.js'
import {parseUtterance} from '../../core/intents/index.js'
import type {Approver} from '../gate.js'
import type {AgentLog} from './agent-log.js'

export interface ApprovalUi {
  showPlan(plan: Plan): void
  /** Asks a yes/no question; false on "no", an empty answer or end of input. */
  confirm(question: string): Promise<boolean>
  /** Asks for a line of text; undefined at end of input. */
  askText(question: string): Promise<string | undefined>
}

export interface AgentApprovalPolicy {
  mode: 'chat' | 'ask'
  /** ask --yes */
  yes: boolean
  dryRun: boolean
  /** A person can answer questions (chat on stdin, or ask on a TTY). */
  canAsk: boolean
  /** What the user said that led to this call (ask: a destroy needs the instance named in it). */
  utterance: string
  /** Container output was read earlier in this turn (logs, inspect, events): --yes no longer applies. */
  tainted?: boolean
  /** The tenant a bare name in the request means. */
  defaultTenant?: string
}

/**
 * Whether the request itself asks to take down the plan's instance, by name:
 * the offline parser (no catalog, no instances: names as written) must read
 * it as `plug down` of that instance. "check the logs of acme/n8n" names the
 * instance but asks for no destroy; "take it down" asks but names nothing.
 */
export function requestAsksToDestroy(
  utterance: string,
  plan: Pick<Plan, 'target' | 'confirmWord'>,
  defaultTenant = 'default',
): boolean {
  const result = parseUtterance(utterance, {catalog: [], instances: [], defaultTenant})
  if (result.kind !== 'command' || result.argv[0] !== 'plug' || result.argv[1] !== 'down') return false
  const named = result.argv[2] ?? ''
  return named === plan.target || (!named.includes('/') && named === (plan.confirmWord ?? plan.target.split('/')[1]))
}

/** Whether the request names the instance itself (not "it", not a plug it was guessed from). */
export function utteranceNamesInstance(utterance: string, plan: Pick<Plan, 'target' | 'confirmWord'>): boolean {
  const text = utterance.toLowerCase()
  const word = (value: string) =>
    new RegExp(`(?:^|[^a-z0-9-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9-])`).test(text)
  const [tenant, instance] = plan.target.split('/')
  const name = plan.confirmWord ?? instance ?? plan.target
  return word(plan.target) || (word(name) && (tenant === undefined || !text.includes('/') || word(`${tenant}/${name}`)))
}

const refuse = (plan: Plan, reason: string, hint = 'nothing was changed') =>
  new AimsError('not-confirmed', `not confirmed: ${reason}`, {
    hint,
    details: {target: plan.target, action: plan.action},
  })

export function agentApprover(policy: AgentApprovalPolicy, ui: ApprovalUi, log: AgentLog, callId: string): Approver {
  return {
    show(plan) {
      log.record({
        type: 'plan',
        callId,
        action: plan.action,
        target: plan.target,
        destructive: plan.destructive,
        summary: plan.summary,
      })
      ui.showPlan(plan)
    },
    async decide(plan) {
      const decided = (decision: 'apply' | 'dry-run', by: string) => {
        log.record({type: 'approval', callId, decision, by, target: plan.target})
        return decision
      }
      const declined = (error: AimsError) => {
        log.record({
          type: 'approval',
          callId,
          decision: 'declined',
          by: 'gate',
          target: plan.target,
          reason: error.message,
        })
        return error
      }
      if (policy.dryRun) return decided('dry-run', 'dry-run')
      if (plan.destructive) {
        const word = plan.confirmWord ?? plan.target
        if (policy.mode === 'ask') {
          if (!policy.yes)
            throw declined(
              refuse(
                plan,
                `${plan.summary} destroys data`,
                `aims ask destroys only with --yes and the instance named in the request; or run aims plug ` +
                  `down ${plan.target}`,
              ),
            )
          if (policy.tainted)
            throw declined(
              refuse(
                plan,
                `${plan.target} would be destroyed after reading container output`,
                `if you want it gone, run aims plug down ${plan.target}`,
              ),
            )
          if (
            !utteranceNamesInstance(policy.utterance, plan) ||
            !requestAsksToDestroy(policy.utterance, plan, policy.defaultTenant)
          ) {
            throw declined(
              refuse(
                plan,
                `the request does not ask to take down ${plan.target} by name`,
                `say it, e.g. aims ask "take down ${plan.target}" --yes`,
              ),
            )
          }
          return decided('apply', 'yes-flag+named')
        }
        if (!policy.canAsk) throw declined(refuse(plan, `${plan.summary} needs the instance name typed`))
        const typed = await ui.askText(
          `This destroys ${destroysWhat(plan)}. Type the instance name (${word}) to confirm, anything else to cancel:`,
        )
        if (typed === undefined) throw declined(refuse(plan, 'no answer (end of input)'))
        if (typed.trim() !== word)
          throw declined(
            refuse(plan, `you typed ${JSON.stringify(typed.trim().slice(0, 60))}, not ${JSON.stringify(word)}`),
          )
        return decided('apply', 'typed-name')
      }
      if (policy.mode === 'ask' && policy.yes && !policy.tainted) return decided('apply', 'yes-flag')
      if (!policy.canAsk) {
        throw declined(
          policy.tainted && policy.yes
            ? refuse(
                plan,
                `${plan.summary} was proposed after reading container output, and --yes does not cover that`,
                'run the command yourself if you want it',
              )
            : refuse(
                plan,
                `${plan.summary} needs --yes (no terminal to confirm it)`,
                'pass --yes to apply it (the plan is shown above)',
              ),
        )
      }
      const ok = await ui.confirm(`${plan.summary}?`)
      if (!ok) throw declined(refuse(plan, 'you said no'))
      return decided('apply', 'confirmed')
    },
  }
}
