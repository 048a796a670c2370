import {Args, Flags} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {dryRunFlag, tenantFlag, yesFlag} from '../../src/cli/flags.js'

export default class PlugScale extends LifecycleCommand {
  static override description =
    "Scale an instance's main service: replicas behind the proxy, and/or its CPU and memory limits (live)"
  static override examples = [
    '<%= config.bin %> plug scale acme/n8n --replicas 3',
    '<%= config.bin %> plug scale n8n --memory 2g --cpus 2 --yes',
  ]
  static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
  static override flags = {
    tenant: tenantFlag,
    replicas: Flags.integer({char: 'r', description: 'number of replicas of the main service (1-20)'}),
    cpus: Flags.string({description: 'CPU limit per replica, e.g. 0.5 or 2'}),
    memory: Flags.string({description: 'memory limit per replica, e.g. 512m or 2g'}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run() {
    const {args, flags} = await this.parse(PlugScale)
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const {plugScale} = await import('../../src/services/plug-manage.js')
    const options = {
      ...(flags.replicas !== undefined ? {replicas: flags.replicas} : {}),
      ...(flags.cpus !== undefined ? {cpus: flags.cpus} : {}),
      ...(flags.memory !== undefined ? {memory: flags.memory} : {}),
    }
    const {deps} = await this.lifecycle(flags)
    const result = await plugScale(deps, ref, options)
    this.view?.stop()
    this.say(
      result.status === 'dry-run'
        ? this.style.dim('Dry run: nothing was changed.')
        : `${this.style.green('✓')} ${result.instance} runs ${result.replicas} replica${result.replicas === 1 ? '' : 's'} (ports ${result.ports.join(', ')}).`,
    )
    return result
  }
}
