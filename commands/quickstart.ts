import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {declared} from '../src/cli/declared.js'
import {QUICKSTART} from '../src/core/commands/top.js'
import {AimsError, usageError} from '../src/core/errors.js'
import {LOCAL_HOST} from '../src/core/host-target.js'
import {instanceRef} from '../src/core/names.js'
import {validatePlugUpOptions} from '../src/core/plan/requests.js'
import {QUICKSTART_PLUG} from '../src/core/quickstart/hello-image.js'
import {renderQuickstartDown, renderQuickstartUp} from '../src/ui/present/quickstart.js'

export default class Quickstart extends declared(QUICKSTART, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const action = args.action ?? 'up'
    if (action !== 'up' && action !== 'down')
      throw usageError(
        `unknown quickstart action "${action}"`,
        'write aims quickstart (to deploy) or aims quickstart down',
      )
    // Bad input fails here, before any connection is made.
    const ref = instanceRef(flags.tenant, QUICKSTART_PLUG)
    const request = validatePlugUpOptions({
      plug: QUICKSTART_PLUG,
      tenant: flags.tenant,
      env: [],
      expose: false,
      links: [],
    })
    const host = flags.host ?? LOCAL_HOST
    if (action === 'up' && host === LOCAL_HOST) await this.ensureEngine(flags)
    const {deps} = await this.lifecycle({...flags, host})
    const [{quickstartDeps}, {quickstartDown, quickstartUp}] = await Promise.all([
      import('../src/quickstart-context.js'),
      import('../src/services/quickstart.js'),
    ])
    const quickstart = await quickstartDeps(deps)
    if (action === 'down') {
      const result = await quickstartDown(quickstart, ref)
      this.view?.stop()
      this.say(renderQuickstartDown(result, this.style))
      return result
    }
    const result = await quickstartUp(quickstart, request)
    this.view?.stop()
    this.say(renderQuickstartUp(result, this.style))
    return result
  }

  /**
   * The local engine answers, or (--install, root, Debian) scripts/host-setup.sh installs and starts it;
   * otherwise the error says how to get one.
   */
  private async ensureEngine(flags: {install: boolean; yes: boolean; 'dry-run': boolean}): Promise<void> {
    const context = await this.context()
    const session = await context.session(await context.hostEntry(LOCAL_HOST))
    const failure = await (
      await session.engine()
    )
      .ping()
      .then(() => undefined)
      .catch((error: unknown) => error)
    if (failure === undefined) return
    if (!(failure instanceof AimsError && failure.kind === 'engine')) throw failure
    const setup = await import('../src/adapters/host-setup.js')
    const can = setup.canSetUpHost()
    // On a terminal, a machine the script can set up is offered the install; elsewhere it takes --install.
    const offer = can.ok && context.prompter.interactive && !flags['dry-run']
    if (!flags.install && !offer)
      throw new AimsError('engine', failure.message, {
        hint: can.ok
          ? 'run aims quickstart --install to install and start Docker, nginx and busybox-static (apt-get), ' +
            `or see ${setup.hostSetupScript()}`
          : can.why === 'it needs root'
            ? 'on this Debian machine: sudo aims quickstart --install (installs and starts Docker, nginx, busybox)'
            : 'install Docker (https://docs.docker.com/engine/install/) and run aims quickstart again',
      })
    if (!can.ok)
      throw new AimsError('usage', `--install cannot set up this machine: ${can.why}`, {
        hint:
          can.why === 'it needs root' ? 'run it as root: sudo aims quickstart --install' : 'install Docker yourself',
      })
    if (flags['dry-run']) {
      this.io.stderr.write('Dry run: what --install would do on this machine:\n')
      await setup.runHostSetup(['--check'], this.io.stderr)
      throw new AimsError('engine', failure.message, {hint: 'run it again without --dry-run to install'})
    }
    if (!flags.yes || !flags.install) {
      this.io.stderr.write(`No Docker engine answers here (${failure.message}).\n`)
      if (!context.prompter.interactive)
        throw new AimsError('not-confirmed', 'installing Docker, nginx and busybox-static needs your confirmation', {
          hint: 'run it in a terminal to confirm, or pass --yes',
        })
      const ok = await context.prompter.confirm(
        'Install and start Docker (docker.io), nginx and busybox-static with apt-get?',
        false,
      )
      if (!ok) throw new AimsError('not-confirmed', 'nothing was installed', {hint: 'install Docker yourself'})
    }
    const code = await setup.runHostSetup([], this.io.stderr)
    if (code !== 0)
      throw new AimsError('engine', `${setup.hostSetupScript()} failed (exit ${code})`, {
        hint: 'its output is above; fix that and run aims quickstart --install again',
      })
  }
}
