/** Instances as rows for tables and --json. Pure. */
import type {InstanceView} from '../../core/instances.js'
import {formatDuration} from './text.js'

export interface InstanceRow {
  tenant: string
  instance: string
  ref: string
  plug: string
  status: string
  health: string
  port?: number
  url?: string
  localUrl?: string
  replicas: number
  age: string
  createdAt: string
}

export function instanceRows(instances: Array<InstanceView & {healthDetail?: string}>, now: Date): InstanceRow[] {
  return instances.map((instance) => ({
    tenant: instance.tenant,
    instance: instance.instance,
    ref: instance.ref,
    plug: instance.plug,
    status: instance.status,
    health: instance.health,
    ...(instance.hostPort ? {port: instance.hostPort} : {}),
    ...((instance.domainUrl ?? instance.localUrl) ? {url: instance.domainUrl ?? instance.localUrl} : {}),
    ...(instance.localUrl ? {localUrl: instance.localUrl} : {}),
    replicas: instance.replicas.filter((replica) => replica.entry).length,
    age: formatDuration(now.getTime() - instance.createdAt.getTime()),
    createdAt: instance.createdAt.toISOString(),
  }))
}
