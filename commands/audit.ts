import {Flags} from '@oclif/core'
import {AimsCommand} from '../src/cli/base-command.js'
import {renderTable} from '../src/ui/present/table.js'

export default class Audit extends AimsCommand {
  static override description =
    'What was applied, by whom, from which command or utterance (this machine, or the host copy with --remote)'
  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit --remote --host vps --json']
  static override flags = {
    remote: Flags.boolean({description: "read the host's copy (every machine's actions on that host)", default: false}),
    limit: Flags.integer({char: 'n', description: 'show the last N records', default: 50, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(Audit)
    const context = await this.context()
    let records
    let source: string
    if (flags.remote) {
      const session = await context.session(await context.hostEntry(flags.host))
      const shell = await session.shell()
      const text = (await shell.readFile(`${session.host.stateDir}/audit.jsonl`))?.toString('utf8') ?? ''
      const {parseAuditLines} = await import('../src/adapters/audit-file.js')
      records = parseAuditLines(text)
      source = `${session.host.name}:${session.host.stateDir}/audit.jsonl`
    } else {
      records = await (await context.audit()).list()
      source = context.paths.auditFile
    }
    const shown = records.slice(-flags.limit)
    if (shown.length === 0) this.say(`No audit records yet in ${source}.`)
    else
      this.say(
        renderTable(
          ['TIME', 'ACTOR', 'HOST', 'ACTION', 'TARGET', 'OUTCOME', 'FROM'],
          shown.map((record) => [
            record.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
            record.actor,
            record.host,
            record.action,
            record.target,
            record.outcome,
            record.utterance ? `"${record.utterance}"` : (record.command ?? record.origin),
          ]),
        ),
      )
    return {source, records: shown}
  }
}
