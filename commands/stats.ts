import {Args} from '@oclif/core'
import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {tenantFlag} from '../src/cli/flags.js'
import {checkResourceName} from '../src/core/names.js'
import {statsTable} from '../src/ui/present/stats.js'

export default class Stats extends LifecycleCommand {
  static override description =
    'CPU, memory and network of every running container, summed per instance: one sample, all containers sampled at once'
  static override examples = [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats acme/n8n --json',
    '<%= config.bin %> stats --tenant acme',
  ]
  static override args = {
    instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE (default: all)', required: false}),
  }
  static override flags = {tenant: tenantFlag}

  async run() {
    const {args, flags} = await this.parse(Stats)
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    const ref = args.instance ? await this.instanceRef(args.instance, flags.tenant) : undefined
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {instanceStats} = await import('../src/services/stats.js')
    const report = await instanceStats(session, {
      ...(ref ? {ref} : {}),
      ...(flags.tenant ? {tenant: flags.tenant} : {}),
    })
    if (report.instances.length === 0)
      this.say(`Nothing deployed on ${session.host.name}${flags.tenant ? ` for tenant ${flags.tenant}` : ''} yet.`)
    else this.say(statsTable(report.instances))
    return report
  }
}
