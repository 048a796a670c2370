import {existsSync, accessSync, constants} from 'node:fs'
import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_ADD} from '../../src/core/commands/host.js'
import {formatTarget} from '../../src/core/host-target.js'
import {addHost} from '../../src/services/hosts.js'

export default class HostAdd extends declared(HOST_ADD, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const result = await addHost(
      {
        config: context.config,
        now: () => new Date(),
        cwd: process.cwd(),
        fileReadable: (path) => existsSync(path) && canRead(path),
      },
      {
        name: args.name,
        target: args.target,
        identity: flags.identity,
        domain: flags.domain,
        dockerSocket: flags['docker-socket'],
        nginxConfDir: flags['nginx-conf-dir'],
        stateDir: flags['state-dir'],
        tlsCertificate: flags['tls-cert'],
        tlsKey: flags['tls-key'],
        tlsCertbotDir: flags['tls-certbot-dir'],
        registryMirror: flags['registry-mirror'],
        makeDefault: flags.default,
        force: flags.force,
        dryRun: flags['dry-run'],
      },
    )
    const target = formatTarget(result.host.target)
    if (result.dryRun) {
      this.say(
        `Would add host ${result.host.name} → ${target}${result.default ? ' (default)' : ''}. Nothing was written.`,
      )
    } else {
      this.say(
        `${result.replaced ? 'Replaced' : 'Added'} host ${this.style.bold(result.host.name)} → ` +
          `${target}${result.default ? ' (default)' : ''}.`,
      )
      if (result.host.target !== 'local')
        this.say(
          `Next: aims host trust ${result.host.name}   (check and record its SSH host key), then aims doctor ` +
            `--host ${result.host.name}`,
        )
    }
    return result
  }
}

function canRead(path: string): boolean {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}
