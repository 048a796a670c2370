import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {LOGOUT} from '../src/core/commands/top.js'
import {keyAsArgumentError, parseLoginTarget} from '../src/core/secrets.js'

export default class Logout extends declared(LOGOUT, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const target = parseLoginTarget(args.provider, args.url, 'logout')
    if (args.extra !== undefined) throw keyAsArgumentError(`aims logout ${target.argv.join(' ')}`)
    const context = await this.context()
    const {loginCommand} = await import('../src/cli/login-command.js')
    const {text, result} = await loginCommand.logout(context, this.style, {target, dryRun: flags['dry-run']})
    this.say(text)
    return result
  }
}
