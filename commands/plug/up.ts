import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_UP} from '../../src/core/commands/plug.js'
import {AimsError} from '../../src/core/errors.js'
import {interruptOnSignals} from '../../src/cli/interrupt.js'
import {formatInstanceRef} from '../../src/core/names.js'
import {validatePlugUpOptions} from '../../src/core/plan/requests.js'
import {plugUpWarnings, renderPlugUp, renderUnhealthyLogs} from '../../src/ui/present/lifecycle.js'

export default class PlugUp extends declared(PLUG_UP, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const tenant = flags.tenant ?? (await context.defaultTenant())
    const envFile =
      flags['env-file'] !== undefined
        ? await (await import('../../src/adapters/env-file.js')).readEnvFile(flags['env-file'])
        : undefined
    const {plugUp} = await import('../../src/services/plug-up.js')
    const options = {
      plug: args.plug,
      tenant,
      env: flags.env,
      expose: flags.expose,
      links: flags.link,
      ...(flags.name ? {name: flags.name} : {}),
      ...(envFile ? {envFile} : {}),
      ...(flags.domain ? {domain: flags.domain} : {}),
      ...(flags.cpus ? {cpus: flags.cpus} : {}),
      ...(flags.memory ? {memory: flags.memory} : {}),
    }
    // Bad input fails here, before any connection is made.
    const request = validatePlugUpOptions(options)
    const {deps} = await this.lifecycle(flags, {ask: true})
    // Ctrl-C, SIGTERM or a closed output pipe from here on: the run rolls back what it created (src/cli/interrupt.ts).
    const target = formatInstanceRef(request.ref)
    const interrupts = interruptOnSignals({
      what: `plug up of ${target}`,
      cleanup: `aims plug down ${target}`,
      say: (line) => {
        this.view?.stop()
        this.io.stderr.write(`${line}\n`)
      },
    })
    try {
      const result = await plugUp({...deps, signal: interrupts.signal}, request).finally(() => interrupts.dispose())
      this.view?.stop()
      this.say(renderPlugUp(result, this.style))
      for (const warning of plugUpWarnings(result, this.errStyle)) this.note(warning)
      return result
    } catch (error) {
      this.view?.stop()
      if (error instanceof AimsError && error.kind === 'unhealthy' && !this.jsonEnabled())
        this.io.stderr.write(renderUnhealthyLogs(error.details))
      throw error
    }
  }
}
