import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_UPGRADE} from '../../src/core/commands/upgrade.js'
import {AimsError} from '../../src/core/errors.js'
import {isTag} from '../../src/core/releases/image-ref.js'
import {renderUpgrade} from '../../src/ui/present/upgrade.js'

export default class PlugUpgrade extends declared(PLUG_UPGRADE, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    if (flags.to !== undefined && !isTag(flags.to))
      throw new AimsError('usage', `--to ${flags.to}: not a valid tag`, {
        hint: 'a tag is letters, digits, _ . - (at most 128), e.g. --to 1.4.2',
      })
    if (flags.service !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(flags.service))
      throw new AimsError('usage', `--service ${flags.service}: not a service name`, {hint: 'see aims plug status'})
    const {deps} = await this.lifecycle(flags)
    const {plugUpgrade, newestTag} = await import('../../src/services/upgrade.js')
    const context = await this.context()
    const to =
      flags.to ??
      (await newestTag({...deps, ...(await context.registryDeps(deps.session))}, ref, {
        service: flags.service,
        major: Boolean(flags.major),
      }))
    const result = await plugUpgrade(deps, {ref, to, ...(flags.service ? {service: flags.service} : {})})
    this.view?.stop()
    this.say(renderUpgrade(result, this.style))
    return result
  }
}
