/**
 * `aims doctor`: facts about a host in, checks out. Pure — the service gathers
 * the facts (over the one SSH connection) and this module decides, so every
 * threshold and message is unit tested without a host.
 *
 * A fact that could not be gathered carries the error that stopped it; a fact
 * that was not even tried (because what it needs failed first) is absent, and
 * its check is reported as "skipped" with the reason.
 */
import {AimsError} from './errors.js'
import type {EngineInfo, EngineVersion} from './engine-types.js'
import {formatBytes} from './names.js'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped'

export type CheckId =
  | 'ssh'
  | 'host-key'
  | 'engine'
  | 'storage'
  | 'disk'
  | 'memory'
  | 'nginx'
  | 'nginx-conf-dir'
  | 'state-dir'
  | 'ports'
  | 'clock'
  | 'proxy-confs'
  | 'ai'
  | 'cluster-nodes'
  | 'cluster-quorum'
  | 'cluster-versions'
  | 'cluster-clock'
  | 'cluster-overlay'
  | 'warden'

export interface DoctorCheck {
  id: CheckId
  title: string
  status: CheckStatus
  detail: string
  /** What to do about it; null when there is nothing to do. */
  fix: string | null
}

export interface DoctorReport {
  host: string
  ok: boolean
  checks: DoctorCheck[]
}

/** An error as facts carry it (an AimsError's essentials, serialisable). */
export interface FactError {
  kind: string
  message: string
  hint?: string
}

export type Fact<T> = {ok: true; value: T} | {ok: false; error: FactError}

export const factOk = <T>(value: T): Fact<T> => ({ok: true, value})
export const factFailed = <T>(error: unknown): Fact<T> => ({ok: false, error: toFactError(error)})

export function toFactError(error: unknown): FactError {
  if (error instanceof AimsError)
    return {kind: error.kind, message: error.message, ...(error.hint ? {hint: error.hint} : {})}
  return {kind: 'internal', message: error instanceof Error ? error.message : String(error)}
}

/** What `test -d/-w` says about a directory aims must write to on the host. */
export type DirState = 'writable' | 'read-only' | 'not-a-directory' | 'creatable' | 'not-creatable'

/** ACHEEVY's provider on this machine and where its key comes from (never the key). */
export interface AiFact {
  provider: string
  model: string
  baseUrl?: string
  key:
    | {kind: 'env'; envVar: string}
    | {kind: 'stored'; store: 'keychain' | 'file'; location: string}
    | {kind: 'none'; needed: boolean}
}

export interface DoctorFacts {
  host: {name: string; kind: 'local' | 'ssh'; endpoint?: string; nginxConfDir: string; stateDir: string}
  /** Logging in (SSH) — for `local`, always ok. */
  connection: Fact<{connectMs?: number}>
  /** The host key the SSH handshake accepted (known even when authentication then failed). */
  hostKey?: {type: string; fingerprint: string; source?: string} | undefined
  engine?: Fact<{version: EngineVersion; info: EngineInfo}> | undefined
  disk?: Fact<{path: string; availableBytes: number; totalBytes: number}> | undefined
  memory?: Fact<{totalBytes: number; availableBytes?: number}> | undefined
  nginx?: Fact<{installed: boolean; version?: string}> | undefined
  nginxConfDir?: Fact<DirState> | undefined
  stateDir?: Fact<DirState> | undefined
  ports?: Fact<{inUse: number[]; source: string; engineKnown: boolean}> | undefined
  /** Local: ACHEEVY's provider and key (absent when the caller did not ask). */
  ai?: Fact<AiFact> | undefined
  /** Host clock minus local clock, with the measurement's uncertainty (half the round trip). */
  clock?: Fact<{skewMs: number; uncertaintyMs: number}> | undefined
  /** Instance confs in the nginx conf dir, and those whose instance no longer exists (owner = tenant/instance). */
  proxyConfs?: Fact<{total: number; stale: Array<{file: string; owner?: string}>}> | undefined
  /** The warden, when one is installed on the host: running, heartbeat age, its build against this CLI's. */
  warden?: Fact<WardenFact> | undefined
}

