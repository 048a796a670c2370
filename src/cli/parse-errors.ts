/**
 * oclif's parse errors, said the way aims says everything else: one line naming the problem and the fix.
 *   Nonexistent flag: --tenat         → unknown flag --tenat: did you mean --tenant?
 *   Parsing --replicas / Expected an integer but received: abc
 *                                     → --replicas must be a whole number ≥ 1, got "abc"
 * Anything else is left to toAimsError (base-command.ts). A flag's value is never repeated for an unknown flag
 * (it may be a secret typed under the wrong name).
 */
import {GLOBAL_FLAGS, type CommandSpec, type FlagSpec} from '../core/commands/spec.js'
import {AimsError, ExitCode} from '../core/errors.js'
import {closest} from '../core/suggest.js'
import {oneLine} from '../core/text/sanitize.js'

const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value)

function wholeNumber(flag: FlagSpec & {type: 'integer'}): string {
  if (flag.min !== undefined && flag.max !== undefined) return `a whole number from ${flag.min} to ${flag.max}`
  if (flag.min !== undefined) return `a whole number ≥ ${flag.min}`
  if (flag.max !== undefined) return `a whole number ≤ ${flag.max}`
  return 'a whole number'
}

/** The AimsError for a parse failure of `spec`'s command, or undefined when it is not one of the above. */
export function parseFailure(error: unknown, spec: CommandSpec): AimsError | undefined {
  const message = error instanceof Error ? error.message : ''
  const usage = `see aims ${spec.path} --help`
  const unknown = /^Nonexistent flags?: (.*)$/m.exec(message)
  if (unknown) {
    const names = unknown[1]!.split(', ').map((flag) => flag.replace(/=.*$/s, ''))
    const first = names[0]!
    const known = [...Object.entries({...GLOBAL_FLAGS, ...spec.flags}).map(([name]) => `--${name}`), '--json', '--help']
    const near = first.startsWith('--') ? closest(first, known, 2) : []
    const what = names.length === 1 ? `unknown flag ${first}` : `unknown flags ${names.join(', ')}`
    return new AimsError('usage', oneLine(what), {
      hint: near.length > 0 ? `did you mean ${near.join(' or ')}? (${usage})` : usage,
      exitCode: ExitCode.badInput,
    })
  }
  const parsing = /^Parsing --([\w-]+)\s*\n\s*Expected an integer.*?received: (.*)$/m.exec(message)
  if (parsing) {
    const [, name, value] = parsing
    const flag = spec.flags?.[name!]
    if (flag?.type !== 'integer') return undefined
    return new AimsError('usage', `--${name} must be ${wholeNumber(flag)}, got ${shown(oneLine(value!.trim()))}`, {
      hint: usage,
      exitCode: ExitCode.badInput,
    })
  }
  return undefined
}
