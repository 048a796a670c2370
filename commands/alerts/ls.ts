import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {ALERTS_LS} from '../../src/core/commands/warden.js'
import {channelLines, shownChannel} from '../../src/ui/present/warden.js'

export default class AlertsLs extends declared(ALERTS_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {readChannels} = await import('../../src/services/warden/alert-sink.js')
    const channels = await readChannels(await session.shell(), session.host.stateDir)
    this.say(channelLines(channels))
    return {host: session.host.name, channels: channels.map(shownChannel)}
  }
}
