import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {DOCTOR} from '../src/core/commands/top.js'
import {runDoctor} from '../src/services/doctor.js'
import {renderDoctorReport} from '../src/ui/present/doctor.js'

export default class Doctor extends declared(DOCTOR, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const entry = await context.hostEntry(flags.host)
    // A cluster: every node over its own connection and Swarm's view, beside the entry node's checks.
    const cluster = entry.cluster
      ? import('../src/services/cluster-doctor.js').then(async ({clusterDoctor}) => {
          const config = await context.config.read()
          return clusterDoctor({
            entry,
            now: () => Date.now(),
            sessionOf: async (host) => {
              const node = config.hosts[host]
              if (!node) throw new Error(`host ${host} is not configured`)
              return context.session(node)
            },
          })
        })
      : undefined
    const session = await context.session(entry)
    const ai = async () => {
      const [{aiKeyFact}, store, {preferences}] = await Promise.all([
        import('../src/services/ai-settings.js'),
        context.secrets(),
        context.config.read(),
      ])
      return aiKeyFact({store, env: context.env, preferences})
    }
    const {packageBuild} = await import('../src/adapters/warden-package.js')
    let {report, failure} = await runDoctor({session, now: () => Date.now(), ai, wardenBuild: packageBuild().build})
    if (cluster) {
      const [{checkTitle}, {checks}] = await Promise.all([import('../src/core/doctor.js'), cluster])
      const added = checks.map((check) => ({...check, title: checkTitle(check.id)}))
      report = {
        ...report,
        ok: report.ok && added.every((check) => check.status !== 'fail'),
        checks: [...report.checks, ...added],
      }
      const failed = added.filter((check) => check.status === 'fail')
      if (!failure && failed.length > 0) {
        const {AimsError} = await import('../src/core/errors.js')
        failure = new AimsError(
          'remote',
          `${failed.length === 1 ? 'a cluster check failed' : `${failed.length} cluster checks failed`} on ` +
            `${report.host}: ${failed.map((check) => `${check.title.toLowerCase()}: ${check.detail}`).join('; ')}`,
          {hint: failed[0]!.fix ?? 'see the checks above'},
        )
      }
    }
    this.say(renderDoctorReport(report, this.style))
    // Deploys that were interrupted (killed, or their connection lost) and what removes them.
    const interrupted = failure
      ? []
      : await import('../src/services/deploy-journal.js')
          .then(({interruptedJournals}) => interruptedJournals(session))
          .catch(() => [])
    for (const journal of interrupted)
      this.note(
        `${this.errStyle.yellow('warning:')} an interrupted deploy of ${journal.ref}` +
          `${journal.plug ? ` (${journal.plug})` : ''} left objects or a journal behind: aims plug down ${journal.ref}`,
      )
    if (failure) {
      // --json keeps its shape ({host, ok, checks}) and still exits 1; people get the cause on stderr.
      if (this.jsonEnabled()) process.exitCode = failure.exitCode
      else throw failure
    }
    return interrupted.length > 0 ? {...report, interrupted: interrupted.map((journal) => journal.ref)} : report
  }
}
