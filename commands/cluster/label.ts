import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_LABEL} from '../../src/core/commands/cluster.js'
import {parseNodeLabel} from '../../src/core/cluster.js'
import {clusterLabel, selectCluster} from '../../src/services/cluster.js'

export default class ClusterLabel extends declared(CLUSTER_LABEL, ClusterCommand) {
  async run() {
    const {args, flags} = await this.input()
    parseNodeLabel(args.label)
    const deps = await this.clusterDeps(flags)
    const entry = selectCluster(await deps.config.read(), {host: flags.host, node: args.node})
    const result = await clusterLabel(deps, entry, {node: args.node, label: args.label})
    const what =
      result.label.value === null ? `removed ${result.label.key}` : `${result.label.key}=${result.label.value}`
    this.say(result.dryRun ? `Would label ${result.node}: ${what}.` : `Node ${result.node}: ${what}.`)
    return result
  }
}
