import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_JOIN} from '../../src/core/commands/cluster.js'
import {usageError} from '../../src/core/errors.js'
import {clusterJoin} from '../../src/services/cluster.js'

export default class ClusterJoin extends declared(CLUSTER_JOIN, ClusterCommand) {
  async run() {
    const {args, flags} = await this.input()
    if (!flags.cluster)
      throw usageError('cluster join needs --cluster NAME', 'e.g. aims cluster join vps2 --cluster prod')
    const result = await clusterJoin(await this.clusterDeps(flags), {
      host: args.host,
      cluster: flags.cluster,
      manager: Boolean(flags.manager),
      advertiseAddr: flags['advertise-addr'],
    })
    this.say(
      result.dryRun
        ? `Would join ${result.node} to ${result.cluster} as a ${result.role}.`
        : `${result.node} joined cluster ${this.style.bold(result.cluster)} as a ${result.role} (${result.addr}).`,
    )
    return result
  }
}
