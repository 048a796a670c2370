import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_ROLLBACK} from '../../src/core/commands/upgrade.js'
import {renderUpgrade} from '../../src/ui/present/upgrade.js'

export default class PlugRollback extends declared(PLUG_ROLLBACK, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {plugRollback} = await import('../../src/services/upgrade.js')
    const result = await plugRollback(deps, {ref, ...(flags.to !== undefined ? {to: flags.to} : {})})
    this.view?.stop()
    this.say(renderUpgrade(result, this.style))
    return result
  }
}
