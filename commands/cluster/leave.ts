import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_LEAVE} from '../../src/core/commands/cluster.js'
import {clusterLeave, selectCluster} from '../../src/services/cluster.js'

export default class ClusterLeave extends declared(CLUSTER_LEAVE, ClusterCommand) {
  async run() {
    const {args, flags} = await this.input()
    const deps = await this.clusterDeps(flags)
    const entry = selectCluster(await deps.config.read(), {host: flags.host, node: args.node})
    const result = await clusterLeave(deps, entry, {node: args.node})
    this.say(
      result.dryRun
        ? `Would take ${result.node} out of ${result.cluster}.`
        : result.dissolved
          ? `${result.node} left; cluster ${result.cluster} is dissolved.`
          : `${result.node} left cluster ${result.cluster}.`,
    )
    return result
  }
}
