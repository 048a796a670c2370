import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_UNINSTALL} from '../../src/core/commands/warden.js'

export default class WardenUninstall extends declared(WARDEN_UNINSTALL, LifecycleCommand) {
  async run() {
    const {flags} = await this.input()
    const {deps} = await this.lifecycle(flags)
    const {uninstallWarden} = await import('../../src/services/warden/install.js')
    const result = await uninstallWarden(deps, {purge: flags.purge})
    this.view?.stop()
    this.say(
      result.status === 'not-installed'
        ? `The warden is not installed on ${result.host}.`
        : result.status === 'dry-run'
          ? 'Dry run: nothing was changed.'
          : `Uninstalled the warden from ${result.host}.`,
    )
    const {plan: _plan, ...shown} = result
    return shown
  }
}