export interface WardenFact {
  running: boolean
  stale: boolean
  build?: string
  cliBuild: string
  heartbeatAgeSeconds?: number
}

export const PORT_RANGE = {first: 51_000, last: 51_999} as const
export const MIN_API_VERSION = '1.41'

export const THRESHOLDS = {
  diskFailBytes: 1024 ** 3,
  diskWarnBytes: 5 * 1024 ** 3,
  diskWarnRatio: 0.1,
  memoryFailBytes: 128 * 1024 ** 2,
  memoryWarnBytes: 512 * 1024 ** 2,
  portsWarnFree: 50,
  clockWarnMs: 2000,
  clockFailMs: 30_000,
} as const

const TITLES: Record<CheckId, string> = {
  ssh: 'SSH login',
  'host-key': 'Host key',
  engine: 'Docker engine',
  storage: 'Storage driver',
  disk: 'Free disk',
  memory: 'Memory',
  nginx: 'nginx',
  'nginx-conf-dir': 'nginx conf dir',
  'state-dir': 'State dir',
  ports: 'Port range',
  clock: 'Clock skew',
  'proxy-confs': 'Proxy routes',
  ai: 'ACHEEVY key',
  'cluster-nodes': 'Cluster nodes',
  'cluster-quorum': 'Manager quorum',
  'cluster-versions': 'Engine versions',
  'cluster-clock': 'Clock skew between nodes',
  'cluster-overlay': 'Overlay encryption',
  warden: 'Warden',
}

/** A check's title (cluster checks are built outside evaluateDoctor). */
export const checkTitle = (id: CheckId) => TITLES[id]

const check = (id: CheckId, status: CheckStatus, detail: string, fix: string | null = null): DoctorCheck => ({
  id,
  title: TITLES[id],
  status,
  detail,
  fix,
})

/** Compares dotted versions numerically: 1.41 < 1.100. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0)
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0)
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

const failedFact = (id: CheckId, error: FactError) => check(id, 'fail', error.message, error.hint ?? null)

function skippedBecause(id: CheckId, reason: string, fix: string | null = null): DoctorCheck {
  return check(id, 'skipped', reason, fix)
}

function evaluateConnection(facts: DoctorFacts): DoctorCheck[] {
  if (facts.host.kind === 'local') {
    return [
      check('ssh', 'skipped', 'local engine: no SSH needed'),
      check('host-key', 'skipped', 'local engine: no SSH host key'),
    ]
  }
  const connection = facts.connection
  const key = facts.hostKey
  const trusted = key ? `trusted: ${key.type} ${key.fingerprint}${key.source ? ` (${key.source})` : ''}` : 'trusted'
  if (connection.ok) {
    return [
      check(
        'ssh',
        'pass',
        `logged in to ${facts.host.endpoint ?? facts.host.name}` +
          (connection.value.connectMs === undefined ? '' : ` in ${Math.round(connection.value.connectMs)} ms`),
      ),
      check('host-key', 'pass', trusted),
    ]
  }
  const error = connection.error
  if (error.kind === 'host-key') {
    return [
      skippedBecause('ssh', 'not attempted: the host key is not trusted', 'fix the host key first'),
      failedFact('host-key', error),
    ]
  }
  // Authentication happens after the key exchange, so an auth failure means the key was fine.
  const hostKey =
    error.kind === 'auth' || key
      ? check('host-key', 'pass', trusted)
      : skippedBecause('host-key', 'not checked: no SSH connection', 'fix the SSH login first')
  return [failedFact('ssh', error), hostKey]
}

function evaluateEngine(engine: DoctorFacts['engine']): DoctorCheck {
  if (!engine) return skippedBecause('engine', 'needs an SSH login', 'fix the SSH login first')
  if (!engine.ok) return failedFact('engine', engine.error)
  const {version} = engine.value
  const detail = `Docker ${version.version}, API ${version.apiVersion} (${version.os}/${version.arch})`
  if (compareVersions(version.apiVersion, MIN_API_VERSION) < 0) {
    return check(
      'engine',
      'fail',
      `${detail}: API older than ${MIN_API_VERSION}`,
      'upgrade Docker on the host to 20.10 or newer',
    )
  }
  return check('engine', 'pass', detail)
}

/** Drivers that work but are slow or deprecated for containers that write. */
const POOR_STORAGE_DRIVERS: Record<string, string> = {
  vfs: 'copies every layer in full: slow and wasteful on disk',
  devicemapper: 'is deprecated and slow',
}

