/**
 * `aims doctor`: gathers facts about a host over its one session and lets
 * core/doctor judge them. The host's tools run in ONE exec of a constant
 * probe script (paths travel as positional arguments, never pasted into the
 * script): each exec starts the user's login shell, which can cost 100 ms or
 * more of CPU on the host, and sshd limits sessions per connection.
 */
import {oneLine} from '../core/text/sanitize.js'
import {confOwner, staleConfs} from '../core/proxy/plug-conf.js'
import {groupInstances} from '../core/instances.js'
import {listPlugConfs} from './proxy.js'
import {LABEL} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import {
  clockSkew,
  doctorFailure,
  evaluateDoctor,
  factFailed,
  factOk,
  parseDf,
  parseDirState,
  parseEpoch,
  parseMeminfo,
  parseNginxVersion,
  parseProbeSections,
  parseProcNetTcp,
  parseSsListening,
  type AiFact,
  type DoctorFacts,
  type DoctorReport,
  type Fact,
  type WardenFact,
} from '../core/doctor.js'
import {wardenStatus, type WardenStatus} from './warden/install.js'
import {DEFAULT_DOCKER_ROOT} from '../core/host-target.js'
import type {Engine, ExecResult, HostSession, HostShell} from './ports.js'

const EXEC_TIMEOUT_MS = 10_000
/** A doctor must answer promptly even when dockerd hangs (the session's call timeout is a minute). */
const ENGINE_TIMEOUT_MS = 10_000

function answerWithin<T>(work: Promise<T>, hostName: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AimsError(
            'engine',
            `the Docker engine on ${hostName} did not answer within ${ENGINE_TIMEOUT_MS / 1000} s`,
            {hint: 'check dockerd on the host (systemctl status docker, journalctl -u docker)'},
          ),
        ),
      ENGINE_TIMEOUT_MS,
    )
    timer.unref?.()
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/**
 * $1 nginx conf dir, $2 state dir, $3 Docker's root dir. sbin is added to
 * PATH because a non-root SSH user's PATH often lacks it (nginx, ss).
 */
export const PROBE_SCRIPT = `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH
dir_state() {
  if [ -e "$1" ]; then
    if [ ! -d "$1" ]; then echo not-a-directory; elif [ -w "$1" ]; then echo writable; else echo read-only; fi
  else
    p=$(dirname "$1"); while [ ! -e "$p" ]; do p=$(dirname "$p"); done
    if [ -d "$p" ] && [ -w "$p" ]; then echo creatable; else echo not-creatable; fi
  fi
}
end() { printf '\\n@@aims-exit %s\\n' "$1"; }
echo '@@aims date'; date -u +%s.%N; end $?
echo '@@aims nginx'; if command -v nginx >/dev/null 2>&1; then nginx -v 2>&1; end $?; else end 127; fi
echo '@@aims nginx-conf-dir'; dir_state "$1"; end $?
echo '@@aims state-dir'; dir_state "$2"; end $?
echo '@@aims meminfo'; cat /proc/meminfo 2>&1; end $?
echo '@@aims ss'; if command -v ss >/dev/null 2>&1; then ss -ltnH 2>&1; end $?; else end 127; fi
echo '@@aims proc-net-tcp'; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; end $?
echo '@@aims df'; df -Pk "$3" 2>&1; end $?
`

export interface DoctorDeps {
  session: HostSession
  /** Epoch milliseconds on this machine (clock skew). */
  now: () => number
  /** This machine's ACHEEVY provider and where its key comes from (services/ai-settings.ts). */
  ai?: () => Promise<AiFact>
  /** This aims' build id: when given, an installed warden is checked against it. */
  wardenBuild?: string
}

export interface DoctorOutcome {
  report: DoctorReport
  facts: DoctorFacts
  /** Set when any check failed: the one-line error the command exits with. */
  failure?: AimsError
}

type Sections = Map<string, {text: string; exitCode: number}>

/** Errors that mean "could not log in", as opposed to a tool failing once logged in. */
const LOGIN_FAILURES = new Set(['connection', 'auth', 'host-key'])

function sectionFailed(what: string, section: {text: string; exitCode: number} | undefined): AimsError {
  if (!section)
    return new AimsError('remote', `${what}: the probe printed nothing`, {
      hint: 'check that the SSH user has a POSIX shell on the host',
    })
  return new AimsError(
    'remote',
    `${what} exited with ${section.exitCode}: ${oneLine(section.text).slice(0, 200) || 'no output'}`,
  )
}

function fromSection<T>(
  sections: Sections,
  name: string,
  what: string,
  read: (section: {text: string; exitCode: number}) => T | undefined,
): Fact<T> {
  const section = sections.get(name)
  const value = section ? read(section) : undefined
  return value === undefined ? factFailed(sectionFailed(what, section)) : factOk(value)
}

function nginxFact(sections: Sections): DoctorFacts['nginx'] {
  return fromSection(sections, 'nginx', 'nginx -v', (section) => {
    if (section.exitCode === 127) return {installed: false}
    const version = parseNginxVersion(section.text)
    if (section.exitCode !== 0 && !version) return undefined
    return {installed: true, ...(version ? {version} : {})}
  })
}

