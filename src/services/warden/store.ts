/**
 * The warden's files on the host, next to the engine they describe (`<stateDir>`, /var/lib/aims by
 * default): the policy, the heartbeat, intents (an instance a person stopped on purpose), per-instance
 * health history and the alert channels. Read and written through HostShell, so the CLI (over SSH)
 * and the warden (locally, in its container) share one implementation.
 */
import {parsePolicy, type WardenPolicy} from '../../core/warden/policy.js'
import type {HostShell} from '../ports.js'

export const wardenPaths = (stateDir: string) => ({
  dir: `${stateDir}/warden`,
  policy: `${stateDir}/warden/policy.json`,
  heartbeat: `${stateDir}/warden/heartbeat.json`,
  build: `${stateDir}/warden/build`,
  intents: `${stateDir}/intents`,
  history: `${stateDir}/history`,
  alerts: `${stateDir}/alerts.json`,
})

async function readJson(shell: HostShell, path: string): Promise<unknown> {
  const data = await shell.readFile(path)
  if (!data) return undefined
  try {
    return JSON.parse(data.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

async function writeJson(shell: HostShell, path: string, value: unknown, mode = 0o644): Promise<void> {
  await shell.mkdirp(path.slice(0, path.lastIndexOf('/')))
  await shell.writeFile(path, `${JSON.stringify(value, null, 2)}\n`, mode)
}

export async function readPolicy(shell: HostShell, stateDir: string): Promise<WardenPolicy> {
  return parsePolicy(await readJson(shell, wardenPaths(stateDir).policy))
}

export async function writePolicy(shell: HostShell, stateDir: string, policy: WardenPolicy): Promise<void> {
  await writeJson(shell, wardenPaths(stateDir).policy, policy)
}

// ---- intents ---------------------------------------------------------------------

export interface Intent {
  state: 'stopped'
  by: string
  at: string
}

const intentPath = (stateDir: string, tenant: string, instance: string) =>
  `${wardenPaths(stateDir).intents}/${tenant}/${instance}.json`

/** `plug stop` records that the instance is down on purpose; start, restart, up and down clear it. */
export async function writeIntent(
  shell: HostShell,
  stateDir: string,
  ref: {tenant: string; instance: string},
  intent: Intent,
): Promise<void> {
  await writeJson(shell, intentPath(stateDir, ref.tenant, ref.instance), intent)
}

export async function clearIntent(
  shell: HostShell,
  stateDir: string,
  ref: {tenant: string; instance: string},
): Promise<void> {
  await shell.removeFile(intentPath(stateDir, ref.tenant, ref.instance)).catch(() => undefined)
}

/** TENANT/INSTANCE of every instance stopped on purpose. */
export async function readIntents(shell: HostShell, stateDir: string): Promise<Map<string, Intent>> {
  const intents = new Map<string, Intent>()
  const root = wardenPaths(stateDir).intents
  for (const tenant of (await shell.listDir(root)) ?? []) {
    for (const file of (await shell.listDir(`${root}/${tenant}`)) ?? []) {
      if (!file.endsWith('.json')) continue
      const intent = (await readJson(shell, `${root}/${tenant}/${file}`)) as Intent | undefined
      if (intent?.state === 'stopped') intents.set(`${tenant}/${file.slice(0, -5)}`, intent)
    }
  }
  return intents
}

// ---- heartbeat -------------------------------------------------------------------

export interface InstanceWardenState {
  state: string
  since: string
  lastAction?: {step: string; outcome: string; at: string; detail: string}
}

/** Written after every sweep: `warden status`, `doctor` and the dock read it. */
export interface Heartbeat {
  version: string
  build: string
  pid: number
  startedAt: string
  /** When this heartbeat was written (the host's clock). */
  at: string
  lastSweepAt?: string
  sweepMs?: number
  intervalSeconds: number
  instances: number
  probesPerMinute: number
  cpuPercent: number
  rssBytes: number
  queuedAlerts: number
  tasks: Record<string, {lastRunAt?: string; lastError?: string; runs: number}>
  states: Record<string, InstanceWardenState>
}

export async function readHeartbeat(shell: HostShell, stateDir: string): Promise<Heartbeat | undefined> {
  const raw = await readJson(shell, wardenPaths(stateDir).heartbeat)
  return raw && typeof raw === 'object' && 'at' in raw ? (raw as Heartbeat) : undefined
}

export async function writeHeartbeat(shell: HostShell, stateDir: string, heartbeat: Heartbeat): Promise<void> {
  await writeJson(shell, wardenPaths(stateDir).heartbeat, heartbeat)
}