function evaluateStorage(engine: DoctorFacts['engine']): DoctorCheck {
  if (!engine?.ok) return skippedBecause('storage', 'needs the Docker engine', 'fix the Docker engine check first')
  const driver = engine.value.info.storageDriver || 'unknown'
  const poor = POOR_STORAGE_DRIVERS[driver]
  if (poor)
    return check(
      'storage',
      'warn',
      `${driver} ${poor}`,
      'switch Docker to overlay2 ("storage-driver": "overlay2" in /etc/docker/daemon.json) on a supported filesystem',
    )
  return check('storage', 'pass', driver)
}

function evaluateDisk(disk: DoctorFacts['disk']): DoctorCheck {
  if (!disk)
    return skippedBecause(
      'disk',
      "needs the Docker engine (to find Docker's root dir)",
      'fix the Docker engine check first',
    )
  if (!disk.ok)
    return check(
      'disk',
      'warn',
      `could not measure free disk: ${disk.error.message}`,
      disk.error.hint ?? 'check that df works on the host',
    )
  const {path, availableBytes, totalBytes} = disk.value
  if (!Number.isFinite(availableBytes) || !Number.isFinite(totalBytes))
    return check(
      'disk',
      'fail',
      `could not measure free disk on ${path}: the host answered no number`,
      'check that df -Pk works on the host',
    )
  const detail = `${formatBytes(availableBytes)} free of ${formatBytes(totalBytes)} on ${path}`
  const fix = 'free space on the host (docker image prune, old logs) or grow the disk'
  if (availableBytes < THRESHOLDS.diskFailBytes) return check('disk', 'fail', detail, fix)
  if (
    availableBytes < THRESHOLDS.diskWarnBytes ||
    (totalBytes > 0 && availableBytes / totalBytes < THRESHOLDS.diskWarnRatio)
  )
    return check('disk', 'warn', detail, fix)
  return check('disk', 'pass', detail)
}

function evaluateMemory(memory: DoctorFacts['memory']): DoctorCheck {
  if (!memory) return skippedBecause('memory', 'needs an SSH login', 'fix the SSH login first')
  if (!memory.ok)
    return check('memory', 'warn', `could not read memory: ${memory.error.message}`, memory.error.hint ?? null)
  const {totalBytes, availableBytes} = memory.value
  if (!Number.isFinite(totalBytes) || (availableBytes !== undefined && !Number.isFinite(availableBytes)))
    return check(
      'memory',
      'fail',
      'could not read memory: the host answered no number',
      'check that /proc/meminfo is readable on the host',
    )
  if (availableBytes === undefined) {
    const detail = `${formatBytes(totalBytes)} total (available memory unknown)`
    return totalBytes < THRESHOLDS.memoryWarnBytes
      ? check('memory', 'warn', detail, 'give the host more memory')
      : check('memory', 'pass', detail)
  }
  const detail = `${formatBytes(availableBytes)} available of ${formatBytes(totalBytes)}`
  const fix = 'stop what you do not need on the host, add swap, or give it more memory'
  if (availableBytes < THRESHOLDS.memoryFailBytes) return check('memory', 'fail', detail, fix)
  if (availableBytes < THRESHOLDS.memoryWarnBytes) return check('memory', 'warn', detail, fix)
  return check('memory', 'pass', detail)
}

