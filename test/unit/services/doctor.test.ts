import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it, vi} from 'vitest'
import {parseProbeSections} from '../../../src/core/doctor.js'
import type {EngineInfo, EngineVersion} from '../../../src/core/engine-types.js'
import {AimsError} from '../../../src/core/errors.js'
import {resolveHostEntry, type ResolvedHost} from '../../../src/core/host-target.js'
import {PROBE_SCRIPT, runDoctor} from '../../../src/services/doctor.js'
import type {Engine, ExecResult, HostSession, HostShell, TransportMetrics} from '../../../src/services/ports.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-doctor-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

const HOST: ResolvedHost = resolveHostEntry(
  {name: 'vps', target: {user: 'root', host: '203.0.113.7'}},
  {home: '/h', localUser: 'me', defaultIdentityFiles: []},
)

const PROBE_OUTPUT = [
  '@@aims date',
  '1732550000.250000000',
  '',
  '@@aims-exit 0',
  '@@aims nginx',
  'nginx version: nginx/1.22.1',
  '',
  '@@aims-exit 0',
  '@@aims nginx-conf-dir',
  'writable',
  '',
  '@@aims-exit 0',
  '@@aims state-dir',
  'creatable',
  '',
  '@@aims-exit 0',
  '@@aims meminfo',
  'MemTotal: 4194304 kB',
  'MemAvailable: 3145728 kB',
  '',
  '@@aims-exit 0',
  '@@aims ss',
  'LISTEN 0 128 127.0.0.1:51000 0.0.0.0:*',
  'LISTEN 0 128 0.0.0.0:22 0.0.0.0:*',
  '',
  '@@aims-exit 0',
  '@@aims proc-net-tcp',
  '',
  '@@aims-exit 0',
  '@@aims df',
  'Filesystem 1024-blocks Used Available Capacity Mounted on',
  '/dev/vda 83886080 41943040 41943040 50% /',
  '',
  '@@aims-exit 0',
  '',
].join('\n')

const VERSION: EngineVersion = {version: '24.0.7', apiVersion: '1.43', os: 'linux', arch: 'amd64'}
const INFO: EngineInfo = {
  name: 'vps',
  storageDriver: 'overlay2',
  memTotalBytes: 4 * 1024 ** 3,
  cpus: 2,
  dockerRootDir: '/var/lib/docker',
  containers: 1,
  serverTime: new Date(1_732_550_000_250),
  swarm: false,
  warnings: [],
}

/** Every method the doctor must not call fails the test. */
function fakeEngine(overrides: Partial<Engine>): Engine {
  return new Proxy(overrides as Engine, {
    get(target, property) {
      if (property in target) return target[property as keyof Engine]
      if (property === 'then') return undefined
      return () => {
        throw new Error(`unexpected engine call: ${String(property)}`)
      }
    },
  })
}

function fakeSession(options: {
  exec: (argv: string[]) => Promise<ExecResult>
  engine: Engine
  metrics?: TransportMetrics
  host?: ResolvedHost
}): HostSession & {execs: string[][]} {
  const execs: string[][] = []
  const shell: HostShell = new Proxy({} as HostShell, {
    get(_target, property) {
      if (property === 'exec')
        return (argv: string[]) => {
          execs.push(argv)
          return options.exec(argv)
        }
      if (property === 'then') return undefined
      // The conf dir holds no instance routes in these tests.
      if (property === 'listDir') return async () => []
      return () => {
        throw new Error(`unexpected shell call: ${String(property)}`)
      }
    },
  })
  return {
    execs,
    host: options.host ?? HOST,
    engine: async () => options.engine,
    shell: async () => shell,
    connectTcp: () => Promise.reject(new Error('unexpected connectTcp')),
    lock: () => Promise.reject(new Error('unexpected lock')),
    metrics: () =>
      options.metrics ?? {
        sshLogins: 1,
        apiCalls: 3,
        connectMs: 180,
        hostKey: {type: 'ED25519', fingerprint: 'SHA256:k', source: '/kh:1'},
      },
    close: async () => undefined,
  }
}

const probeOk = async (argv: string[]): Promise<ExecResult> => {
  if (argv[0] !== 'sh' || argv[2] !== PROBE_SCRIPT) throw new Error(`unexpected exec: ${argv.join(' ')}`)
  return {exitCode: 0, stdout: PROBE_OUTPUT, stderr: ''}
}

