/** ACHEEVY's offline provider: a deterministic parser from a request to an aims command line. */
import {parseUtterance} from './parse.js'
import type {ClarifyIntent, IntentContext, IntentResult} from './types.js'

export type {
  ClarifyIntent,
  CommandIntent,
  IntentCatalogItem,
  IntentContext,
  IntentInstance,
  IntentPartial,
  IntentResult,
  UnknownIntent,
} from './types.js'
export {parseUtterance, capabilitiesMessage, CAPABILITIES} from './parse.js'
export {formatArgv, quoteForShell} from './format-argv.js'

/**
 * The command a clarifying question leads to once the user picks `option`.
 * With a partial command the option fills its slot and is checked to be one
 * of the options offered (so an answer cannot smuggle in another value);
 * without one, the option is a request of its own and is parsed as such.
 */
export function completeClarification(question: ClarifyIntent, option: string, context: IntentContext): IntentResult {
  const chosen = option.trim()
  if (!question.partial) return parseUtterance(chosen, context)
  // No options (no host to list instances from): any well-formed NAME or TENANT/NAME.
  const wellFormed = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?(?:\/[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)?$/.test(chosen)
  if (question.options.length === 0 ? !wellFormed : !question.options.includes(chosen)) {
    return {
      kind: 'unknown',
      message: `"${chosen.slice(0, 60)}" is not one of the options (${question.options.join(', ')}).`,
    }
  }
  const {argv, slot, summary, mutates, destructive} = question.partial
  const filled = [...argv]
  filled[slot] = chosen
  return {kind: 'command', argv: filled, summary: summary.replace('{}', chosen), mutates, destructive, confidence: 1}
}
