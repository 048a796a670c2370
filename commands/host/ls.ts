import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {HOST_LS} from '../../src/core/commands/host.js'
import {listHosts} from '../../src/services/hosts.js'
import {renderTable} from '../../src/ui/present/table.js'

export default class HostLs extends declared(HOST_LS, AimsCommand) {
  async run() {
    await this.input()
    const context = await this.context()
    const rows = await listHosts(context.config, context.knownHosts, (entry) => context.resolveHost(entry))
    if (rows.length === 0) {
      this.say('No hosts yet. Add your VPS: aims host add vps root@203.0.113.7 --identity ~/.ssh/id_ed25519')
    } else {
      this.say(
        renderTable(
          ['', 'NAME', 'TARGET', 'DOMAIN', 'HOST KEY'],
          rows.map((row) => [
            row.default ? '*' : '',
            row.name,
            row.target,
            row.domain ?? '-',
            row.fingerprint ?? row.hostKey,
          ]),
        ),
      )
    }
    return {hosts: rows}
  }
}
