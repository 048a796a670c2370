/**
 * The one gate every change passes (docs/ARCHITECTURE.md, "Plans and the one gate"): the plan is shown, failed
 * pre-flight gates stop it, and someone approves: --yes, a person at a TTY,
 * the dock's inline confirmation, or a chat approval. No TTY and no --yes
 * means refusal with exit 3.
 */
import {AimsError, ExitCode} from '../core/errors.js'
import {destroysWhat, failedGates, type Plan} from '../core/plan/plan.js'
import type {Prompter} from './ports.js'

export type GateDecision = 'apply' | 'dry-run'

export interface Approver {
  /** Shows the plan (or records it, for --json). */
  show(plan: Plan): void
  /** Returns 'apply' or 'dry-run', or throws AimsError 'not-confirmed'. */
  decide(plan: Plan): Promise<GateDecision>
}

export function gateFailure(plan: Plan): AimsError | undefined {
  const failed = failedGates(plan)
  if (failed.length === 0) return undefined
  const first = failed[0]!
  const exitCode = failed.some((gate) => gate.exitCode === ExitCode.badInput) ? ExitCode.badInput : ExitCode.failure
  const others =
    failed.length > 1
      ? ` (and ${failed
          .slice(1)
          .map((gate) => gate.title)
          .join(', ')})`
      : ''
  return new AimsError(
    exitCode === ExitCode.badInput ? 'usage' : 'quota',
    `pre-flight gate "${first.title}" failed: ${first.detail}${others}`,
    {
      hint: first.fix,
      exitCode,
      details: {gates: plan.gates},
    },
  )
}

export async function passGate(plan: Plan, approver: Approver): Promise<GateDecision> {
  approver.show(plan)
  const failure = gateFailure(plan)
  if (failure) throw failure
  return approver.decide(plan)
}

/** The CLI's approver: --dry-run, --yes, or a question on a TTY. */
export function cliApprover(options: {
  yes: boolean
  dryRun: boolean
  prompter: Prompter
  show: (plan: Plan) => void
}): Approver {
  return {
    show: options.show,
    async decide(plan) {
      if (options.dryRun) return 'dry-run'
      if (options.yes) return 'apply'
      if (!options.prompter.interactive) {
        throw new AimsError('not-confirmed', `not confirmed: ${plan.summary}`, {
          hint: 'run it in a terminal to confirm, or pass --yes (the plan is printed above)',
        })
      }
      if (plan.confirmWord) {
        const typed = await options.prompter.input(
          `This destroys ${destroysWhat(plan)}. Type the instance name (${plan.confirmWord}) to confirm:`,
        )
        if (typed.trim() !== plan.confirmWord)
          throw new AimsError(
            'not-confirmed',
            `not confirmed: you typed ${JSON.stringify(typed.trim())}, not ${JSON.stringify(plan.confirmWord)}`,
            {hint: 'nothing was changed'},
          )
        return 'apply'
      }
      const ok = await options.prompter.confirm(`${plan.summary}?`, false)
      if (!ok) throw new AimsError('not-confirmed', 'not confirmed', {hint: 'nothing was changed'})
      return 'apply'
    },
  }
}
