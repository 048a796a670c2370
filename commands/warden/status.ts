import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_STATUS} from '../../src/core/commands/warden.js'
import {wardenStatusLines} from '../../src/ui/present/warden.js'

export default class WardenStatusCommand extends declared(WARDEN_STATUS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const [{wardenStatus}, {packageBuild}] = await Promise.all([
      import('../../src/services/warden/install.js'),
      import('../../src/adapters/warden-package.js'),
    ])
    const status = await wardenStatus({session, clock: context.clock}, packageBuild().build)
    this.say(wardenStatusLines(status))
    return status
  }
}
