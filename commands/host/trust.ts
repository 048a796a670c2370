import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../src/cli/flags.js'
import {trustHost} from '../../src/services/hosts.js'

export default class HostTrust extends AimsCommand {
  static override description = "Fetch a host's SSH key, show its SHA256 fingerprint, and record it once you confirm"
  static override examples = [
    '<%= config.bin %> host trust vps',
    '<%= config.bin %> host trust vps --yes   # scripts: trust on first use',
    '<%= config.bin %> host trust vps --replace-key SHA256:…   # the host was re-keyed: name the new key',
  ]
  static override args = {name: Args.string({description: 'host name', required: true})}
  static override flags = {
    yes: yesFlag,
    'dry-run': dryRunFlag,
    'replace-key': Flags.string({
      description:
        "replace a changed host key: the new key's SHA256 fingerprint, exactly (--yes alone never replaces one)",
    }),
  }

  async run() {
    const {args, flags} = await this.parse(HostTrust)
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
