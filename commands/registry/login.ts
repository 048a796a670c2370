import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {REGISTRY_LOGIN} from '../../src/core/commands/upgrade.js'
import {AimsError} from '../../src/core/errors.js'

export default class RegistryLogin extends declared(REGISTRY_LOGIN, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const {checkRegistryHost, registryLogin} = await import('../../src/services/registry.js')
    const registry = checkRegistryHost(args.registry)
    const context = await this.context()
    const prompter = context.prompter
    let username = flags.username
    if (username === undefined) {
      if (!prompter.interactive)
        throw new AimsError('usage', 'no terminal to ask for the user name, and --username was not given', {
          hint: `aims registry login ${registry} --username USER --password-stdin`,
        })
      username = await prompter.input(`User name for ${registry}:`)
    }
    if (!username || /[\s:]/.test(username))
      throw new AimsError('usage', 'the user name is empty or has spaces or a colon', {hint: 'pass --username USER'})
    const {readSecret} = await import('../../src/adapters/secrets/key-input.js')
    const password = await readSecret({
      fromStdin: flags['password-stdin'],
      stdin: this.io.stdin as unknown as NodeJS.ReadStream,
      prompter,
      prompt: `Password or token for ${username}@${registry}:`,
      what: 'the password',
      command: `aims registry login ${registry} --username ${username}`,
    })
    const session = await context.session(await context.hostEntry(flags.host))
    const {registry: client} = await context.registryDeps(session)
    const result = await registryLogin(
      {registry: client, secrets: await context.secrets()},
      {registry, username, password},
    )
    this.say(`${this.style.green('✓')} logged in to ${registry} as ${username}; stored in ${result.stored}.`)
    return result
  }
}
