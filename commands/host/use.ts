import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_USE} from '../../src/core/commands/host.js'
import {useHost} from '../../src/services/hosts.js'

export default class HostUse extends declared(HOST_USE, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
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
