import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {declared} from '../src/cli/declared.js'
import {STATS} from '../src/core/commands/top.js'
import {checkResourceName} from '../src/core/names.js'
import {statsTable} from '../src/ui/present/stats.js'

export default class Stats extends declared(STATS, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
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
