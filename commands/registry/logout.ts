import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {REGISTRY_LOGOUT} from '../../src/core/commands/upgrade.js'

export default class RegistryLogout extends declared(REGISTRY_LOGOUT, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const {checkRegistryHost, registryLogout} = await import('../../src/services/registry.js')
    const registry = checkRegistryHost(args.registry)
    const context = await this.context()
    const result = await registryLogout({secrets: await context.secrets()}, registry)
    this.say(result.removed ? `Forgot the credentials of ${registry}.` : `No credentials were stored for ${registry}.`)
    return result
  }
}
