import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {pingHost} from '../../src/services/ping.js'

export default class HostPing extends AimsCommand {
  static override description = "Measure the round trip to a host's Docker engine over aims' one connection"
  static override examples = ['<%= config.bin %> host ping vps', '<%= config.bin %> host ping vps --count 50 --json']
  static override args = {name: Args.string({description: 'host name (default: the selected host)'})}
  static override flags = {
    count: Flags.integer({char: 'c', description: 'number of engine API calls', default: 5, min: 1, max: 10_000}),
  }

  async run() {
    const {args, flags} = await this.parse(HostPing)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(args.name ?? flags.host))
    const result = await pingHost(session, flags.count, () => performance.now())
    this.say(
      `${result.host}: ${result.calls} engine calls over ${result.sshLogins === 0 ? 'the local socket' : `${result.sshLogins} SSH login`}; connect ${result.connectMs} ms, per call median ${result.medianMs} ms, p95 ${result.p95Ms} ms`,
    )
    return result
  }
}
