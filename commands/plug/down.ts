import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_DOWN} from '../../src/core/commands/plug.js'

export default class PlugDown extends declared(PLUG_DOWN, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {plugDown} = await import('../../src/services/plug-manage.js')
    const result = await plugDown(deps, ref, {keepData: flags['keep-data']})
    this.view?.stop()
    if (result.status === 'dry-run') this.say(this.style.dim('Dry run: nothing was changed.'))
    else
      this.say(
        `${this.style.green('✓')} ${result.instance} is gone: ${result.removed.containers.length} containers, ${result.removed.volumes.length} volumes, ${result.removed.networks.length} networks removed${result.keptVolumes.length > 0 ? `; kept ${result.keptVolumes.join(', ')}` : ''}.`,
      )
    return result
  }
}
