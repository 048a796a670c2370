/**
 * Kept data: the volumes `plug down --keep-data` left behind. An instance's
 * volumes are "kept" when none of its containers and no deploy journal
 * remain (otherwise they belong to a live or an interrupted deploy). Pure:
 * the engine's listings in, the kept instances out.
 */
import {LABEL, type Labels} from './engine-types.js'
import {formatInstanceRef} from './names.js'

export interface KeptVolume {
  name: string
  created?: Date | undefined
}

export interface KeptData {
  tenant: string
  instance: string
  ref: string
  plug: string
  volumes: string[]
  /** The oldest volume's creation (ISO), when the engine says. */
  createdAt?: string
}

export function keptData(
  volumes: {name: string; labels: Labels; created?: Date | undefined}[],
  containers: {labels: Labels}[],
  journals: {tenant: string; instance: string}[],
  tenant?: string,
): KeptData[] {
  const key = (t: string, i: string) => `${t}/${i}`
  const live = new Set<string>()
  for (const container of containers) {
    const t = container.labels[LABEL.tenant]
    const i = container.labels[LABEL.instance]
    if (t && i) live.add(key(t, i))
  }
  for (const journal of journals) live.add(key(journal.tenant, journal.instance))
  const groups = new Map<string, KeptData & {oldest?: number}>()
  for (const volume of volumes) {
    const t = volume.labels[LABEL.tenant]
    const i = volume.labels[LABEL.instance]
    if (volume.labels[LABEL.managed] !== 'true' || !t || !i) continue
    if (tenant && t !== tenant) continue
    if (live.has(key(t, i))) continue
    const group = groups.get(key(t, i)) ?? {
      tenant: t,
      instance: i,
      ref: formatInstanceRef({tenant: t, instance: i}),
      plug: volume.labels[LABEL.plug] ?? '?',
      volumes: [],
    }
    group.volumes.push(volume.name)
    const created = volume.created?.getTime()
    if (created !== undefined && !Number.isNaN(created) && (group.oldest === undefined || created < group.oldest))
      group.oldest = created
    groups.set(key(t, i), group)
  }
  return [...groups.values()]
    .map(({oldest, ...group}) => ({
      ...group,
      volumes: group.volumes.sort(),
      ...(oldest !== undefined ? {createdAt: new Date(oldest).toISOString()} : {}),
    }))
    .sort((a, b) => a.ref.localeCompare(b.ref))
}
