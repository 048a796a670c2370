import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {ALERTS_RM} from '../../src/core/commands/warden.js'

export default class AlertsRm extends declared(ALERTS_RM, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const {deps} = await this.lifecycle(flags)
    const {removeAlertChannel} = await import('../../src/services/warden/settings.js')
    const result = await removeAlertChannel(deps, args.id)
    this.view?.stop()
    this.say(result.status === 'applied' ? `Removed ${args.id}.` : 'Dry run: nothing was changed.')
    return result
  }
}
