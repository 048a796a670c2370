import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_LS} from '../../src/core/commands/plug.js'
import {checkResourceName} from '../../src/core/names.js'
import {instanceRows} from '../../src/ui/present/instances.js'
import {renderInstanceList} from '../../src/ui/present/lifecycle.js'

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
    const rows = instanceRows(instances, context.clock.now())
    this.say(renderInstanceList(rows, session.host.name, flags.tenant))
    return {host: session.host.name, instances: rows}
  }
}
