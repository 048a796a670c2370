import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {ALERTS_ADD} from '../../src/core/commands/warden.js'
import {checkChannelTarget, redactTarget} from '../../src/core/warden/alerts.js'

export default class AlertsAdd extends declared(ALERTS_ADD, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    checkChannelTarget(args.kind, args.target) // exit 2 before connecting
    const {deps} = await this.lifecycle(flags)
    // The target may hold a token or a password: the audit log records it masked.
    deps.origin = {
      ...deps.origin,
      argv: (deps.origin.argv ?? []).map((arg) => (arg === args.target ? redactTarget(arg) : arg)),
    }
    const {addAlertChannel} = await import('../../src/services/warden/settings.js')
    const result = await addAlertChannel(deps, args.kind, args.target)
    this.view?.stop()
    this.say(
      result.status === 'applied'
        ? `Added ${result.channel.id}: ${result.channel.kind} ${result.channel.target} ` +
            `(aims alerts test ${result.channel.id})`
        : 'Dry run: nothing was changed.',
    )
    return result
  }
}
