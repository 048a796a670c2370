import {Args} from '@oclif/core'
import {AimsCommand} from '../src/cli/base-command.js'
import {dryRunFlag} from '../src/cli/flags.js'
import {keyAsArgumentError, parseLoginTarget} from '../src/core/secrets.js'

export default class Logout extends AimsCommand {
  static override description =
    'Remove an API key stored by aims login (keychain or encrypted file); env vars are not touched'
  static override examples = [
    '<%= config.bin %> logout anthropic',
    '<%= config.bin %> logout openai-compatible http://127.0.0.1:8000/v1',
  ]
  static override args = {
    provider: Args.string({description: 'anthropic, openai or openai-compatible', required: true, ignoreStdin: true}),
    url: Args.string({description: "the server's base URL, for openai-compatible", ignoreStdin: true}),
    extra: Args.string({hidden: true, ignoreStdin: true}),
  }
  static override flags = {'dry-run': dryRunFlag}

  async run() {
    const {args, flags} = await this.parse(Logout)
    const target = parseLoginTarget(args.provider, args.url, 'logout')
    if (args.extra !== undefined) throw keyAsArgumentError(`aims logout ${target.argv.join(' ')}`)
    const context = await this.context()
    const {loginCommand} = await import('../src/cli/login-command.js')
    const {text, result} = await loginCommand.logout(context, this.style, {target, dryRun: flags['dry-run']})
    this.say(text)
    return result
  }
}
