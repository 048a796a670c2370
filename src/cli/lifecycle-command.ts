/**
 * Base for commands that act on instances: one session to the selected
 * host, the CLI gate (plan shown, --yes/--dry-run/TTY), progress on stderr,
 * and the origin recorded in the audit log.
 */
import {AimsError} from '../core/errors.js'
import type {Plan} from '../core/plan/plan.js'
import type {MissingVariable} from '../core/plan/env.js'
import type {PlugUpDeps} from '../services/plug-up.js'
import type {HostSession} from '../services/ports.js'
import {parseInstanceRef, type InstanceRef} from '../core/names.js'
import {renderPlan} from '../ui/present/plan.js'
import {progressView, type ProgressView} from '../ui/progress.js'
import {AimsCommand} from './base-command.js'

export abstract class LifecycleCommand extends AimsCommand {
  protected view?: ProgressView
  protected shownPlan?: Plan

  protected async lifecycle(
    flags: {host?: string | undefined; yes?: boolean | undefined; 'dry-run'?: boolean | undefined},
    options: {ask?: boolean} = {},
  ): Promise<{session: HostSession; deps: PlugUpDeps}> {
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    // Connect while the catalog, config and services load (dry runs need the host's facts too).
    session.warmup?.()
    this.view = progressView({
      json: this.jsonEnabled(),
      tty: this.io.stderrIsTTY,
      style: this.errStyle,
      stream: this.io.stderr,
    })
    const {cliApprover} = await import('../services/gate.js')
    const approver = cliApprover({
      yes: Boolean(flags.yes),
      dryRun: Boolean(flags['dry-run']),
      prompter: context.prompter,
      show: (plan) => {
        this.shownPlan = plan
        this.view?.stop()
        this.say(renderPlan(plan, this.style))
      },
    })
    const ask =
      options.ask && context.prompter.interactive
        ? async (variable: MissingVariable) => {
            this.view?.stop()
            const answer = await context.prompter.input(
              variable.spec.question ?? `${variable.key} (${variable.spec.description}):`,
              {secret: variable.spec.secret},
            )
            if (answer === '')
              throw new AimsError('usage', `${variable.key} is required`, {hint: `pass --env ${variable.key}=…`})
            return answer
          }
        : undefined
    const deps = await context.lifecycleDeps(session, {
      approver,
      progress: this.view.progress,
      origin: {kind: 'cli', argv: [...this.id!.split(':'), ...this.argv]},
      ...(ask ? {ask} : {}),
    })
    return {session, deps}
  }

  /** INSTANCE or TENANT/INSTANCE; a bare name is in --tenant or the default tenant. */
  protected async instanceRef(value: string, tenant?: string): Promise<InstanceRef> {
    if (value.includes('/') && tenant) {
      const ref = parseInstanceRef(value)
      if (ref.tenant !== tenant)
        throw new AimsError('usage', `${value} is in tenant ${ref.tenant}, but --tenant ${tenant} was given`, {
          hint: 'drop one of them',
        })
      return ref
    }
    return parseInstanceRef(value, tenant ?? (await (await this.context()).defaultTenant()))
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    this.view?.stop()
    // Under --json a refused or failed plan travels inside the error, so scripts see what was planned.
    if (error instanceof AimsError && this.shownPlan && this.jsonEnabled() && !error.details?.plan) {
      return super.catch(error.withDetails({plan: this.shownPlan}))
    }
    return super.catch(error)
  }
}
