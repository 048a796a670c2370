import {existsSync, accessSync, constants} from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {dryRunFlag} from '../../src/cli/flags.js'
import {formatTarget} from '../../src/core/host-target.js'
import {addHost} from '../../src/services/hosts.js'

export default class HostAdd extends AimsCommand {
  static override description = 'Add a host: a VPS reached over SSH, or "local" for this machine\'s Docker engine'
  static override examples = [
    '<%= config.bin %> host add vps root@203.0.113.7 --identity ~/.ssh/id_ed25519 --domain apps.example.com',
    '<%= config.bin %> host add vps root@203.0.113.7 --domain apps.example.com --tls-certbot-dir /etc/letsencrypt/live/apps.example.com',
    '<%= config.bin %> host add prod ssh://deploy@prod.example.com:2222 --default',
    '<%= config.bin %> host add box my-ssh-alias',
    '<%= config.bin %> host add laptop local',
  ]
  static override args = {
    name: Args.string({description: 'a short name for the host (e.g. vps)', required: true}),
    target: Args.string({
      description: 'ssh://user@host[:port] | user@host[:port] | an alias from ~/.ssh/config | local',
      required: true,
    }),
  }
  static override flags = {
    identity: Flags.string({char: 'i', description: 'private key file to log in with'}),
    domain: Flags.string({description: 'domain whose subdomains route to this host (instance.tenant.DOMAIN)'}),
    default: Flags.boolean({description: 'make this the default host', default: false}),
    force: Flags.boolean({description: 'replace a host of the same name', default: false}),
    'docker-socket': Flags.string({
      description: 'path of the Docker socket on the host (default /var/run/docker.sock)',
    }),
    'nginx-conf-dir': Flags.string({
      description: 'where plug nginx confs go on the host (default /etc/nginx/conf.d/plugs)',
    }),
    'state-dir': Flags.string({description: 'aims state (locks, audit copy) on the host (default /var/lib/aims)'}),
    'tls-cert': Flags.string({description: 'TLS certificate (full chain) on the host, e.g. a wildcard for *.DOMAIN'}),
    'tls-key': Flags.string({description: 'TLS private key on the host'}),
    'tls-certbot-dir': Flags.string({
      description:
        "certbot's live dir on the host (fullchain.pem, privkey.pem), e.g. /etc/letsencrypt/live/example.com",
    }),
    'dry-run': dryRunFlag,
  }

  async run() {
    const {args, flags} = await this.parse(HostAdd)
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
        `${result.replaced ? 'Replaced' : 'Added'} host ${this.style.bold(result.host.name)} → ${target}${result.default ? ' (default)' : ''}.`,
      )
      if (result.host.target !== 'local')
        this.say(
          `Next: aims host trust ${result.host.name}   (check and record its SSH host key), then aims doctor --host ${result.host.name}`,
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
