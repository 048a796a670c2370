/** `aims cluster ls`: a cluster's nodes as a table (pure). */
import type {ClusterNodeRow} from '../../core/cluster.js'
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import {renderTable} from './table.js'

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`

export function renderClusterNodes(cluster: string, nodes: ClusterNodeRow[]): string {
  if (nodes.length === 0) return `Cluster ${cluster} has no nodes.`
  const table = renderTable(
    ['HOST', 'NODE', 'ROLE', 'STATE', 'AVAILABILITY', 'TASKS', 'CPUS', 'MEMORY', 'ENGINE', 'LABELS'],
    nodes.map((node) => [
      node.host ?? '-',
      sanitizeUntrusted(node.hostname),
      node.role === 'manager' ? (node.leader ? 'manager (leader)' : 'manager') : 'worker',
      sanitizeUntrusted(node.state),
      sanitizeUntrusted(node.availability),
      String(node.tasks),
      String(node.cpus),
      gib(node.memoryBytes),
      sanitizeUntrusted(node.engineVersion),
      Object.entries(node.labels)
        .map(([key, value]) => sanitizeUntrusted(`${key}=${value}`))
        .join(',') || '-',
    ]),
  )
  return `Cluster ${cluster}: ${nodes.length} node${nodes.length === 1 ? '' : 's'}\n${table}`
}
