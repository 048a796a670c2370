/**
 * `plug start`, `plug stop` and `plug restart` differ only in the action and
 * their words; one factory makes the three command classes.
 */
import {Args} from '@oclif/core'
import {dryRunFlag, tenantFlag, yesFlag} from './flags.js'
import {LifecycleCommand} from './lifecycle-command.js'

export function stateCommand(action: 'start' | 'stop' | 'restart', description: string) {
  return class PlugState extends LifecycleCommand {
    static override description = description
    static override examples = [
      `<%= config.bin %> plug ${action} n8n --yes`,
      `<%= config.bin %> plug ${action} acme/n8n --dry-run`,
    ]
    static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
    static override flags = {tenant: tenantFlag, yes: yesFlag, 'dry-run': dryRunFlag}

    async run() {
      const {args, flags} = await this.parse(PlugState)
      const ref = await this.instanceRef(args.instance, flags.tenant)
      const {deps} = await this.lifecycle(flags)
      const {changeState} = await import('../services/plug-manage.js')
      const result = await changeState(deps, ref, action)
      this.view?.stop()
      this.say(
        result.status === 'dry-run'
          ? this.style.dim('Dry run: nothing was changed.')
          : `${this.style.green('✓')} ${action} ${result.instance} done (${(result.durationMs / 1000).toFixed(1)} s)${result.health ? `, ${result.health.detail}` : ''}`,
      )
      return result
    }
  }
}
