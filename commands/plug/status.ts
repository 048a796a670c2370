import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_STATUS} from '../../src/core/commands/plug.js'
import {formatBytes} from '../../src/core/names.js'
import {renderTable} from '../../src/ui/present/table.js'

export default class PlugStatus extends declared(PLUG_STATUS, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {instanceStatus} = await import('../../src/services/instances.js')
    const status = await instanceStatus(session, ref)
    const view = status.instance
    this.say(
      `${this.style.bold(view.ref)}  ${view.plug}  ${view.status}, ${view.health}${view.healthDetail ? ` (${view.healthDetail})` : ''}`,
    )
    if (view.domainUrl) this.say(`URL      ${view.domainUrl}`)
    if (view.localUrl) this.say(`On host  ${view.localUrl}`)
    this.say('')
    this.say(
      renderTable(
        ['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'PORT', 'CPU', 'MEMORY', 'RESTARTS'],
        status.services.map((service) => [
          service.replica > 1 ? `${service.service} #${service.replica}` : service.service,
          service.container,
          service.state,
          service.health,
          service.hostPort ? String(service.hostPort) : '-',
          service.cpus ? String(service.cpus) : '-',
          service.memoryLimitBytes ? formatBytes(service.memoryLimitBytes) : '-',
          String(service.restartCount),
        ]),
      ),
    )
    for (const service of status.services.filter((item) => item.replica === 1)) {
      const env = Object.entries(service.env)
      if (env.length > 0)
        this.say(`\nenv ${service.service}: ${env.map(([key, value]) => `${key}=${value}`).join(' ')}`)
    }
    return status
  }
}
