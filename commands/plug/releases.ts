import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_RELEASES} from '../../src/core/commands/upgrade.js'
import {renderReleases} from '../../src/ui/present/upgrade.js'

export default class PlugReleases extends declared(PLUG_RELEASES, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {plugReleases} = await import('../../src/services/upgrade.js')
    const result = await plugReleases({session}, ref)
    this.say(renderReleases(result, this.style))
    return result
  }
}