describe('runDoctor', () => {
  it('judges a healthy host from one probe exec and four engine calls', async () => {
    const engine = fakeEngine({
      version: async () => VERSION,
      info: async () => INFO,
      listContainers: async () => [
        {
          id: 'c',
          name: 'aims-a-b-web',
          image: 'x',
          labels: {'aims.port': '51001'},
          state: 'exited',
          status: 'Exited',
          created: new Date(),
          ports: [],
          health: 'none',
          networks: [],
        },
      ],
    })
    const session = fakeSession({exec: probeOk, engine})
    const outcome = await runDoctor({session, now: () => 1_732_550_000_250})
    expect(outcome.failure).toBeUndefined()
    expect(outcome.report.ok).toBe(true)
    expect(outcome.report.checks.every((check) => check.status === 'pass')).toBe(true)
    // The paths travel as arguments of a constant script, never inside it.
    expect(session.execs).toEqual([
      ['sh', '-c', PROBE_SCRIPT, 'aims-doctor', '/etc/nginx/conf.d/plugs', '/var/lib/aims', '/var/lib/docker'],
    ])
    expect(outcome.facts.ports).toEqual({ok: true, value: {inUse: [22, 51000, 51001], source: 'ss', engineKnown: true}})
    expect(outcome.facts.clock).toEqual({ok: true, value: {skewMs: 0, uncertaintyMs: 0}})
    expect(outcome.facts.disk).toMatchObject({
      ok: true,
      value: {path: '/var/lib/docker', availableBytes: 41_943_040 * 1024},
    })
    expect(outcome.report.checks.find((check) => check.id === 'host-key')?.detail).toBe(
      'trusted: ED25519 SHA256:k (/kh:1)',
    )
  })

  it('reports a failed login as the SSH check and skips the rest', async () => {
    const refused = new AimsError('connection', 'SSH connection to 203.0.113.7:22 refused (host vps)', {
      hint: 'check that sshd runs',
    })
    const engine = fakeEngine({version: () => Promise.reject(refused), info: () => Promise.reject(refused)})
    const outcome = await runDoctor({
      session: fakeSession({exec: () => Promise.reject(refused), engine, metrics: {sshLogins: 0, apiCalls: 0}}),
      now: () => 0,
    })
    expect(outcome.report.ok).toBe(false)
    expect(outcome.report.checks.filter((check) => check.status === 'skipped').map((check) => check.id)).toEqual([
      'host-key',
      'engine',
      'storage',
      'disk',
      'memory',
      'nginx',
      'nginx-conf-dir',
      'state-dir',
      'ports',
      'clock',
      'proxy-confs',
    ])
    expect(outcome.failure?.line).toBe('SSH connection to 203.0.113.7:22 refused (host vps) — check that sshd runs')
  })

  it('reports where ACHEEVY’s key comes from even when the host cannot be reached, and never fails for it', async () => {
    const refused = new AimsError('connection', 'SSH connection to 203.0.113.7:22 refused (host vps)')
    const engine = fakeEngine({version: () => Promise.reject(refused), info: () => Promise.reject(refused)})
    const outcome = await runDoctor({
      session: fakeSession({exec: () => Promise.reject(refused), engine, metrics: {sshLogins: 0, apiCalls: 0}}),
      now: () => 0,
      ai: async () => ({
        provider: 'anthropic',
        model: 'claude-x',
        key: {kind: 'stored', store: 'keychain', location: 'Secret Service'},
      }),
    })
    expect(outcome.report.checks.at(-1)).toEqual({
      id: 'ai',
      title: 'ACHEEVY key',
      status: 'pass',
      detail: 'anthropic (claude-x), key from the keychain (Secret Service)',
      fix: null,
    })
    const lost = await runDoctor({
      session: fakeSession({exec: () => Promise.reject(refused), engine, metrics: {sshLogins: 0, apiCalls: 0}}),
      now: () => 0,
      ai: () =>
        Promise.reject(
          new AimsError('auth', 'ai:anthropic is no longer in the keychain', {hint: 'aims login anthropic'}),
        ),
    })
    expect(lost.report.checks.at(-1)).toMatchObject({id: 'ai', status: 'warn', fix: 'aims login anthropic'})
    // The doctor's failure is the host's, not the key's.
    expect(lost.failure?.message).toBe('SSH connection to 203.0.113.7:22 refused (host vps)')
  })

  it('reports a stopped engine with its cause while the shell checks still run', async () => {
    const down = new AimsError('engine', 'the Docker socket /var/run/docker.sock does not exist on vps', {
      hint: 'start Docker',
    })
    const engine = fakeEngine({version: () => Promise.reject(down), info: () => Promise.reject(down)})
    const outcome = await runDoctor({session: fakeSession({exec: probeOk, engine}), now: () => 1_732_550_000_250})
    const status = Object.fromEntries(outcome.report.checks.map((check) => [check.id, check.status]))
    expect(status).toMatchObject({
      ssh: 'pass',
      engine: 'fail',
      storage: 'skipped',
      disk: 'skipped',
      nginx: 'pass',
      memory: 'pass',
      ports: 'pass',
      clock: 'pass',
    })
    expect(outcome.facts.ports).toMatchObject({ok: true, value: {engineKnown: false}})
    expect(outcome.failure?.line).toBe('the Docker socket /var/run/docker.sock does not exist on vps — start Docker')
  })

  it('gives up on an engine that does not answer within 10 s', async () => {
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    try {
      const never = () => new Promise<never>(() => undefined)
      const engine = fakeEngine({version: never, info: never})
      const pending = runDoctor({session: fakeSession({exec: probeOk, engine}), now: () => 1_732_550_000_250})
      await vi.advanceTimersByTimeAsync(10_001)
      const outcome = await pending
      expect(outcome.report.checks.find((check) => check.id === 'engine')).toMatchObject({
        status: 'fail',
        detail: 'the Docker engine on vps did not answer within 10 s',
      })
      expect(outcome.failure?.hint).toMatch(/journalctl -u docker/)
    } finally {
      vi.useRealTimers()
    }
  })

  it('measures disk on a moved Docker root dir with one more exec', async () => {
    const engine = fakeEngine({
      version: async () => VERSION,
      info: async () => ({...INFO, dockerRootDir: '/data/docker'}),
      listContainers: async () => [],
    })
    const session = fakeSession({
      engine,
      exec: async (argv) => {
        if (argv[0] === 'df' && argv[2] === '/data/docker')
          return {
            exitCode: 0,
            stdout: 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vdb 1000 999 1 99% /data\n',
            stderr: '',
          }
        return probeOk(argv)
      },
    })
    const outcome = await runDoctor({session, now: () => 1_732_550_000_250})
    expect(session.execs.map((argv) => argv[0])).toEqual(['sh', 'df'])
    expect(outcome.report.checks.find((check) => check.id === 'disk')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('/data/docker'),
    })
  })
})

