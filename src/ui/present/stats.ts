/** `aims stats` and `aims health` as tables. Pure. */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {InstanceHealthReport} from '../../core/health-report.js'
import {compactBytes, totalStats, type InstanceStats} from '../../core/stats.js'
import type {Style} from '../style.js'
import {renderTable} from './table.js'

export const formatCpu = (percent: number) => `${percent.toFixed(percent >= 100 ? 0 : 1)}%`
const memory = (used: number, limit: number) =>
  limit > 0 ? `${compactBytes(used)} / ${compactBytes(limit)}` : compactBytes(used)
const network = (rx: number, tx: number) => `${compactBytes(rx)} / ${compactBytes(tx)}`

/** One line per instance, then its containers indented when it has more than one; a total at the end. */
export function statsTable(instances: InstanceStats[]): string {
  const rows: string[][] = []
  for (const instance of instances) {
    const sampled = instance.containers.filter((container) => container.sampled)
    rows.push([
      instance.ref,
      instance.plug,
      instance.status,
      sampled.length > 0 ? formatCpu(instance.cpuPercent) : '-',
      sampled.length > 0 ? memory(instance.memoryBytes, instance.memoryLimitBytes) : '-',
      sampled.length > 0 ? network(instance.networkRxBytes, instance.networkTxBytes) : '-',
    ])
    if (instance.containers.length > 1) {
      for (const container of instance.containers) {
        const name = `  ${container.service}${container.replica > 1 ? ` #${container.replica}` : ''}`
        rows.push([
          name,
          '',
          container.state,
          container.sampled ? formatCpu(container.cpuPercent) : '-',
          container.sampled ? memory(container.memoryBytes, container.memoryLimitBytes) : '-',
          container.sampled ? network(container.networkRxBytes, container.networkTxBytes) : '-',
        ])
      }
    }
  }
  const total = totalStats(instances)
  rows.push([
    `total (${total.containers} running container${total.containers === 1 ? '' : 's'})`,
    '',
    '',
    formatCpu(total.cpuPercent),
    compactBytes(total.memoryBytes),
    network(total.networkRxBytes, total.networkTxBytes),
  ])
  return renderTable(['INSTANCE', 'PLUG', 'STATUS', 'CPU', 'MEMORY USED / LIMIT', 'NET RX / TX'], rows)
}

export function healthTable(reports: InstanceHealthReport[], style: Style): string {
  const rows: string[][] = []
  for (const report of reports) {
    const verdict =
      report.health === 'healthy'
        ? style.green('healthy')
        : report.health === 'stopped'
          ? style.dim('stopped')
          : style.red('unhealthy')
    rows.push([report.ref, report.plug, report.status, verdict, ''])
    for (const service of report.services) {
      rows.push([
        `  ${service.service}${service.replica > 1 ? ` #${service.replica}` : ''}`,
        '',
        service.state,
        service.ok ? style.green('ok') : style.red('fail'),
        sanitizeUntrusted(service.detail),
      ])
    }
  }
  return renderTable(['INSTANCE', 'PLUG', 'STATUS', 'HEALTH', 'PROBE'], rows)
}