function evaluateNginx(facts: DoctorFacts): DoctorCheck {
  const nginx = facts.nginx
  if (!nginx) return skippedBecause('nginx', 'needs an SSH login', 'fix the SSH login first')
  if (!nginx.ok)
    return check('nginx', 'fail', `could not run nginx -v: ${nginx.error.message}`, nginx.error.hint ?? null)
  if (nginx.value.installed)
    return check('nginx', 'pass', nginx.value.version ? `nginx ${nginx.value.version}` : 'installed')
  // On a laptop nginx is optional: plugs stay reachable on their 127.0.0.1 ports.
  if (facts.host.kind === 'local')
    return check(
      'nginx',
      'warn',
      'not installed: plugs are reachable on their 127.0.0.1 ports only',
      'install nginx to give plugs domain names (apt-get install nginx)',
    )
  return check(
    'nginx',
    'fail',
    'not installed: plugs cannot get domain names',
    'install it on the host (apt-get install nginx) and start it',
  )
}

function evaluateDir(
  id: 'nginx-conf-dir' | 'state-dir',
  path: string,
  state: Fact<DirState> | undefined,
  user: string,
): DoctorCheck {
  if (!state) return skippedBecause(id, 'needs an SSH login', 'fix the SSH login first')
  if (!state.ok) return check(id, 'fail', `could not check ${path}: ${state.error.message}`, state.error.hint ?? null)
  const other = id === 'nginx-conf-dir' ? 'aims host add --nginx-conf-dir' : 'aims host add --state-dir'
  switch (state.value) {
    case 'writable':
      return check(id, 'pass', `${path} is writable`)
    case 'creatable':
      return check(id, 'pass', `${path} does not exist yet; aims will create it`)
    case 'read-only':
      return check(
        id,
        'fail',
        `${path} is not writable by ${user}`,
        `let ${user} write it (chown or a group), or use another directory with ${other} --force`,
      )
    case 'not-a-directory':
      return check(
        id,
        'fail',
        `${path} exists but is not a directory`,
        `remove it, or use another directory with ${other} --force`,
      )
    case 'not-creatable':
      return check(
        id,
        'fail',
        `${path} does not exist and ${user} cannot create it`,
        `create it as root (mkdir -p ${path}) and let ${user} write it`,
      )
  }
}

function evaluatePorts(ports: DoctorFacts['ports']): DoctorCheck {
  if (!ports) return skippedBecause('ports', 'needs an SSH login', 'fix the SSH login first')
  if (!ports.ok)
    return check(
      'ports',
      'warn',
      `could not list listening ports: ${ports.error.message}`,
      ports.error.hint ?? 'install iproute2 (ss) on the host',
    )
  const size = PORT_RANGE.last - PORT_RANGE.first + 1
  const used = new Set(ports.value.inUse.filter((port) => port >= PORT_RANGE.first && port <= PORT_RANGE.last))
  const free = size - used.size
  const detail =
    `${free} of ${size} free in ${PORT_RANGE.first}-${PORT_RANGE.last} ` +
    `(${ports.value.source}${ports.value.engineKnown ? ' and Docker' : '; Docker ports unknown'})`
  const fix = 'remove instances you do not need (aims plug down), or stop what else listens in that range'
  if (free === 0) return check('ports', 'fail', detail, fix)
  if (free < THRESHOLDS.portsWarnFree) return check('ports', 'warn', detail, fix)
  return check('ports', 'pass', detail)
}

function formatSkew(ms: number): string {
  const abs = Math.abs(ms)
  const text = abs < 1000 ? `${Math.round(abs)} ms` : `${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`
  return `${text} ${ms >= 0 ? 'ahead of' : 'behind'}`
}

