import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_LOGS} from '../../src/core/commands/warden.js'
import {AimsError} from '../../src/core/errors.js'
import {sanitizeUntrusted} from '../../src/core/text/sanitize.js'

export default class WardenLogs extends declared(WARDEN_LOGS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {WARDEN_CONTAINER} = await import('../../src/services/warden/install.js')
    const engine = await session.engine()
    if (!(await engine.inspectContainer(WARDEN_CONTAINER)))
      throw new AimsError('not-found', `the warden is not installed on ${session.host.name}`, {
        hint: 'aims warden install',
      })
    for (const line of await engine.logs(WARDEN_CONTAINER, {tail: flags.tail}))
      this.io.stdout.write(`${sanitizeUntrusted(line.text)}\n`)
  }
}
