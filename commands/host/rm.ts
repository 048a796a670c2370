import {Args} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../src/cli/flags.js'
import {removeHost} from '../../src/services/hosts.js'

export default class HostRm extends AimsCommand {
  static override description = 'Forget a host (nothing on the host is touched)'
  static override args = {name: Args.string({description: 'host name', required: true})}
  static override flags = {'dry-run': dryRunFlag, yes: yesFlag}

  async run() {
    const {args, flags} = await this.parse(HostRm)
    const context = await this.context()
    const result = await removeHost(context.config, args.name, flags['dry-run'])
    if (result.dryRun) this.say(`Would forget host ${args.name}. Its instances keep running.`)
    else
      this.say(
        `Forgot host ${args.name}; its instances keep running.${result.newDefault ? ` Default host is now ${result.newDefault}.` : ''}`,
      )
    return result
  }
}
