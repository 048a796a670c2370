import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_SCALE} from '../../src/core/commands/plug.js'
import {validateScaleOptions} from '../../src/core/plan/requests.js'
import {renderScale} from '../../src/ui/present/lifecycle.js'

export default class PlugScale extends declared(PLUG_SCALE, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {plugScale} = await import('../../src/services/plug-manage.js')
    // Bad input fails here, before any connection is made.
    const request = validateScaleOptions({
      ...(flags.replicas !== undefined ? {replicas: flags.replicas} : {}),
      ...(flags.cpus !== undefined ? {cpus: flags.cpus} : {}),
      ...(flags.memory !== undefined ? {memory: flags.memory} : {}),
    })
    const {deps} = await this.lifecycle(flags)
    const result = await plugScale(deps, ref, request)
    this.view?.stop()
    this.say(renderScale(result, this.style))
    return result
  }
}
