import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_RUN} from '../../src/core/commands/warden.js'

export default class WardenRun extends declared(WARDEN_RUN, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const [{wardenDeps, wardenEnvironment}, {runWarden}, {WARDEN_TASKS}, {packageVersion}] = await Promise.all([
      import('../../src/warden-context.js'),
      import('../../src/services/warden/loop.js'),
      import('../../src/services/warden/tasks.js'),
      import('../../src/adapters/package-root.js'),
    ])
    const log = (line: string) => this.io.stdout.write(`${new Date().toISOString()} ${line}\n`)
    const environment = wardenEnvironment(this.io.env, await packageVersion())
    const deps = await wardenDeps(environment, log)
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
    log(`warden ${environment.build} watching ${environment.hostName} (state ${environment.stateDir})`)
    if (flags.once) {
      for (const task of WARDEN_TASKS) await task.run(deps, deps.clock.now())
      await Promise.allSettled(deps.runtime.inFlight)
      await deps.alerts.flush()
    } else await runWarden(deps, WARDEN_TASKS, controller.signal)
    log('warden stopped')
  }
}
