/**
 * Health history on the host: the warden appends, any aims reads (`aims health INSTANCE
 * --history`, `aims events`, the dock), so two laptops see the same story.
 */
import {HISTORY_LIMIT, parseHistory, type HistoryEvent} from '../../core/warden/history.js'
import type {HostShell} from '../ports.js'
import {wardenPaths} from './store.js'

const historyFile = (stateDir: string, tenant: string, instance: string) =>
  `${wardenPaths(stateDir).history}/${tenant}/${instance}.jsonl`

/**
 * Appends and keeps each file bounded: it is rewritten with its last HISTORY_LIMIT lines once it
 * holds a fifth more (so the cost of trimming is spread, not paid on every line).
 */
export class HistoryWriter {
  private readonly lines = new Map<string, number>()
  constructor(
    private readonly shell: HostShell,
    private readonly stateDir: string,
    private readonly limit = HISTORY_LIMIT,
  ) {}

  async append(event: HistoryEvent): Promise<void> {
    const path = historyFile(this.stateDir, event.tenant, event.instance)
    const key = `${event.tenant}/${event.instance}`
    let count = this.lines.get(key)
    if (count === undefined) {
      const existing = await this.shell.readFile(path)
      count = existing ? existing.toString('utf8').split('\n').filter(Boolean).length : 0
      if (!existing) await this.shell.mkdirp(path.slice(0, path.lastIndexOf('/')))
    }
    await this.shell.appendFile(path, `${JSON.stringify(event)}\n`)
    count += 1
    if (count > this.limit + Math.ceil(this.limit / 5)) {
      const all = ((await this.shell.readFile(path))?.toString('utf8') ?? '').split('\n').filter(Boolean)
      await this.shell.writeFile(path, `${all.slice(-this.limit).join('\n')}\n`)
      count = Math.min(all.length, this.limit)
    }
    this.lines.set(key, count)
  }
}

/** The last `limit` events of one instance, oldest first. */
export async function readInstanceHistory(
  shell: HostShell,
  stateDir: string,
  ref: {tenant: string; instance: string},
  limit = HISTORY_LIMIT,
): Promise<HistoryEvent[]> {
  const data = await shell.readFile(historyFile(stateDir, ref.tenant, ref.instance))
  return data ? parseHistory(data.toString('utf8')).slice(-limit) : []
}

/** Every instance's history (optionally one tenant's), merged in time order. */
export async function readAllHistory(shell: HostShell, stateDir: string, tenant?: string): Promise<HistoryEvent[]> {
  const root = wardenPaths(stateDir).history
  const tenants = tenant ? [tenant] : ((await shell.listDir(root)) ?? [])
  const events: HistoryEvent[] = []
  for (const name of tenants) {
    for (const file of (await shell.listDir(`${root}/${name}`)) ?? []) {
      if (!file.endsWith('.jsonl')) continue
      const data = await shell.readFile(`${root}/${name}/${file}`)
      if (data) events.push(...parseHistory(data.toString('utf8')))
    }
  }
  return events.sort((a, b) => a.time.localeCompare(b.time))
}
