import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {SITE_DEPLOY} from '../../src/core/commands/site.js'
import {AimsError} from '../../src/core/errors.js'
import {nameFromWords} from '../../src/core/build/request.js'
import {checkDomain, instanceRef} from '../../src/core/names.js'
import {renderSiteDeploy} from '../../src/ui/present/site.js'

export default class SiteDeploy extends declared(SITE_DEPLOY, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const {basename, resolve} = await import('node:path')
    const ref = instanceRef(
      flags.tenant ?? (await context.defaultTenant()),
      flags.name ?? nameFromWords(basename(resolve(args.dir))),
    )
    if (flags.password && flags.public)
      throw new AimsError('usage', '--password and --public contradict each other', {hint: 'pass one of them'})
    if (flags.user && !flags.password) throw new AimsError('usage', '--user needs --password', {hint: 'add --password'})
    const domain = flags.domain !== undefined ? checkDomain(flags.domain) : undefined
    const {openSourceDir} = await import('../../src/adapters/source-dir.js')
    await openSourceDir(args.dir)
    const password = flags.password ? await this.password(context.prompter, context.env) : undefined
    const {siteDeploy} = await import('../../src/services/site.js')
    const deps = await context.siteDeps((await this.lifecycle(flags)).deps)
    const result = await siteDeploy(deps, {
      ref,
      dir: args.dir,
      public: Boolean(flags.public),
      ...(domain ? {domain} : {}),
      ...(password !== undefined ? {password} : {}),
      ...(flags.user ? {user: flags.user} : {}),
    })
    this.view?.stop()
    this.say(renderSiteDeploy(result, this.style))
    return result
  }

  /** Asked twice on a terminal; else AIMS_SITE_PASSWORD. Never a flag value (it would land in shell history). */
  private async password(
    prompter: {interactive: boolean; input: (message: string, options?: {secret?: boolean}) => Promise<string>},
    env: NodeJS.ProcessEnv,
  ): Promise<string> {
    let password = env.AIMS_SITE_PASSWORD
    if (password === undefined && prompter.interactive) {
      password = await prompter.input('Password for the site:', {secret: true})
      const again = await prompter.input('The same password again:', {secret: true})
      if (again !== password)
        throw new AimsError('usage', 'the passwords differ', {hint: 'nothing was changed; try again'})
    }
    if (password === undefined)
      throw new AimsError('usage', '--password needs a terminal to ask on, or AIMS_SITE_PASSWORD', {
        hint: 'run it in a terminal, or set AIMS_SITE_PASSWORD for scripts',
      })
    if (password.length < 8)
      throw new AimsError('usage', 'the password is shorter than 8 characters', {hint: 'choose a longer one'})
    return password
  }
}
