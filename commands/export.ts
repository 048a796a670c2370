import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {EXPORT} from '../src/core/commands/top.js'
import {renderExportResult} from '../src/ui/present/export.js'

export default class Export extends declared(EXPORT, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const {exportBundle, validateExportOptions} = await import('../src/services/export.js')
    const options = {
      target: args.target,
      force: flags.force,
      ...(flags.out !== undefined ? {out: flags.out} : {}),
      ...(flags.tenant !== undefined ? {tenant: flags.tenant} : {}),
    }
    const request = validateExportOptions(options)
    const context = await this.context()
    const result = await exportBundle(
      await context.exportDeps({...(flags.host ? {host: flags.host} : {}), aimsVersion: this.config.version}),
      request,
    )
    this.say(renderExportResult(result, this.style))
    return result
  }
}
