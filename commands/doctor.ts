import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {DOCTOR} from '../src/core/commands/top.js'
import {runDoctor} from '../src/services/doctor.js'
import {renderDoctorReport} from '../src/ui/present/doctor.js'

export default class Doctor extends declared(DOCTOR, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const ai = async () => {
      const [{aiKeyFact}, store, {preferences}] = await Promise.all([
        import('../src/services/ai-settings.js'),
        context.secrets(),
        context.config.read(),
      ])
      return aiKeyFact({store, env: context.env, preferences})
    }
    const {packageBuild} = await import('../src/adapters/warden-package.js')
    const {report, failure} = await runDoctor({session, now: () => Date.now(), ai, wardenBuild: packageBuild().build})
    this.say(renderDoctorReport(report, this.style))
    if (failure) {
      // --json keeps its shape ({host, ok, checks}) and still exits 1; people get the cause on stderr.
      if (this.jsonEnabled()) process.exitCode = failure.exitCode
      else throw failure
    }
    return report
  }
}
