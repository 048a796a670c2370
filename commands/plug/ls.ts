import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_LS} from '../../src/core/commands/plug.js'
import {checkResourceName} from '../../src/core/names.js'
import {instanceRows} from '../../src/ui/present/instances.js'
import {renderInstanceList, renderKeptData} from '../../src/ui/present/lifecycle.js'

export default class PlugLs extends declared(PLUG_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    if (flags.kept) {
      const {readKeptData} = await import('../../src/services/kept-data.js')
      const kept = await readKeptData(session, await session.engine(), flags.tenant ? {tenant: flags.tenant} : {})
      this.say(renderKeptData(kept, session.host.name, flags.tenant))
      return {host: session.host.name, kept}
    }
    const {listInstances} = await import('../../src/services/instances.js')
    const instances = await listInstances(session, {
      ...(flags.tenant ? {tenant: flags.tenant} : {}),
      probe: !flags['no-probe'],
    })
    const rows = instanceRows(instances, context.clock.now())
    // Interrupted deploys (a journal whose deploy is gone) are marked: plug down removes what they left.
    const {interruptedJournals} = await import('../../src/services/deploy-journal.js')
    for (const journal of await interruptedJournals(session).catch(() => [])) {
      if (flags.tenant && journal.tenant !== flags.tenant) continue
      const row = rows.find((item) => item.ref === journal.ref)
      if (row) row.status = 'interrupted'
      else
        rows.push({
          tenant: journal.tenant,
          instance: journal.instance,
          ref: journal.ref,
          plug: journal.plug ?? '?',
          status: 'interrupted',
          health: '-',
          replicas: 0,
          age: '-',
          createdAt: journal.startedAt ?? '',
        })
    }
    this.say(renderInstanceList(rows, session.host.name, flags.tenant))
    return {host: session.host.name, instances: rows}
  }
}
