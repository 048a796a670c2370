import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_OUTDATED} from '../../src/core/commands/upgrade.js'
import {renderOutdated} from '../../src/ui/present/upgrade.js'

export default class PlugOutdated extends declared(PLUG_OUTDATED, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = args.instance !== undefined ? await this.instanceRef(args.instance, flags.tenant) : undefined
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {plugOutdated} = await import('../../src/services/registry.js')
    const result = await plugOutdated(
      {session, ...(await context.registryDeps(session))},
      {...(ref ? {ref} : {}), major: Boolean(flags.major)},
    )
    this.say(renderOutdated(result, 'INSTANCE', this.style))
    return result
  }
}
