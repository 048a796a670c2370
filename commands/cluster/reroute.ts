import {declared} from '../../src/cli/declared.js'
import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {CLUSTER_REROUTE} from '../../src/core/commands/cluster.js'
import {followRescheduling} from '../../src/services/follow-rescheduling.js'

export default class ClusterReroute extends declared(CLUSTER_REROUTE, LifecycleCommand) {
  async run() {
    const {flags} = await this.input()
    const {deps} = await this.lifecycle(flags)
    const result = await followRescheduling(deps, deps.clock.now())
    this.view?.stop()
    this.say(
      result.moved.length === 0
        ? `Every route of ${deps.session.host.name} already points at its tasks (${result.checked} checked` +
            `${result.waiting.length > 0 ? `; waiting for ${result.waiting.join(', ')}` : ''}).`
        : result.moved
            .map((move) => `${result.dryRun ? 'Would route' : 'Routed'} ${move.domain} → ${move.to.join(', ')}`)
            .join('\n'),
    )
    return result
  }
}
