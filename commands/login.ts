import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {LOGIN} from '../src/core/commands/top.js'
import {keyAsArgumentError, parseLoginTarget} from '../src/core/secrets.js'
import {AimsError} from '../src/core/errors.js'

export default class Login extends declared(LOGIN, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    if (
      flags.key !== undefined ||
      flags['api-key'] !== undefined ||
      flags.token !== undefined ||
      flags.password !== undefined
    )
      throw keyAsArgumentError(`aims login ${args.provider ?? 'PROVIDER'}`)
    const store = flags.store as 'auto' | 'keychain' | 'file' | undefined
    const context = await this.context()
    const {loginCommand} = await import('../src/cli/login-command.js')
    if (flags.status || args.provider === 'ls' || args.provider === 'status') {
      if (args.url !== undefined) throw new AimsError('usage', 'aims login --status takes no other argument')
      const {text, result} = await loginCommand.status(context, this.style, store ? {store} : {})
      this.say(text)
      return result
    }
    if (args.provider === undefined)
      throw new AimsError('usage', 'aims login needs a provider', {
        hint: 'aims login anthropic | openai | openai-compatible URL (aims login --status lists the stored keys)',
      })
    const target = parseLoginTarget(args.provider, args.url, 'login')
    if (args.extra !== undefined) throw keyAsArgumentError(`aims login ${target.argv.join(' ')}`)
    const {text, result} = await loginCommand.login(context, this.style, {
      target,
      ...(store ? {store} : {}),
      fromStdin: flags['with-key-stdin'],
      dryRun: flags['dry-run'],
    })
    this.say(text)
    return result
  }
}
