import {Args} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {dryRunFlag, tenantFlag, yesFlag} from '../../src/cli/flags.js'

export default class PlugStop extends LifecycleCommand {
  static override description = 'Stop an instance gracefully (its containers, volumes and port stay)'
  static override examples = ['<%= config.bin %> plug stop n8n --yes', '<%= config.bin %> plug stop acme/n8n --dry-run']
  static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
  static override flags = {tenant: tenantFlag, yes: yesFlag, 'dry-run': dryRunFlag}

  async run() {
    const {args, flags} = await this.parse(PlugStop)
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {changeState} = await import('../../src/services/plug-manage.js')
    const result = await changeState(deps, ref, 'stop')
    this.view?.stop()
    this.say(result.status === 'dry-run' ? this.style.dim('Dry run: nothing was changed.') : `${this.style.green('✓')} ${result.action.replace('plug-', '')} ${result.instance} done (${(result.durationMs / 1000).toFixed(1)} s)${result.health ? `, ${result.health.detail}` : ''}`)
    return result
  }
}
