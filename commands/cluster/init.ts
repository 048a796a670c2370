import {ClusterCommand} from '../../src/cli/cluster-command.js'
import {declared} from '../../src/cli/declared.js'
import {CLUSTER_INIT} from '../../src/core/commands/cluster.js'
import {DEFAULT_CLUSTER_NAME} from '../../src/core/cluster.js'
import {clusterInit} from '../../src/services/cluster.js'

export default class ClusterInit extends declared(CLUSTER_INIT, ClusterCommand) {
  async run() {
    const {args, flags} = await this.input()
    const result = await clusterInit(await this.clusterDeps(flags), {
      host: args.host,
      name: flags.name ?? DEFAULT_CLUSTER_NAME,
      advertiseAddr: flags['advertise-addr'],
      addressPool: flags['address-pool'],
    })
    this.say(
      result.dryRun
        ? `Would form cluster ${result.cluster} on ${result.node}.`
        : `Cluster ${this.style.bold(result.cluster)} formed: ${result.node} is its manager (${result.addr}). ` +
            `Add nodes with aims cluster join HOST --cluster ${result.cluster}; use it with --host ${result.cluster}.`,
    )
    return result
  }
}
