/** The volumes plug down --keep-data left on the host, read live (see core/kept-data.ts). */
import {LABEL} from '../core/engine-types.js'
import {keptData, type KeptData} from '../core/kept-data.js'
import {readJournals} from './deploy-journal.js'
import type {Engine, HostSession} from './ports.js'

export async function readKeptData(
  session: HostSession,
  engine: Engine,
  filter: {tenant?: string; instance?: string} = {},
): Promise<KeptData[]> {
  const labels = {
    [LABEL.managed]: 'true',
    ...(filter.tenant ? {[LABEL.tenant]: filter.tenant} : {}),
    ...(filter.instance ? {[LABEL.instance]: filter.instance} : {}),
  }
  const [volumes, containers, journals] = await Promise.all([
    engine.listVolumes({labels}),
    engine.listContainers({all: true, labels}),
    readJournals(session).catch(() => []),
  ])
  return keptData(volumes, containers, journals, filter.tenant)
}
