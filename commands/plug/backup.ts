import {resolve} from 'node:path'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {parseEvery} from '../../src/core/backup/backup.js'
import {PLUG_BACKUP} from '../../src/core/commands/upgrade.js'
import {AimsError} from '../../src/core/errors.js'
import {renderBackup, renderSchedule} from '../../src/ui/present/upgrade.js'

export default class PlugBackup extends declared(PLUG_BACKUP, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    if (flags.every === undefined && (flags.keep !== undefined || flags.s3 !== undefined))
      throw new AimsError('usage', '--keep and --s3 go with --every', {hint: 'e.g. --every 1d --keep 7'})
    if (flags.every !== undefined) {
      if (flags.out !== undefined)
        throw new AimsError('usage', '--every and --out do not go together', {hint: 'drop --out'})
      const everyMs = parseEvery(flags.every)
      const {parseS3Target} = await import('../../src/core/backup/s3.js')
      const s3 = flags.s3 !== undefined ? parseS3Target(flags.s3) : undefined
      const {deps} = await this.lifecycle(flags)
      const {scheduleBackup} = await import('../../src/services/backup-schedule.js')
      const result = await scheduleBackup(deps, {
        ref,
        every: flags.every,
        everyMs,
        keep: flags.keep ?? 7,
        ...(s3 ? {s3} : {}),
      })
      this.view?.stop()
      this.say(renderSchedule(result, this.style))
      return result
    }
    if (flags['keep-on-host'] && flags.out === undefined)
      throw new AimsError('usage', '--keep-on-host goes with --out', {
        hint: 'without --out the backup stays on the host',
      })
    const out = flags.out !== undefined ? resolve(flags.out) : undefined
    const {deps} = await this.lifecycle(flags)
    const {plugBackup} = await import('../../src/services/backup.js')
    let sink
    if (out && !flags['dry-run']) {
      const {openBackupSink} = await import('../../src/adapters/backup-file.js')
      sink = await openBackupSink(out)
    }
    const fileSink = sink ?? (out ? {path: out, stream: process.stdout, close: async () => undefined} : undefined)
    let result
    try {
      result = await plugBackup(deps, {
        ref,
        reason: 'manual',
        ...(fileSink ? {sink: fileSink} : {}),
        ...(flags['keep-on-host'] ? {keepOnHost: true} : {}),
      })
    } catch (error) {
      if (sink) await (await import('../../src/adapters/backup-file.js')).finishBackupFile(sink.path, '', false)
      throw error
    }
    if (sink) {
      const {finishBackupFile} = await import('../../src/adapters/backup-file.js')
      await finishBackupFile(sink.path, result.backup?.sha256 ?? '', result.status === 'applied')
    }
    this.view?.stop()
    this.say(renderBackup(result, this.style))
    return result
  }
}
