import {sanitizeUntrusted} from '../../src/core/text/sanitize.js'
import {Args, Flags} from '@oclif/core'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {tenantFlag} from '../../src/cli/flags.js'

export default class PlugLogs extends LifecycleCommand {
  static override description = "Show an instance's logs (all services, or one with --service); --follow streams them"
  static override examples = [
    '<%= config.bin %> plug logs n8n --tail 100',
    '<%= config.bin %> plug logs acme/ghost --service mysql --follow',
  ]
  static override args = {instance: Args.string({description: 'INSTANCE or TENANT/INSTANCE', required: true})}
  static override flags = {
    tenant: tenantFlag,
    follow: Flags.boolean({char: 'f', description: 'keep streaming new lines (Ctrl-C to stop)', default: false}),
    tail: Flags.integer({description: 'lines per container to show first', default: 100, min: 0, max: 100_000}),
    service: Flags.string({char: 's', description: 'only this service'}),
  }

  async run() {
    const {args, flags} = await this.parse(PlugLogs)
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {instanceLogs, followInstanceLogs} = await import('../../src/services/instances.js')
    const prefix = (service: string, replica: number) => `${service}${replica > 1 ? `#${replica}` : ''}`
    // Log text comes from the container: it is data, shown without its control sequences.
    const show = (line: {service: string; replica: number; text: string; stream: string}) => {
      if (this.jsonEnabled())
        process.stdout.write(
          `${JSON.stringify({service: line.service, replica: line.replica, stream: line.stream, text: sanitizeUntrusted(line.text)})}\n`,
        )
      else
        process.stdout.write(
          `${this.style.dim(`${prefix(line.service, line.replica)} |`)} ${sanitizeUntrusted(line.text)}\n`,
        )
    }
    if (flags.follow) {
      const controller = new AbortController()
      const stop = () => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      await followInstanceLogs(session, ref, {
        tail: flags.tail,
        ...(flags.service ? {service: flags.service} : {}),
        signal: controller.signal,
        onLine: show,
      })
      return undefined
    }
    const lines = await instanceLogs(session, ref, {
      tail: flags.tail,
      ...(flags.service ? {service: flags.service} : {}),
    })
    if (this.jsonEnabled())
      return {
        instance: `${ref.tenant}/${ref.instance}`,
        lines: lines.map((line) => ({
          service: line.service,
          replica: line.replica,
          stream: line.stream,
          time: line.time?.toISOString(),
          text: sanitizeUntrusted(line.text),
        })),
      }
    for (const line of lines) show(line)
    return undefined
  }
}
