import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {ALERTS_TEST} from '../../src/core/commands/warden.js'
import {AimsError, ExitCode} from '../../src/core/errors.js'
import {sanitizeUntrusted} from '../../src/core/text/sanitize.js'

export default class AlertsTest extends declared(ALERTS_TEST, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {testAlertChannels} = await import('../../src/services/warden/settings.js')
    const result = await testAlertChannels(session, args.id)
    for (const item of result.results)
      this.say(`${item.ok ? 'sent' : 'FAILED'} ${item.id}${item.detail ? `: ${sanitizeUntrusted(item.detail)}` : ''}`)
    const failed = result.results.filter((item) => !item.ok)
    if (failed.length > 0 && !this.jsonEnabled())
      throw new AimsError('remote', `${failed.length} test alert(s) not delivered`, {
        hint: 'check the receiver, then aims alerts test again',
        exitCode: ExitCode.failure,
      })
    if (failed.length > 0) process.exitCode = ExitCode.failure
    return result
  }
}
