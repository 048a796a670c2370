import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_POLICY} from '../../src/core/commands/warden.js'
import {usageError} from '../../src/core/errors.js'
import {DEFAULT_POLICY, setPolicyKey} from '../../src/core/warden/policy.js'
import {policyLines} from '../../src/ui/present/warden.js'
import {redactTarget} from '../../src/core/warden/alerts.js'

export default class WardenPolicyCommand extends declared(WARDEN_POLICY, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    if (args.key !== undefined && args.value === undefined)
      throw usageError(`warden policy ${args.key} needs a value`, `e.g. aims warden policy ${args.key} VALUE --yes`)
    if (args.key !== undefined) setPolicyKey(DEFAULT_POLICY, args.key, args.value!) // exit 2 before connecting
    const context = await this.context()
    if (args.key === undefined) {
      const session = await context.session(await context.hostEntry(flags.host))
      const {readPolicy} = await import('../../src/services/warden/store.js')
      const policy = await readPolicy(await session.shell(), session.host.stateDir)
      this.say(policyLines(policy))
      return {status: 'shown', host: session.host.name, policy}
    }
    const {deps} = await this.lifecycle(flags)
    if (args.key === 'heartbeat-url')
      deps.origin = {
        ...deps.origin,
        argv: (deps.origin.argv ?? []).map((arg) => (arg === args.value ? redactTarget(arg) : arg)),
      }
    const {setWardenPolicy} = await import('../../src/services/warden/settings.js')
    const result = await setWardenPolicy(deps, args.key, args.value!)
    this.view?.stop()
    this.say(result.status === 'applied' ? `Set ${args.key} on ${result.host}.` : 'Dry run: nothing was changed.')
    return result
  }
}