function evaluateClock(clock: DoctorFacts['clock']): DoctorCheck {
  if (!clock) return skippedBecause('clock', 'needs an SSH login', 'fix the SSH login first')
  if (!clock.ok)
    return check('clock', 'warn', `could not read the host clock: ${clock.error.message}`, clock.error.hint ?? null)
  const {skewMs, uncertaintyMs} = clock.value
  if (!Number.isFinite(skewMs) || !Number.isFinite(uncertaintyMs))
    return check(
      'clock',
      'fail',
      'could not read the host clock: it answered no time',
      'check that date works on the host',
    )
  // Only what the measurement can vouch for counts: subtract the round-trip uncertainty.
  const sure = Math.max(0, Math.abs(skewMs) - uncertaintyMs)
  const detail = `host clock is ${formatSkew(skewMs)} this machine (±${Math.max(1, Math.round(uncertaintyMs))} ms)`
  const fix = 'enable time sync on both machines (timedatectl set-ntp true, or chrony)'
  if (sure > THRESHOLDS.clockFailMs) return check('clock', 'fail', detail, fix)
  if (sure > THRESHOLDS.clockWarnMs) return check('clock', 'warn', detail, fix)
  return check('clock', 'pass', detail)
}

export function evaluateDoctor(facts: DoctorFacts, user = 'the SSH user'): DoctorReport {
  const checks = [
    ...evaluateConnection(facts),
    evaluateEngine(facts.engine),
    evaluateStorage(facts.engine),
    evaluateDisk(facts.disk),
    evaluateMemory(facts.memory),
    evaluateNginx(facts),
    evaluateDir('nginx-conf-dir', facts.host.nginxConfDir, facts.nginxConfDir, user),
    evaluateDir('state-dir', facts.host.stateDir, facts.stateDir, user),
    evaluatePorts(facts.ports),
    evaluateClock(facts.clock),
    evaluateProxyConfs(facts.proxyConfs),
    ...(facts.ai ? [evaluateAi(facts.ai)] : []),
    ...(facts.warden ? [evaluateWarden(facts.warden)] : []),
  ]
  return {host: facts.host.name, ok: checks.every((item) => item.status !== 'fail'), checks}
}

/** Never fails the doctor: a warden that is down or stale, or runs other code than this CLI, is a warning. */
export function evaluateWarden(fact: Fact<WardenFact>): DoctorCheck {
  if (!fact.ok) return check('warden', 'warn', `the warden's state cannot be read: ${fact.error.message}`, null)
  const warden = fact.value
  if (!warden.running)
    return check('warden', 'warn', 'the warden is installed but not running', 'aims warden install --yes')
  if (warden.stale)
    return check(
      'warden',
      'warn',
      `no heartbeat for ${warden.heartbeatAgeSeconds ?? '?'} s: the warden is not sweeping`,
      'aims warden logs, then aims warden install --yes',
    )
  if (warden.build !== warden.cliBuild)
    return check(
      'warden',
      'warn',
      `the warden runs aims ${warden.build ?? '?'}, this aims is ${warden.cliBuild}`,
      'aims warden install --yes (updates it)',
    )
  return check('warden', 'pass', `running ${warden.build}, heartbeat ${warden.heartbeatAgeSeconds ?? 0} s ago`)
}

