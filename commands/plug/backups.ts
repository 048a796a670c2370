import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_BACKUPS} from '../../src/core/commands/upgrade.js'
import {formatInstanceRef} from '../../src/core/names.js'
import {renderBackups} from '../../src/ui/present/upgrade.js'

export default class PlugBackups extends declared(PLUG_BACKUPS, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {listBackups} = await import('../../src/services/backup.js')
    const {readSchedule, describeSchedule} = await import('../../src/services/backup-schedule.js')
    const backups = await listBackups({session}, ref)
    const schedule = await readSchedule({session}, ref)
    this.say(renderBackups(backups, formatInstanceRef(ref), schedule ? describeSchedule(schedule) : undefined))
    return {instance: formatInstanceRef(ref), host: session.host.name, backups, ...(schedule ? {schedule} : {})}
  }
}
