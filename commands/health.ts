import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {declared} from '../src/cli/declared.js'
import {HEALTH} from '../src/core/commands/top.js'
import {AimsError, ExitCode} from '../src/core/errors.js'
import {checkResourceName} from '../src/core/names.js'
import {healthTable} from '../src/ui/present/stats.js'
import {historyLines} from '../src/ui/present/warden.js'
import type {InstanceRef} from '../src/core/names.js'
import type {HostSession} from '../src/services/ports.js'

export default class Health extends declared(HEALTH, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    const ref = args.instance ? await this.instanceRef(args.instance, flags.tenant) : undefined
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    if (flags.history) return this.history(session, ref, flags.tenant, flags.limit)
    const [{checkHealth, recordHealthChanges}, {hostLifecycleEventWriter}, {newId}] = await Promise.all([
      import('../src/services/health-report.js'),
      import('../src/services/lifecycle-events.js'),
      import('../src/adapters/random.js'),
    ])
    const reports = await checkHealth(session, {...(ref ? {ref} : {}), ...(flags.tenant ? {tenant: flags.tenant} : {})})
    const changes = await recordHealthChanges(
      {
        session,
        recordEvent: hostLifecycleEventWriter(session),
        newId,
        clock: context.clock,
        actor: context.actor,
        origin: {kind: 'cli'},
      },
      reports,
    )
    if (reports.length === 0)
      this.say(`Nothing deployed on ${session.host.name}${flags.tenant ? ` for tenant ${flags.tenant}` : ''} yet.`)
    else this.say(healthTable(reports, this.style))
    // An instance asked for by name must be healthy; across the host, one stopped on purpose is not a failure.
    const failing = reports.filter(
      (report) => report.health === 'unhealthy' || (ref !== undefined && report.health === 'stopped'),
    )
    const result = {
      host: session.host.name,
      checkedAt: context.clock.now().toISOString(),
      healthy: failing.length === 0,
      instances: reports,
      changes,
    }
    if (failing.length > 0) {
      if (this.jsonEnabled()) process.exitCode = ExitCode.failure
      else {
        const first = failing[0]!
        const which =
          failing.length === 1
            ? `${first.ref} is ${first.health}`
            : `${failing.length} instances are not healthy (${failing.map((report) => report.ref).join(', ')})`
        throw new AimsError('unhealthy', `${which}: ${first.detail}`, {
          hint: `see aims plug logs ${first.ref}`,
          exitCode: ExitCode.failure,
        })
      }
    }
    return result
  }

  private async history(session: HostSession, ref: InstanceRef | undefined, tenant: string | undefined, limit: number) {
    const {readAllHistory, readInstanceHistory} = await import('../src/services/warden/history.js')
    const shell = await session.shell()
    const events = ref
      ? await readInstanceHistory(shell, session.host.stateDir, ref, limit)
      : (await readAllHistory(shell, session.host.stateDir, tenant)).slice(-limit)
    this.say(historyLines(events))
    return {host: session.host.name, ...(ref ? {instance: `${ref.tenant}/${ref.instance}`} : {}), events}
  }
}
