import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {DOCK} from '../src/core/commands/top.js'
import {AimsError, usageError} from '../src/core/errors.js'
import {checkResourceName} from '../src/core/names.js'

export default class Dock extends declared(DOCK, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    if (this.jsonEnabled())
      throw usageError(
        'aims dock is interactive and has no --json output',
        'for scripts use aims plug ls --json, aims stats --json or aims events --follow --json',
      )
    if (!this.io.stdin.isTTY || !this.io.stdout.isTTY)
      throw usageError(
        'aims dock needs a terminal (stdin and stdout must be a TTY)',
        'run it in a terminal; in scripts use aims plug ls, aims stats or aims events --follow',
      )
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    // Connect before the full screen takes over, so a key passphrase can be asked and a wrong key or
    // host key fails plainly; an unreachable host opens the dock anyway (stale, reconnecting).
    try {
      await (await session.engine()).ping()
    } catch (error) {
      if (error instanceof AimsError && (error.kind === 'auth' || error.kind === 'host-key' || error.kind === 'usage'))
        throw error
    }
    // React's development build re-checks every render; a CLI wants the production one (chosen at its first import).
    process.env.NODE_ENV ??= 'production'
    const {runDock} = await import('../src/ui/views/dock-app.js')
    await runDock({
      context,
      session,
      aimsVersion: this.config.version,
      ...(flags.tenant ? {tenant: flags.tenant} : {}),
      readonly: flags.readonly,
      ...(this.io.env.AIMS_DOCK_METRICS ? {metricsFile: this.io.env.AIMS_DOCK_METRICS} : {}),
    })
    return undefined
  }
}
