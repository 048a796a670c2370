import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {SANDBOX_RM} from '../../src/core/commands/sandbox.js'
import {checkSandboxId} from '../../src/core/sandbox/sandbox.js'

export default class SandboxRm extends declared(SANDBOX_RM, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const id = checkSandboxId(args.id)
    const {removeSandbox} = await import('../../src/services/sandbox.js')
    const {deps} = await this.lifecycle(flags)
    const result = await removeSandbox(deps, id)
    this.view?.stop()
    this.say(result.status === 'dry-run' ? 'Dry run: nothing was changed.' : `✓ ${id} is gone.`)
    return result
  }
}
