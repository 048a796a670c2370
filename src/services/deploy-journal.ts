/**
 * Deploy journals (issue 10, items 3-5): a plug up writes
 * `STATE/deploys/TENANT@INSTANCE.json` before it creates anything and removes
 * it when the deploy is ready or rolled back. A journal whose deploy is no
 * longer running (its instance lock is free: the lock dies with the process or
 * its connection) marks an interrupted deploy: `ps` marks it, `doctor`
 * reports it, `plug down` and the next `plug up` remove what it created.
 */
import {AimsError} from '../core/errors.js'
import {LABEL} from '../core/engine-types.js'
import {parseJournalFileName} from '../core/host-facts.js'
import {formatInstanceRef, type InstanceNames} from '../core/names.js'
import {deploysDir, journalPath, networkInUse} from './host-facts.js'
import type {Engine, HostSession} from './ports.js'
import type {ProxyManager} from './proxy-manager.js'

export interface DeployJournal {
  tenant: string
  instance: string
  ref: string
  deployId?: string
  plug?: string
  actor?: string
  startedAt?: string
}

export async function readJournal(session: HostSession, ref: InstanceNames): Promise<DeployJournal | undefined> {
  const shell = await session.shell()
  const data = await shell.readFile(journalPath(session.host.stateDir, ref.tenant, ref.instance))
  if (!data) return undefined
  let parsed: Partial<DeployJournal>
  try {
    parsed = JSON.parse(data.toString('utf8')) as Partial<DeployJournal>
  } catch {
    parsed = {}
  }
  const field = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  const deployId = field(parsed.deployId)
  const plug = field(parsed.plug)
  const actor = field(parsed.actor)
  const startedAt = field(parsed.startedAt)
  return {
    tenant: ref.tenant,
    instance: ref.instance,
    ref: formatInstanceRef(ref),
    ...(deployId ? {deployId} : {}),
    ...(plug ? {plug} : {}),
    ...(actor ? {actor} : {}),
    ...(startedAt ? {startedAt} : {}),
  }
}

export async function readJournals(session: HostSession): Promise<DeployJournal[]> {
  const shell = await session.shell()
  const names = (await shell.listDir(deploysDir(session.host.stateDir)).catch(() => undefined)) ?? []
  const refs = names.flatMap((name) => {
    const ref = parseJournalFileName(name)
    return ref ? [ref] : []
  })
  return (await Promise.all(refs.map((ref) => readJournal(session, ref)))).flatMap((item) => (item ? [item] : []))
}

/** Whether the deploy that wrote the journal still runs: it holds the instance lock for its whole run. */
export async function deployStillRunning(session: HostSession, ref: InstanceNames): Promise<boolean> {
  try {
    const lock = await session.lock(`instance-${ref.tenant}-${ref.instance}`, {wait: false})
    await lock.release()
    return false
  } catch (error) {
    if (error instanceof AimsError && error.kind === 'conflict') return true
    throw error
  }
}

/** Journals whose deploy is gone (killed, or its connection lost), with what each still holds. */
export async function interruptedJournals(session: HostSession): Promise<DeployJournal[]> {
  const journals = await readJournals(session)
  const running = await Promise.all(journals.map((journal) => deployStillRunning(session, journal)))
  return journals.filter((_, index) => !running[index])
}

/**
 * The interrupted deploys on a host, cheaply (any command that talked to the host reports them): one listDir of
 * the journal dir, and only for a journal found, whether its deploy still holds its instance lock.
 */
export async function interruptedRefs(session: HostSession): Promise<string[]> {
  const shell = await session.shell()
  const names = (await shell.listDir(deploysDir(session.host.stateDir)).catch(() => undefined)) ?? []
  const refs = names.flatMap((name) => {
    const ref = parseJournalFileName(name)
    return ref ? [ref] : []
  })
  const interrupted: string[] = []
  for (const ref of refs) if (!(await deployStillRunning(session, ref))) interrupted.push(formatInstanceRef(ref))
  return interrupted
}

export interface RemovedLeftovers {
  containers: string[]
  volumes: string[]
  networks: string[]
  proxyConf: boolean
}

/**
 * Removes what an interrupted deploy created (its objects carry its deploy id;
 * without one, every object of the instance), the instance's route and the
 * journal. Volumes go only with `removeVolumes` (plug down --keep-data keeps them).
 */
export async function removeInterruptedDeploy(
  deps: {session: HostSession; proxy?: ProxyManager | undefined},
  engine: Engine,
  journal: DeployJournal,
  options: {removeVolumes: boolean} = {removeVolumes: true},
): Promise<RemovedLeftovers> {
  const removed: RemovedLeftovers = {containers: [], volumes: [], networks: [], proxyConf: false}
  const instanceLabels = {
    [LABEL.managed]: 'true',
    [LABEL.tenant]: journal.tenant,
    [LABEL.instance]: journal.instance,
    ...(journal.deployId ? {[LABEL.deployId]: journal.deployId} : {}),
  }
  for (const container of await engine.listContainers({all: true, labels: instanceLabels})) {
    await engine.removeContainer(container.id, {force: true})
    removed.containers.push(container.name)
  }
  if (options.removeVolumes)
    for (const volume of await engine.listVolumes({labels: instanceLabels})) {
      await engine.removeVolume(volume.name)
      removed.volumes.push(volume.name)
    }
  // The instance's networks, and the tenant network when this deploy created it and nothing else uses it.
  const networks = await engine.listNetworks({
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: journal.tenant,
      ...(journal.deployId ? {[LABEL.deployId]: journal.deployId} : {[LABEL.instance]: journal.instance}),
    },
  })
  for (const network of networks) {
    if (await networkInUse(engine, network.name)) continue
    await engine.removeNetwork(network.id)
    removed.networks.push(network.name)
  }
  if (deps.proxy) removed.proxyConf = await deps.proxy.remove(journal.tenant, journal.instance).catch(() => false)
  await (
    await deps.session.shell()
  ).removeFile(journalPath(deps.session.host.stateDir, journal.tenant, journal.instance))
  await removeJournalTemps(deps.session, journal)
  return removed
}

/** A journal write cut between its temp file and the rename leaves `T@I.json.aims-XXXX.tmp`: removed too. */
export async function removeJournalTemps(session: HostSession, ref: InstanceNames): Promise<number> {
  const shell = await session.shell()
  const dir = deploysDir(session.host.stateDir)
  const prefix = `${journalPath(session.host.stateDir, ref.tenant, ref.instance).slice(dir.length + 1)}.aims-`
  const names = ((await shell.listDir(dir).catch(() => undefined)) ?? []).filter(
    (name) => name.startsWith(prefix) && name.endsWith('.tmp'),
  )
  for (const name of names) await shell.removeFile(`${dir}/${name}`)
  return names.length
}
