import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_INSTALL} from '../../src/core/commands/warden.js'
import {usageError} from '../../src/core/errors.js'
import {setPolicyKey, DEFAULT_POLICY} from '../../src/core/warden/policy.js'

export default class WardenInstall extends declared(WARDEN_INSTALL, LifecycleCommand) {
  async run() {
    const {flags} = await this.input()
    const policy = flags.policy.map((entry) => {
      const eq = entry.indexOf('=')
      if (eq <= 0) throw usageError(`--policy ${entry} is not KEY=VALUE`, 'e.g. --policy interval=15')
      const pair = {key: entry.slice(0, eq), value: entry.slice(eq + 1)}
      setPolicyKey(DEFAULT_POLICY, pair.key, pair.value) // bad input exits 2 before any connection
      return pair
    })
    const {deps} = await this.lifecycle(flags)
    const [{installWarden}, {packageBuild, packWarden}] = await Promise.all([
      import('../../src/services/warden/install.js'),
      import('../../src/adapters/warden-package.js'),
    ])
    const result = await installWarden(deps, {...packageBuild(), pack: packWarden}, {policy})
    this.view?.stop()
    if (result.status === 'already-installed')
      this.say(`The warden ${result.build} is already installed and running on ${result.host}.`)
    else if (result.status === 'installed')
      this.say(
        `Installed the warden ${result.build} on ${result.host} (${Math.round(result.durationMs / 1000)} s)` +
          `${result.replaced ? `, replacing ${result.replaced}` : ''}: aims warden status`,
      )
    else this.say('Dry run: nothing was changed.')
    const {plan: _plan, ...shown} = result
    return shown
  }
}
