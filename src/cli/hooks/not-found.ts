/**
 * Unknown commands. On a terminal, oclif's not-found plugin asks "Did you
 * mean …?" and runs the answer. In scripts (no TTY, CI, --json) nobody can
 * answer: one line naming the closest commands, and exit 2 (bad input), as
 * every other usage error.
 */
import type {Hook} from '@oclif/core'
import {closest} from '../../core/suggest.js'

const hook: Hook.CommandNotFound = async function (options) {
  const argv = options.argv ?? []
  const scripted = !process.stdin.isTTY || !process.stderr.isTTY || process.env.CI === 'true' || argv.includes('--json')
  if (!scripted) {
    const {default: interactive} = await import('@oclif/plugin-not-found')
    return interactive.call(this, options)
  }
  const typed = options.id.split(':').join(' ')
  const ids = [...options.config.commandIDs, ...options.config.commands.flatMap((command) => command.aliases)]
    .filter((id) => !options.config.findCommand(id)?.hidden)
    .map((id) => id.split(':').join(' '))
  // The id holds the arguments too ("plgu up n8n"): try its first three words, then two, then one.
  const words = typed.split(' ')
  let suggestions: string[] = []
  let command = typed
  for (let count = Math.min(3, words.length); count >= 1 && suggestions.length === 0; count--) {
    command = words.slice(0, count).join(' ')
    suggestions = closest(command, ids)
  }
  const message = `"${suggestions.length > 0 ? command : typed}" is not an aims command`
  const hint =
    suggestions.length > 0
      ? `did you mean ${suggestions.map((item) => `"${item}"`).join(' or ')}? (aims help lists the commands)`
      : 'aims help lists the commands'
  if (argv.includes('--json'))
    process.stdout.write(`${JSON.stringify({error: {kind: 'usage', message, hint, exitCode: 2}}, null, 2)}\n`)
  else process.stderr.write(`Error: ${message} — ${hint}\n`)
  this.exit(2)
}

export default hook
