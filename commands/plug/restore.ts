import {resolve} from 'node:path'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {BACKUP_ID} from '../../src/core/backup/backup.js'
import {PLUG_RESTORE} from '../../src/core/commands/upgrade.js'
import {parseInstanceRef} from '../../src/core/names.js'
import {renderRestore} from '../../src/ui/present/upgrade.js'
import type {RestoreFrom} from '../../src/services/backup.js'

export default class PlugRestore extends declared(PLUG_RESTORE, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    let from: RestoreFrom
    const other = /^([^/:]+\/[^/:]+):(.+)$/.exec(args.from)
    if (BACKUP_ID.test(args.from)) from = {kind: 'host', ref, id: args.from}
    else if (other && BACKUP_ID.test(other[2]!)) from = {kind: 'host', ref: parseInstanceRef(other[1]!), id: other[2]!}
    else {
      const {openBackupSource} = await import('../../src/adapters/backup-file.js')
      from = {kind: 'file', source: await openBackupSource(resolve(args.from))}
    }
    const {deps} = await this.lifecycle(flags)
    const {plugRestore} = await import('../../src/services/backup.js')
    const result = await plugRestore(deps, ref, from)
    this.view?.stop()
    this.say(renderRestore(result, this.style))
    return result
  }
}