function listeningFact(sections: Sections): Fact<{ports: number[]; source: string}> {
  const ss = sections.get('ss')
  if (ss?.exitCode === 0) return factOk({ports: parseSsListening(ss.text), source: 'ss'})
  // No iproute2: the kernel's tables say the same.
  const proc = sections.get('proc-net-tcp')
  if (proc && proc.text.trim() !== '') return factOk({ports: parseProcNetTcp(proc.text), source: '/proc/net/tcp'})
  return factFailed(sectionFailed('ss -ltnH', ss))
}

function memoryFact(sections: Sections, engineTotal: number | undefined): DoctorFacts['memory'] {
  const meminfo = sections.get('meminfo')
  // Not Linux, or no /proc: the engine's MemTotal stands in.
  const parsed = meminfo?.exitCode === 0 ? parseMeminfo(meminfo.text) : {}
  const totalBytes = parsed.totalBytes ?? engineTotal
  if (totalBytes === undefined) return factFailed(sectionFailed('reading /proc/meminfo', meminfo))
  return factOk({totalBytes, ...(parsed.availableBytes === undefined ? {} : {availableBytes: parsed.availableBytes})})
}

function diskFact(section: {text: string; exitCode: number} | undefined, path: string): DoctorFacts['disk'] {
  const parsed = section?.exitCode === 0 ? parseDf(section.text) : undefined
  return parsed ? factOk({path, ...parsed}) : factFailed(sectionFailed(`df ${path}`, section))
}

/** Host ports Docker publishes or aims has reserved (labels), running or not. */
async function enginePorts(engine: Engine): Promise<number[]> {
  const containers = await engine.listContainers({all: true})
  return containers.flatMap((container) => {
    const label = Number(container.labels[LABEL.port])
    return [...container.ports.map((port) => port.hostPort), ...(Number.isInteger(label) && label > 0 ? [label] : [])]
  })
}

