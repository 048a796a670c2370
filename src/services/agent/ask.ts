/**
 * `aims ask TEXT`: one request, one answer.
 *
 *   --dry-run  says which aims command the request is — `{argv, summary,
 *              mutates}` where argv is a command line the CLI accepts — and
 *              changes nothing. Offline it is the parser's answer alone, so it
 *              works with no host configured or reachable (names are then
 *              taken as written); with a model, reads may run to find names,
 *              and the first change the model proposes is the answer.
 *   otherwise  the agent runs: reads at once; a change with --yes (or a yes
 *              at a terminal); a destroy only with --yes and the request
 *              naming the instance. Without a terminal nothing changes
 *              without --yes: the result says declined and the exit code is 3.
 */
import {AimsError, ExitCode} from '../../core/errors.js'
import {commandPathOf} from '../../core/commands/argv.js'
import {COMMAND_EFFECTS} from '../../core/commands/index.js'
import {formatArgv, parseUtterance, type IntentContext} from '../../core/intents/index.js'
import {argvSecretValues, redactArgv, redactSecrets} from '../../core/text/redact.js'
import type {Plan} from '../../core/plan/plan.js'
import type {Agent, AgentAction} from './agent.js'
import {clarificationText} from './offline-provider.js'

export interface AskAction {
  tool: string
  argv?: string[]
  summary: string
  effect: AgentAction['effect']
  status: AgentAction['outcome']['status']
  result: Record<string, unknown>
  plan?: Plan
}

export interface AskResult {
  /** The aims command line of the request (no `aims` in front); null when it was only answered in words. */
  argv: string[] | null
  /** The same, ready to paste into a shell. */
  command?: string
  summary: string
  mutates: boolean
  destructive: boolean
  status: 'proposed' | 'ok' | 'dry-run' | 'declined' | 'failed' | 'invalid' | 'answered'
  provider: string
  reply?: string
  /** Tokens the model's requests used (absent for the offline parser). */
  usage?: {requests: number; inputTokens: number; outputTokens: number}
  /** The primary action's result (what the model was told: compact, masked). */
  result?: Record<string, unknown>
  actions: AskAction[]
}

/** The offline --dry-run: the parser's command line, nothing run. */
export function askDryRunOffline(text: string, context: IntentContext): AskResult {
  const result = parseUtterance(text, context)
  if (result.kind === 'clarify') {
    throw new AimsError('usage', `ACHEEVY needs one more detail: ${result.question}`, {
      hint:
        result.options.length > 0
          ? `rephrase with one of: ${result.options.slice(0, 8).join(' | ')}`
          : 'rephrase the request with the name',
      details: {question: result.question, options: result.options},
    })
  }
  if (result.kind === 'unknown')
    throw new AimsError('usage', `ACHEEVY did not map that to a command: ${result.message}`, {
      hint: 'rephrase it, or see aims --help',
    })
  // A secret in the request (APP_SECRET=…) is never echoed: the argv shows it masked (issue 10, item 8).
  const argv = redactArgv(result.argv)
  return {
    argv,
    command: formatArgv(argv),
    summary: redactSecrets(result.summary, argvSecretValues(result.argv)),
    mutates: result.mutates,
    destructive: result.destructive,
    status: 'proposed',
    provider: 'offline',
    actions: [],
  }
}

/**
 * The action a request is about: the first change it proposed or made, else
 * its first read, else none (the request was answered in words).
 */
function primary(actions: AgentAction[]): AgentAction | undefined {
  return actions.find((action) => action.effect !== 'read' && action.argv) ?? actions.find((action) => action.argv)
}

export async function askWithAgent(
  agent: Agent,
  text: string,
  options: {
    provider: string
    offline: boolean
    plans?: Map<string, Plan>
    /** The reply was shown to the user already (not under --json): the error does not repeat it. */
    replyShown?: boolean
  },
): Promise<{result: AskResult; exitCode: ExitCode; error?: AimsError}> {
  const turn = await agent.turn(text)
  const actions: AskAction[] = turn.actions.map((action) => ({
    tool: action.tool,
    ...(action.argv ? {argv: redactArgv(action.argv)} : {}),
    summary: redactSecrets(action.summary, argvSecretValues(action.argv ?? [])),
    effect: action.effect,
    status: action.outcome.status,
    result: action.outcome.content,
    ...(options.plans?.get(action.callId) ? {plan: options.plans.get(action.callId)!} : {}),
  }))
  const main = primary(turn.actions)
  if (!main) {
    // The offline parser only speaks when it could not make a command of the request.
    if (options.offline) {
      const reply = turn.reply.replace(/\s*\n\s*/g, ' ')
      throw new AimsError(
        'usage',
        options.replyShown
          ? 'ACHEEVY did not map that to a command (its answer is above)'
          : `ACHEEVY did not map that to a command: ${reply}`,
        {hint: 'rephrase it, or run aims chat to answer its question', details: {reply}},
      )
    }
    return {
      result: {
        argv: null,
        summary: turn.reply,
        mutates: false,
        destructive: false,
        status: 'answered',
        provider: options.provider,
        reply: turn.reply,
        actions,
        ...(turn.usage ? {usage: turn.usage} : {}),
      },
      exitCode: ExitCode.ok,
    }
  }
  const path = main.argv ? commandPathOf(main.argv) : undefined
  const effects = path ? COMMAND_EFFECTS[path] : {mutates: main.mutates, destructive: main.destructive}
  const result: AskResult = {
    argv: main.argv ? redactArgv(main.argv) : null,
    ...(main.argv ? {command: formatArgv(redactArgv(main.argv))} : {}),
    summary: redactSecrets(main.summary, argvSecretValues(main.argv ?? [])),
    mutates: effects.mutates,
    destructive: effects.destructive,
    status: main.outcome.status === 'proposed' ? 'proposed' : main.outcome.status,
    provider: options.provider,
    ...(turn.reply ? {reply: turn.reply} : {}),
    result: main.outcome.content,
    actions,
    ...(turn.usage ? {usage: turn.usage} : {}),
  }
  // The exit code of the worst outcome: declined 3, failed its own, otherwise 0.
  const declined = turn.actions.find((action) => action.outcome.status === 'declined')
  const failed = turn.actions.find(
    (action) => action.outcome.status === 'failed' || action.outcome.status === 'invalid',
  )
  if (declined)
    return {result, exitCode: ExitCode.notConfirmed, ...(declined.outcome.error ? {error: declined.outcome.error} : {})}
  if (failed)
    return {
      result,
      exitCode: failed.outcome.error?.exitCode ?? ExitCode.failure,
      ...(failed.outcome.error ? {error: failed.outcome.error} : {}),
    }
  return {result, exitCode: ExitCode.ok}
}

export {clarificationText}
