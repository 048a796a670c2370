import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_DOWN} from '../../src/core/commands/plug.js'
import {renderDown} from '../../src/ui/present/lifecycle.js'

export default class PlugDown extends declared(PLUG_DOWN, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {plugDown} = await import('../../src/services/plug-manage.js')
    const result = await plugDown(deps, ref, {keepData: flags['keep-data']})
    this.view?.stop()
    this.say(renderDown(result, this.style))
    return result
  }
}
