import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {WARDEN_ALERT_TEST} from '../../src/core/commands/warden.js'

/** Runs inside the warden's container (aims alerts test execs it there). */
export default class WardenAlertTest extends declared(WARDEN_ALERT_TEST, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const [
      {wardenEnvironment},
      {packageVersion},
      {LocalHostSession},
      {readChannels, deliver},
      {alertTransport},
      {alertPayload},
    ] = await Promise.all([
      import('../../src/warden-context.js'),
      import('../../src/adapters/package-root.js'),
      import('../../src/adapters/local-session.js'),
      import('../../src/services/warden/alert-sink.js'),
      import('../../src/adapters/alert-transport.js'),
      import('../../src/core/warden/alerts.js'),
    ])
    const environment = wardenEnvironment(this.io.env, await packageVersion())
    const session = new LocalHostSession(
      {
        name: environment.hostName,
        kind: 'local',
        dockerSocket: environment.dockerSocket,
        nginxConfDir: environment.nginxConfDir,
        stateDir: environment.stateDir,
      },
      {callTimeoutMs: 30_000},
    )
    const channels = (await readChannels(await session.shell(), environment.stateDir)).filter(
      (channel) => !args.id || channel.id === args.id,
    )
    let failed = 0
    for (const channel of channels) {
      const payload = alertPayload(
        {kind: 'test', ref: 'aims/warden', detail: 'a test alert from aims alerts test'},
        environment.hostName,
        new Date(),
      )
      try {
        await deliver(session, alertTransport, channel, payload)
        this.io.stdout.write(`ok ${channel.id}\n`)
      } catch (error) {
        failed += 1
        this.io.stdout.write(`failed ${channel.id} ${(error as Error).message}\n`)
      }
    }
    await session.close()
    if (failed > 0) process.exitCode = 1
  }
}
