/**
 * Base for `aims cluster …`: the CLI gate (plan shown, --yes/--dry-run/TTY) and one session per
 * node host, each over its own SSH connection, shared for the whole command.
 */
import type {Plan} from '../core/plan/plan.js'
import type {ClusterDeps} from '../services/cluster.js'
import {renderPlan} from '../ui/present/plan.js'
import {AimsCommand} from './base-command.js'
import {AimsError} from '../core/errors.js'

export abstract class ClusterCommand extends AimsCommand {
  protected shownPlan?: Plan

  protected async clusterDeps(flags: {
    yes?: boolean | undefined
    'dry-run'?: boolean | undefined
  }): Promise<ClusterDeps> {
    const context = await this.context()
    const {cliApprover} = await import('../services/gate.js')
    return {
      config: context.config,
      sessionOf: async (host) => {
        const config = await context.config.read()
        const entry = config.hosts[host]
        if (!entry) throw new AimsError('not-found', `no host named "${host}"`, {hint: 'see aims host ls'})
        return context.session(entry)
      },
      approver: cliApprover({
        yes: Boolean(flags.yes),
        dryRun: Boolean(flags['dry-run']),
        prompter: context.prompter,
        show: (plan) => {
          this.shownPlan = plan
          this.say(renderPlan(plan, this.style))
        },
      }),
      now: () => context.clock.now(),
      sleep: (ms) => context.clock.sleep(ms),
    }
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (error instanceof AimsError && this.shownPlan && this.jsonEnabled() && !error.details?.plan)
      return super.catch(error.withDetails({plan: this.shownPlan}))
    return super.catch(error)
  }
}
