import {Args} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {dryRunFlag} from '../../src/cli/flags.js'
import {useHost} from '../../src/services/hosts.js'

export default class HostUse extends AimsCommand {
  static override description = 'Make a host the default for every command'
  static override args = {name: Args.string({description: 'host name', required: true})}
  static override flags = {'dry-run': dryRunFlag}

  async run() {
    const {args, flags} = await this.parse(HostUse)
    const context = await this.context()
    const result = await useHost(context.config, args.name, flags['dry-run'])
    this.say(
      result.dryRun
        ? `Would make ${result.name} the default host.`
        : `Default host is now ${this.style.bold(result.name)}.`,
    )
    return result
  }
}
