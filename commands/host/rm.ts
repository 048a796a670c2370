import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_RM} from '../../src/core/commands/host.js'
import {removeHost} from '../../src/services/hosts.js'

export default class HostRm extends declared(HOST_RM, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const result = await removeHost(context.config, args.name, flags['dry-run'])
    if (result.dryRun) this.say(`Would forget host ${args.name}. Its instances keep running.`)
    else
      this.say(
        `Forgot host ${args.name}; its instances keep ` +
          `running.${result.newDefault ? ` Default host is now ${result.newDefault}.` : ''}`,
      )
    return result
  }
}
