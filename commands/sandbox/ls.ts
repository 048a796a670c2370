import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {SANDBOX_LS} from '../../src/core/commands/sandbox.js'
import {checkResourceName} from '../../src/core/names.js'
import {renderSandboxList} from '../../src/ui/present/sandbox.js'

export default class SandboxLs extends declared(SANDBOX_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const tenant = flags.tenant !== undefined ? checkResourceName('tenant', flags.tenant) : undefined
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {listSandboxes} = await import('../../src/services/sandbox.js')
    const sandboxes = await listSandboxes({session, clock: context.clock}, tenant ? {tenant} : {})
    this.say(renderSandboxList(sandboxes, this.style))
    return {sandboxes}
  }
}
