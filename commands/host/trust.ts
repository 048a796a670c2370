import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_TRUST} from '../../src/core/commands/host.js'
import {trustHost} from '../../src/services/hosts.js'

export default class HostTrust extends declared(HOST_TRUST, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const host = await context.resolveHost(await context.hostEntry(args.name))
    const result = await trustHost(
      {
        knownHosts: context.knownHosts,
        scanner: await context.hostKeyScanner(),
        prompter: context.prompter,
        show: (line) => this.note(line),
      },
      host,
      {
        yes: flags.yes,
        dryRun: flags['dry-run'],
        ...(flags['replace-key'] !== undefined ? {replaceKey: flags['replace-key']} : {}),
      },
    )
    if (result.recorded) this.say(`Trusted ${result.host}: recorded ${result.fingerprint} in ${result.file}.`)
    else if (flags['dry-run'] && result.previous !== 'trusted') this.say('Dry run: nothing was recorded.')
    return result
  }
}
