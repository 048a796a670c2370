import {Args} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {dryRunFlag, tenantFlag, yesFlag} from '../../src/cli/flags.js'

export default class PlugStart extends LifecycleCommand {
  static override description = 'Start a stopped instance (dependencies first) and wait until it is healthy'
  static override examples = ['<%= config.bin %> plug start n8n --yes', '<%= config.bin %> plug start acme/n8n --dry-run']
  static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
  static override flags = {tenant: tenantFlag, yes: yesFlag, 'dry-run': dryRunFlag}

  async run() {
    const {args, flags} = await this.parse(PlugStart)
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {deps} = await this.lifecycle(flags)
    const {changeState} = await import('../../src/services/plug-manage.js')
    const result = await changeState(deps, ref, 'start')
    this.view?.stop()
    this.say(result.status === 'dry-run' ? this.style.dim('Dry run: nothing was changed.') : `${this.style.green('✓')} ${result.action.replace('plug-', '')} ${result.instance} done (${(result.durationMs / 1000).toFixed(1)} s)${result.health ? `, ${result.health.detail}` : ''}`)
    return result
  }
}
