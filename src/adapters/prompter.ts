/**
 * Prompts, only ever on a terminal. They render on stderr so stdout stays
 * clean for --json and pipes.
 */
import {AimsError} from '../core/errors.js'
import type {Prompter} from '../services/ports.js'

export class TerminalPrompter implements Prompter {
  constructor(readonly interactive: boolean) {}

  private refuse(message: string): never {
    throw new AimsError('not-confirmed', `cannot ask "${message}" without a terminal`, {
      hint: 'pass the value as a flag, or --yes to confirm',
    })
  }

  async confirm(message: string, defaultValue = false): Promise<boolean> {
    if (!this.interactive) this.refuse(message)
    const {confirm} = await import('@inquirer/prompts')
    try {
      return await confirm({message, default: defaultValue}, {output: process.stderr})
    } catch (error) {
      if ((error as Error).name === 'ExitPromptError') return false
      throw error
    }
  }

  async input(message: string, options: {secret?: boolean; defaultValue?: string} = {}): Promise<string> {
    if (!this.interactive) this.refuse(message)
    const prompts = await import('@inquirer/prompts')
    try {
      return options.secret
        ? await prompts.password({message, mask: '•'}, {output: process.stderr})
        : await prompts.input(
            {message, ...(options.defaultValue === undefined ? {} : {default: options.defaultValue})},
            {output: process.stderr},
          )
    } catch (error) {
      if ((error as Error).name === 'ExitPromptError')
        throw new AimsError('not-confirmed', 'cancelled', {hint: 'run the command again when ready'})
      throw error
    }
  }
}
