import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {AUDIT} from '../src/core/commands/top.js'
import {redactSecrets} from '../src/core/text/redact.js'
import {renderTable} from '../src/ui/present/table.js'

export default class Audit extends declared(AUDIT, AimsCommand) {
  async run() {
    const {flags} = await this.input()
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
    // Records written before secrets were masked at the source are masked on the way out too.
    const shown = records.slice(-flags.limit).map((record) => ({
      ...record,
      ...(record.utterance ? {utterance: redactSecrets(record.utterance)} : {}),
      ...(record.command ? {command: redactSecrets(record.command)} : {}),
      ...(record.detail ? {detail: redactSecrets(record.detail)} : {}),
    }))
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