describe('the probe script, run by a real sh', () => {
  const probe = (confDir: string, stateDir: string, dockerRoot = scratch) =>
    parseProbeSections(
      execFileSync('sh', ['-c', PROBE_SCRIPT, 'aims-doctor', confDir, stateDir, dockerRoot]).toString(),
    )

  it('prints every section with its exit code', () => {
    const sections = probe(scratch, join(scratch, 'missing', 'deeper'))
    expect([...sections.keys()]).toEqual([
      'date',
      'nginx',
      'nginx-conf-dir',
      'state-dir',
      'meminfo',
      'ss',
      'proc-net-tcp',
      'df',
    ])
    expect(sections.get('date')?.text).toMatch(/^\d{10}\.\d+$/)
    expect(sections.get('nginx-conf-dir')?.text).toBe('writable')
    expect(sections.get('state-dir')?.text).toBe('creatable')
    expect(sections.get('df')?.exitCode).toBe(0)
  })

  it('tells a file from a directory, and paths with spaces or quotes stay data', () => {
    const file = join(scratch, "a file; with 'quotes' $(x)")
    writeFileSync(file, '')
    const dir = join(scratch, 'dir with space')
    mkdirSync(dir)
    const sections = probe(file, dir)
    expect(sections.get('nginx-conf-dir')?.text).toBe('not-a-directory')
    expect(sections.get('state-dir')?.text).toBe('writable')
  })

  it('reports a directory under a file as not creatable', () => {
    const file = join(scratch, 'plain-file')
    writeFileSync(file, '')
    expect(probe(join(file, 'sub'), scratch).get('nginx-conf-dir')?.text).toBe('not-creatable')
  })
})
