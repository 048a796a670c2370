import {Args, Flags} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {dryRunFlag, tenantFlag, yesFlag} from '../../src/cli/flags.js'
import {AimsError} from '../../src/core/errors.js'
import {sanitizeUntrusted} from '../../src/ui/present/text.js'

export default class PlugUp extends LifecycleCommand {
  static override description =
    'Deploy a plug from the catalog: plan, pre-flight gates, confirm, deploy, health gate, ready'
  static override examples = [
    '<%= config.bin %> plug up n8n --tenant acme',
    '<%= config.bin %> plug up uptime-kuma --name status --memory 512m --yes',
    '<%= config.bin %> plug up gitea --env-file gitea.env --dry-run --json',
  ]
  static override args = {plug: Args.string({description: 'catalog id of the plug (aims catalog ls)', required: true})}
  static override flags = {
    name: Flags.string({char: 'n', description: 'instance name (default: the plug id)'}),
    tenant: tenantFlag,
    env: Flags.string({
      char: 'e',
      description: 'set a variable: KEY=VALUE (repeatable; the value is passed byte for byte)',
      multiple: true,
      default: [],
    }),
    'env-file': Flags.string({description: 'read variables from a KEY=VALUE file'}),
    domain: Flags.string({description: 'serve the instance at this domain (default: INSTANCE.TENANT.<host domain>)'}),
    cpus: Flags.string({description: 'CPU limit of the main service, e.g. 0.5 or 2'}),
    memory: Flags.string({description: 'memory limit of the main service, e.g. 512m or 2g'}),
    expose: Flags.boolean({description: 'publish the port on all interfaces instead of 127.0.0.1', default: false}),
    link: Flags.string({
      description: 'let this instance reach TENANT/INSTANCE of another tenant (repeatable)',
      multiple: true,
      default: [],
    }),
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run() {
    const {args, flags} = await this.parse(PlugUp)
    const context = await this.context()
    const tenant = flags.tenant ?? (await context.defaultTenant())
    const envFile =
      flags['env-file'] !== undefined
        ? await (await import('../../src/adapters/env-file.js')).readEnvFile(flags['env-file'])
        : undefined
    const {validatePlugUpOptions, plugUp} = await import('../../src/services/plug-up.js')
    const options = {
      plug: args.plug,
      tenant,
      env: flags.env,
      expose: flags.expose,
      links: flags.link,
      ...(flags.name ? {name: flags.name} : {}),
      ...(envFile ? {envFile} : {}),
      ...(flags.domain ? {domain: flags.domain} : {}),
      ...(flags.cpus ? {cpus: flags.cpus} : {}),
      ...(flags.memory ? {memory: flags.memory} : {}),
    }
    // Bad input fails here, before any connection is made.
    validatePlugUpOptions(options)
    const {deps} = await this.lifecycle(flags, {ask: true})
    try {
      const result = await plugUp(deps, options)
      this.view?.stop()
      if (result.status === 'dry-run') {
        this.say(this.style.dim('Dry run: nothing was changed.'))
      } else {
        this.say(
          `${this.style.green('✓')} ${this.style.bold(result.instance)} is ready (${(result.durationMs / 1000).toFixed(1)} s)`,
        )
        if (result.domainUrl) this.say(`  URL      ${result.domainUrl}`)
        this.say(`  On host  ${result.localUrl}`)
        if (result.notes) this.say(`  Notes    ${result.notes.trim().replace(/\n/g, '\n           ')}`)
        for (const warning of result.warnings) this.note(`${this.errStyle.yellow('warning:')} ${warning}`)
      }
      return result
    } catch (error) {
      this.view?.stop()
      if (error instanceof AimsError && error.kind === 'unhealthy' && !this.jsonEnabled()) {
        const logs = (error.details?.logs as string[] | undefined) ?? []
        process.stderr.write(
          `Last ${logs.length} log lines of ${String(error.details?.service)}:\n${logs.map((line) => `  │ ${sanitizeUntrusted(line)}`).join('\n')}\n`,
        )
      }
      throw error
    }
  }
}
