import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_LS} from '../../src/core/commands/cluster.js'
import {clusterList, selectCluster} from '../../src/services/cluster.js'
import {renderClusterNodes} from '../../src/ui/present/cluster.js'

export default class ClusterLs extends declared(CLUSTER_LS, ClusterCommand) {
  async run() {
    const {flags} = await this.input()
    const deps = await this.clusterDeps({})
    const entry = selectCluster(await deps.config.read(), {host: flags.host})
    const result = await clusterList(deps, entry)
    this.say(renderClusterNodes(result.cluster, result.nodes))
    return result
  }
}
