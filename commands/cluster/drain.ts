import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_DRAIN} from '../../src/core/commands/cluster.js'
import {clusterDrain, selectCluster} from '../../src/services/cluster.js'

export default class ClusterDrain extends declared(CLUSTER_DRAIN, ClusterCommand) {
  async run() {
    const {args, flags} = await this.input()
    const deps = await this.clusterDeps(flags)
    const entry = selectCluster(await deps.config.read(), {host: flags.host, node: args.node})
    const result = await clusterDrain(deps, entry, {node: args.node, undo: Boolean(flags.undo)})
    this.say(
      result.dryRun
        ? `Would set ${result.node} ${result.availability}.`
        : `Node ${result.node} is now ${result.availability}` +
            `${result.availability === 'drain' ? ': Swarm moves its tasks' : ''}.`,
    )
    return result
  }
}
