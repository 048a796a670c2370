import {sanitizeUntrusted} from '../../src/core/text/sanitize.js'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_LOGS} from '../../src/core/commands/plug.js'
import {logLineJson, renderLogLine} from '../../src/ui/present/lifecycle.js'

export default class PlugLogs extends declared(PLUG_LOGS, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.instance, flags.tenant)
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {instanceLogs, followInstanceLogs} = await import('../../src/services/instances.js')
    // Log text comes from the container: it is data, shown without its control sequences.
    const show = (line: {service: string; replica: number; text: string; stream: string}) =>
      this.io.stdout.write(`${this.jsonEnabled() ? logLineJson(line) : renderLogLine(line, this.style)}\n`)
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
