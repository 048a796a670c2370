import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../src/cli/base-command.js'
import {dryRunFlag} from '../src/cli/flags.js'
import {keyAsArgumentError, parseLoginTarget} from '../src/core/secrets.js'
import {AimsError} from '../src/core/errors.js'

/** Flags people try for a key; declared only to refuse them without echoing the value. */
const refusedKeyFlag = () => Flags.string({hidden: true})

export default class Login extends AimsCommand {
  static override description =
    'Store an API key for ACHEEVY in the OS keychain (an encrypted file where there is none); --status shows where each key comes from, never the key'
  static override examples = [
    '<%= config.bin %> login anthropic',
    '<%= config.bin %> login openai-compatible http://127.0.0.1:8000/v1',
    'printf %s "$OPENAI_API_KEY" | <%= config.bin %> login openai --with-key-stdin',
    '<%= config.bin %> login --status',
  ]
  static override args = {
    provider: Args.string({
      description: 'anthropic, openai or openai-compatible (ls: the same as --status)',
      ignoreStdin: true,
    }),
    url: Args.string({description: "the server's base URL, for openai-compatible", ignoreStdin: true}),
    extra: Args.string({hidden: true, ignoreStdin: true}),
  }
  static override flags = {
    'with-key-stdin': Flags.boolean({
      description: 'read the key from stdin (CI, scripts); never pass it as an argument',
    }),
    status: Flags.boolean({
      description: 'show where each key comes from (env, keychain, encrypted file)',
      default: false,
    }),
    store: Flags.string({
      description: 'where to keep it: auto (the keychain when there is one), keychain, or file',
      options: ['auto', 'keychain', 'file'],
    }),
    'dry-run': dryRunFlag,
    key: refusedKeyFlag(),
    'api-key': refusedKeyFlag(),
    token: refusedKeyFlag(),
    password: refusedKeyFlag(),
  }

  async run() {
    const {args, flags} = await this.parse(Login)
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
