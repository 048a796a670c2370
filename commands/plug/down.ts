import {Args, Flags} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {dryRunFlag, tenantFlag, yesFlag} from '../../src/cli/flags.js'

export default class PlugDown extends LifecycleCommand {
  static override description =
    'Decommission an instance: graceful stop, then remove its containers, volumes (unless --keep-data), networks and proxy route'
  static override examples = [
    '<%= config.bin %> plug down n8n   # asks you to type the instance name',
    '<%= config.bin %> plug down acme/n8n --keep-data --yes',
  ]
  static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
  static override flags = {
    tenant: tenantFlag,
    'keep-data': Flags.boolean({
      description: 'keep the volumes (a later plug up of the same name reuses them)',
      default: false,
    }),
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run() {
    const {args, flags} = await this.parse(PlugDown)
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {plugDown} = await import('../../src/services/plug-manage.js')
    const result = await plugDown(deps, ref, {keepData: flags['keep-data']})
    this.view?.stop()
    if (result.status === 'dry-run') this.say(this.style.dim('Dry run: nothing was changed.'))
    else
      this.say(
        `${this.style.green('✓')} ${result.instance} is gone: ${result.removed.containers.length} containers, ${result.removed.volumes.length} volumes, ${result.removed.networks.length} networks removed${result.keptVolumes.length > 0 ? `; kept ${result.keptVolumes.join(', ')}` : ''}.`,
      )
    return result
  }
}
