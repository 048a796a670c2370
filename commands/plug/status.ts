import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_STATUS} from '../../src/core/commands/plug.js'
import {renderInstanceStatus} from '../../src/ui/present/lifecycle.js'

export default class PlugStatus extends declared(PLUG_STATUS, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {instanceStatus} = await import('../../src/services/instances.js')
    const status = await instanceStatus(session, ref)
    this.say(renderInstanceStatus(status, this.style))
    return status
  }
}
