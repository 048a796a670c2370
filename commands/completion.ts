import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {COMMANDS} from '../src/core/commands/index.js'
import {COMPLETION} from '../src/core/commands/top.js'
import {complete, completionNeeds, completionScript, type CompletionData} from '../src/core/complete.js'
import {usageError} from '../src/core/errors.js'

const SHELLS = ['bash', 'zsh', 'fish'] as const

export default class Completion extends declared(COMPLETION, AimsCommand) {
  async run() {
    const {flags, argv} = await this.input()
    if (!flags.complete) {
      const shell = argv[0]
      if (!shell || !(SHELLS as readonly string[]).includes(shell) || argv.length > 1)
        throw usageError(
          shell ? `no completion for ${JSON.stringify(shell)}` : 'which shell?',
          'write aims completion bash, aims completion zsh or aims completion fish',
        )
      this.io.stdout.write(completionScript(shell as (typeof SHELLS)[number], this.config.bin))
      return undefined
    }
    // Never fail a TAB: what cannot be read completes as nothing.
    const words = argv.length > 0 ? argv : ['']
    const data = await (
      await import('../src/completion-context.js')
    )
      .completionData(await this.context(), completionNeeds(words, COMMANDS))
      .catch((): CompletionData => ({hosts: [], tenants: [], instances: [], plugs: [], configKeys: []}))
    for (const candidate of complete(words, COMMANDS, data)) this.io.stdout.write(`${candidate}\n`)
    return undefined
  }
}
