import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_LS} from '../../src/core/commands/plug.js'
import {checkResourceName} from '../../src/core/names.js'
import {instanceRows} from '../../src/ui/present/instances.js'
import {renderTable} from '../../src/ui/present/table.js'

export default class PlugLs extends declared(PLUG_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {listInstances} = await import('../../src/services/instances.js')
    const instances = await listInstances(session, {
      ...(flags.tenant ? {tenant: flags.tenant} : {}),
      probe: !flags['no-probe'],
    })
    const now = new Date()
    const rows = instanceRows(instances, now)
    if (rows.length === 0)
      this.say(
        `Nothing deployed on ${session.host.name}${flags.tenant ? ` for tenant ${flags.tenant}` : ''} yet. Try: aims catalog ls, then aims plug up PLUG`,
      )
    else
      this.say(
        renderTable(
          ['TENANT', 'INSTANCE', 'PLUG', 'STATUS', 'HEALTH', 'PORT', 'URL', 'AGE'],
          rows.map((row) => [
            row.tenant,
            row.instance,
            row.plug,
            row.status,
            row.health,
            row.port ? String(row.port) : '-',
            row.url ?? '-',
            row.age,
          ]),
        ),
      )
    return {host: session.host.name, instances: rows}
  }
}
