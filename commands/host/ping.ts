import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_PING} from '../../src/core/commands/host.js'
import {pingHost} from '../../src/services/ping.js'

export default class HostPing extends declared(HOST_PING, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(args.name ?? flags.host))
    const result = await pingHost(session, flags.count, () => performance.now())
    this.say(
      `${result.host}: ${result.calls} engine calls over ` +
        `${result.sshLogins === 0 ? 'the local socket' : `${result.sshLogins} SSH login`}; connect ` +
        `${result.connectMs} ms, per call median ${result.medianMs} ms, p95 ${result.p95Ms} ms`,
    )
    return result
  }
}