/** Never fails the doctor (the host is ready either way); says where the key came from. */
export function evaluateAi(fact: Fact<AiFact>): DoctorCheck {
  if (!fact.ok)
    return check('ai', 'warn', `ACHEEVY's key cannot be read: ${fact.error.message}`, fact.error.hint ?? null)
  const {provider, model, baseUrl, key} = fact.value
  if (provider === 'offline') return check('ai', 'pass', 'ACHEEVY uses the offline parser (no model configured)', null)
  const what = `${provider}${baseUrl ? ` at ${baseUrl}` : ''} (${model})`
  switch (key.kind) {
    case 'env':
      return check('ai', 'pass', `${what}, key from env ${key.envVar}`)
    case 'stored':
      return check(
        'ai',
        'pass',
        `${what}, key from ` +
          `${key.store === 'keychain' ? `the keychain (${key.location})` : `the encrypted file ${key.location}`}`,
      )
    case 'none':
      return key.needed
        ? check(
            'ai',
            'warn',
            `${what}, but no key is set or stored`,
            `aims login ${provider}, or aims config set ai.provider offline`,
          )
        : check('ai', 'pass', `${what}, no key (the server takes none)`)
  }
}

function evaluateProxyConfs(fact: DoctorFacts['proxyConfs']): DoctorCheck {
  if (!fact) return skippedBecause('proxy-confs', 'needs the Docker engine')
  if (!fact.ok) return check('proxy-confs', 'warn', fact.error.message, fact.error.hint ?? null)
  const {total, stale} = fact.value
  if (stale.length === 0)
    return check(
      'proxy-confs',
      'pass',
      total === 0 ? 'no instance routes yet' : `${total} route${total === 1 ? '' : 's'}, each to a running instance`,
    )
  const named = stale.map((item) => (item.owner ? `${item.file} (${item.owner})` : item.file))
  const example = stale.find((item) => item.owner)?.owner
  return check(
    'proxy-confs',
    'warn',
    `${stale.length} route${stale.length === 1 ? ' points' : 's point'} at instances that no longer exist: ` +
      `${named.join(', ')}`,
    example ? `aims plug down ${example} removes it (and reloads nginx)` : 'remove the file and reload nginx',
  )
}

/**
 * The one-line error `aims doctor` exits with: the root cause when the login
 * or the engine failed (everything else follows from it), otherwise the
 * failed checks, with the first one's fix.
 */
export function doctorFailure(report: DoctorReport, facts: DoctorFacts): AimsError | undefined {
  const failed = report.checks.filter((item) => item.status === 'fail')
  if (failed.length === 0) return undefined
  const root = !facts.connection.ok
    ? facts.connection.error
    : facts.engine && !facts.engine.ok
      ? facts.engine.error
      : undefined
  if (root && failed.length === 1) {
    return new AimsError(asKind(root.kind), root.message, root.hint ? {hint: root.hint} : {})
  }
  const first = failed[0]!
  const summary = failed.map((item) => `${item.title.toLowerCase()}: ${item.detail}`).join('; ')
  const hint =
    failed.length === 1
      ? (first.fix ?? 'see the check above')
      : `${first.fix ?? 'see the checks above'} (then see the other fixes above)`
  return new AimsError(
    root ? asKind(root.kind) : 'remote',
    `${failed.length === 1 ? 'a doctor check failed' : `${failed.length} doctor checks failed`} on ` +
      `${report.host}: ${summary}`,
    {hint},
  )
}

const KINDS = new Set(['connection', 'host-key', 'auth', 'engine', 'remote', 'internal'])
const asKind = (kind: string) => (KINDS.has(kind) ? kind : 'remote') as 'connection'

// ---------------------------------------------------------------------------
// Parsers for the command output the service gathers. Each takes the text a
// standard tool prints and returns data; unknown shapes give undefined.

/** Local port numbers from `ss -ltnH` (State Recv-Q Send-Q Local:Port Peer:Port …). */
export function parseSsListening(output: string): number[] {
  const ports = new Set<number>()
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/)
    // With -H there is no header; the local address is the 4th field ("LISTEN 0 128 127.0.0.1:2222 …").
    const local = fields[0] === 'LISTEN' ? fields[3] : fields.find((field) => /:\d+$/.test(field))
    const match = local ? /:(\d+)$/.exec(local) : null
    if (match) ports.add(Number(match[1]))
  }
  return [...ports].sort((a, b) => a - b)
}