async function probe(
  shell: HostShell,
  host: HostSession['host'],
  now: () => number,
): Promise<{result: ExecResult; before: number; after: number}> {
  const before = now()
  const result = await shell.exec(
    ['sh', '-c', PROBE_SCRIPT, 'aims-doctor', host.nginxConfDir, host.stateDir, DEFAULT_DOCKER_ROOT],
    {timeoutMs: EXEC_TIMEOUT_MS},
  )
  return {result, before, after: now()}
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorOutcome> {
  const {session, now} = deps
  const host = session.host
  const endpoint = host.ssh
    ? `${host.ssh.user}@${host.ssh.host}${host.ssh.port === 22 ? '' : `:${host.ssh.port}`}`
    : undefined
  const facts: DoctorFacts = {
    host: {
      name: host.name,
      kind: host.kind,
      ...(endpoint ? {endpoint} : {}),
      nginxConfDir: host.nginxConfDir,
      stateDir: host.stateDir,
    },
    connection: factOk({}),
  }
  // Local, so it runs while the host is asked; an error here is a warning, never the doctor's failure.
  const aiFact = deps.ai?.().then(factOk, (error: unknown) => factFailed<AiFact>(error))
  const finish = async (): Promise<DoctorOutcome> => {
    if (aiFact) facts.ai = await aiFact
    const report = evaluateDoctor(facts, host.ssh?.user ?? 'your user')
    const failure = doctorFailure(report, facts)
    return {report, facts, ...(failure ? {failure} : {})}
  }

  const shell = await session.shell()
  const engine = await session.engine()
  // Both open (and share) the one connection; whichever logs in first serves the other.
  const [probed, engineFacts] = await Promise.allSettled([
    probe(shell, host, now),
    answerWithin(
      Promise.all([engine.version(), engine.info()]).then(([version, info]) => ({version, info})),
      host.name,
    ),
  ])

  if (probed.status === 'rejected' && engineFacts.status === 'rejected') {
    // Neither got through: when either says why logging in failed, that is the SSH check's failure.
    const login = [probed.reason, engineFacts.reason].find(
      (error) => error instanceof AimsError && LOGIN_FAILURES.has(error.kind),
    )
    if (login) {
      facts.connection = factFailed(login)
      const hostKey = session.metrics().hostKey
      if (hostKey) facts.hostKey = hostKey
      return finish()
    }
  }
  const metrics = session.metrics()
  facts.connection = factOk(metrics.connectMs === undefined ? {} : {connectMs: metrics.connectMs})
  if (metrics.hostKey) facts.hostKey = metrics.hostKey

  facts.engine =
    engineFacts.status === 'fulfilled'
      ? factOk({version: engineFacts.value.version, info: engineFacts.value.info})
      : factFailed(engineFacts.reason)
  const published = facts.engine.ok ? await enginePorts(engine).catch(() => undefined) : undefined

  if (probed.status === 'rejected') {
    const failed = factFailed<never>(probed.reason)
    Object.assign(facts, {
      nginx: failed,
      nginxConfDir: failed,
      stateDir: failed,
      memory: failed,
      ports: failed,
      clock: failed,
    })
    if (facts.engine.ok) facts.disk = failed
    return finish()
  }
  const sections = parseProbeSections(probed.value.result.stdout)

  // The engine's clock is the host's, read over the established connection once nothing else
  // runs: a much tighter bracket than a shell's start-up.
  const timed = facts.engine.ok ? await readEngineClock(engine, now) : undefined
  if (timed) {
    facts.clock = factOk(timed)
  } else {
    facts.clock = fromSection(sections, 'date', 'date', (section) => {
      const remote = section.exitCode === 0 ? parseEpoch(section.text) : undefined
      if (remote === undefined) return undefined
      const skew = clockSkew(probed.value.before, remote, probed.value.after)
      // Without %N (non-GNU date) the reading is only good to the second.
      return /^\d+\.\d{3,}/.test(section.text.trim())
        ? skew
        : {skewMs: skew.skewMs + 500, uncertaintyMs: skew.uncertaintyMs + 500}
    })
  }

  facts.nginx = nginxFact(sections)
  facts.nginxConfDir = fromSection(sections, 'nginx-conf-dir', `checking ${host.nginxConfDir}`, (section) =>
    parseDirState(section.text),
  )
  facts.stateDir = fromSection(sections, 'state-dir', `checking ${host.stateDir}`, (section) =>
    parseDirState(section.text),
  )
  facts.memory = memoryFact(sections, facts.engine.ok ? facts.engine.value.info.memTotalBytes : undefined)
  const listening = listeningFact(sections)
  facts.ports = listening.ok
    ? factOk({
        inUse: [...new Set([...listening.value.ports, ...(published ?? [])])].sort((a, b) => a - b),
        source: listening.value.source,
        engineKnown: published !== undefined,
      })
    : listening

  if (facts.engine.ok) facts.proxyConfs = await proxyConfsFact(shell, engine, host.nginxConfDir)
  if (facts.engine.ok && deps.wardenBuild) {
    const warden = await wardenStatus(
      {session, clock: {now: () => new Date(now()), sleep: async () => {}}},
      deps.wardenBuild,
    )
      .then((status) => (status.installed ? factOk(wardenFactOf(status)) : undefined))
      .catch((error: unknown) => factFailed<WardenFact>(error))
    if (warden) facts.warden = warden
  }

  if (facts.engine.ok) {
    const rootDir = facts.engine.value.info.dockerRootDir || DEFAULT_DOCKER_ROOT
    // The probe measured the usual root dir; only a moved one costs another exec.
    const section = rootDir === DEFAULT_DOCKER_ROOT ? sections.get('df') : await dfSection(shell, rootDir)
    facts.disk = diskFact(section, rootDir)
  }
  return finish()
}

/** Confs in the conf dir whose owner (first line) is no longer an instance on the engine. */
async function proxyConfsFact(shell: HostShell, engine: Engine, confDir: string): Promise<DoctorFacts['proxyConfs']> {
  try {
    const [names, containers] = await Promise.all([
      listPlugConfs(shell, confDir),
      engine.listContainers({all: true, labels: {[LABEL.managed]: 'true'}}),
    ])
    const live = groupInstances(containers).map((view) => ({tenant: view.tenant, instance: view.instance}))
    const liveRefs = new Set(live.map((ref) => `${ref.tenant}/${ref.instance}`))
    const candidates = staleConfs(names, live)
    const stale: Array<{file: string; owner?: string}> = []
    for (const file of candidates) {
      const owner = confOwner((await shell.readFile(`${confDir}/${file}`))?.toString('utf8') ?? '')
      const ref = owner ? `${owner.tenant}/${owner.instance}` : undefined
      // A name clash (tenant a-b/instance c vs a/b-c) can make a live conf look stale: the owner line decides.
      if (ref && liveRefs.has(ref)) continue
      stale.push({file, ...(ref ? {owner: ref} : {})})
    }
    return factOk({total: names.length, stale})
  } catch (error) {
    return factFailed(error)
  }
}

async function readEngineClock(
  engine: Engine,
  now: () => number,
): Promise<{skewMs: number; uncertaintyMs: number} | undefined> {
  try {
    const before = now()
    const info = await engine.info()
    const after = now()
    return info.serverTime ? clockSkew(before, info.serverTime.getTime(), after) : undefined
  } catch {
    return undefined
  }
}

async function dfSection(shell: HostShell, path: string): Promise<{text: string; exitCode: number} | undefined> {
  try {
    const result = await shell.exec(['df', '-Pk', path], {timeoutMs: EXEC_TIMEOUT_MS})
    return {text: result.stdout || result.stderr, exitCode: result.exitCode}
  } catch {
    return undefined
  }
}

function wardenFactOf(status: WardenStatus): WardenFact {
  return {
    running: status.running,
    stale: status.stale,
    ...(status.build ? {build: status.build} : {}),
    cliBuild: status.cliBuild,
    ...(status.heartbeatAgeSeconds !== undefined ? {heartbeatAgeSeconds: status.heartbeatAgeSeconds} : {}),
  }
}