/** Listening TCP ports from /proc/net/tcp and tcp6 (state 0A), the fallback when ss is missing. */
export function parseProcNetTcp(output: string): number[] {
  const ports = new Set<number>()
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 4 || fields[3] !== '0A') continue
    const port = /:([0-9A-F]{4})$/i.exec(fields[1] ?? '')?.[1]
    if (port) ports.add(Number.parseInt(port, 16))
  }
  return [...ports].sort((a, b) => a - b)
}

/** `df -Pk PATH`: available and total bytes of the filesystem holding PATH. */
export function parseDf(output: string): {availableBytes: number; totalBytes: number} | undefined {
  const lines = output.trim().split('\n')
  const fields = lines.at(-1)?.trim().split(/\s+/) ?? []
  // Filesystem 1024-blocks Used Available Capacity Mounted-on (the filesystem name may hold spaces: count from the end)
  if (lines.length < 2 || fields.length < 6) return undefined
  const total = Number(fields.at(-5))
  const available = Number(fields.at(-3))
  if (!Number.isFinite(total) || !Number.isFinite(available)) return undefined
  return {availableBytes: available * 1024, totalBytes: total * 1024}
}

/** /proc/meminfo: MemTotal and MemAvailable in bytes. */
export function parseMeminfo(output: string): {totalBytes?: number; availableBytes?: number} {
  const value = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(output)
    return match ? Number(match[1]) * 1024 : undefined
  }
  const totalBytes = value('MemTotal')
  const availableBytes = value('MemAvailable')
  return {...(totalBytes === undefined ? {} : {totalBytes}), ...(availableBytes === undefined ? {} : {availableBytes})}
}

/** `nginx -v` prints "nginx version: nginx/1.22.1" on stderr. */
export function parseNginxVersion(output: string): string | undefined {
  return /nginx version:\s*\S*?\/?([\d.]+\S*)/.exec(output)?.[1]
}

/** `date -u +%s.%N` (GNU: nanoseconds; others may print a literal %N or N): epoch milliseconds. */
export function parseEpoch(output: string): number | undefined {
  const match = /^(\d{9,})(?:\.(\d+))?/.exec(output.trim())
  if (!match) return undefined
  const fraction = match[2] ? Number(`0.${match[2]}`) : 0
  return Number(match[1]) * 1000 + Math.round(fraction * 1000)
}

/**
 * The doctor's probe script prints its sections as `@@aims NAME`, the
 * section's output, then `@@aims-exit CODE`: one SSH exec (one start of the
 * user's shell) for every fact the host's tools give.
 */
export function parseProbeSections(output: string): Map<string, {text: string; exitCode: number}> {
  const sections = new Map<string, {text: string; exitCode: number}>()
  let name: string | undefined
  let lines: string[] = []
  for (const line of output.split('\n')) {
    const start = /^@@aims ([a-z-]+)$/.exec(line)
    const end = /^@@aims-exit (\d+)$/.exec(line)
    if (start) {
      name = start[1]
      lines = []
    } else if (end && name) {
      sections.set(name, {text: lines.join('\n').replace(/\n$/, ''), exitCode: Number(end[1])})
      name = undefined
    } else if (name) {
      lines.push(line)
    }
  }
  return sections
}

export function parseDirState(output: string): DirState | undefined {
  const word = output.trim()
  return (['writable', 'read-only', 'not-a-directory', 'creatable', 'not-creatable'] as const).find(
    (state) => state === word,
  )
}

/**
 * Clock skew from a remote reading taken between two local readings: the
 * best estimate is the midpoint, good to half the round trip.
 */
export function clockSkew(
  localBeforeMs: number,
  remoteMs: number,
  localAfterMs: number,
): {skewMs: number; uncertaintyMs: number} {
  const midpoint = (localBeforeMs + localAfterMs) / 2
  return {skewMs: remoteMs - midpoint, uncertaintyMs: (localAfterMs - localBeforeMs) / 2}
}
