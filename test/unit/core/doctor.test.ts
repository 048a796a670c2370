import {describe, expect, it} from 'vitest'
import {
  clockSkew,
  compareVersions,
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
  type DoctorCheck,
  type DoctorFacts,
} from '../../../src/core/doctor.js'
import {AimsError} from '../../../src/core/errors.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

/** Facts of a healthy VPS; each test changes what it is about. */
function healthy(): DoctorFacts {
  return {
    host: {
      name: 'vps',
      kind: 'ssh',
      endpoint: 'root@203.0.113.7',
      nginxConfDir: '/etc/nginx/conf.d/plugs',
      stateDir: '/var/lib/aims',
    },
    connection: factOk({connectMs: 210}),
    hostKey: {type: 'ED25519', fingerprint: 'SHA256:abc', source: '/home/me/.config/aims/known_hosts:1'},
    engine: factOk({
      version: {version: '24.0.7', apiVersion: '1.43', os: 'linux', arch: 'amd64'},
      info: {
        name: 'vps',
        storageDriver: 'overlay2',
        memTotalBytes: 4 * GiB,
        cpus: 2,
        dockerRootDir: '/var/lib/docker',
        containers: 3,
        swarm: false,
        warnings: [],
      },
    }),
    disk: factOk({path: '/var/lib/docker', availableBytes: 40 * GiB, totalBytes: 80 * GiB}),
    memory: factOk({totalBytes: 4 * GiB, availableBytes: 3 * GiB}),
    nginx: factOk({installed: true, version: '1.22.1'}),
    nginxConfDir: factOk('writable'),
    stateDir: factOk('creatable'),
    ports: factOk({inUse: [22, 80, 51000, 51001], source: 'ss', engineKnown: true}),
    clock: factOk({skewMs: 120, uncertaintyMs: 5}),
    proxyConfs: factOk({total: 2, stale: []}),
  }
}

const byId = (checks: DoctorCheck[], id: DoctorCheck['id']) => {
  const found = checks.find((check) => check.id === id)
  if (!found) throw new Error(`no check ${id}`)
  return found
}

describe('evaluateDoctor', () => {
  it('passes every check on a healthy host, with a detail each and no fix', () => {
    const report = evaluateDoctor(healthy(), 'root')
    expect(report.ok).toBe(true)
    expect(report.host).toBe('vps')
    expect(report.checks.map((check) => check.id)).toEqual([
      'ssh',
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
    for (const check of report.checks) {
      expect(check.status, check.id).toBe('pass')
      expect(check.detail.length, check.id).toBeGreaterThan(0)
      expect(check.fix, check.id).toBeNull()
    }
    expect(byId(report.checks, 'ports').detail).toBe('998 of 1000 free in 51000-51999 (ss and Docker)')
    expect(byId(report.checks, 'host-key').detail).toContain('SHA256:abc')
    expect(byId(report.checks, 'engine').detail).toBe('Docker 24.0.7, API 1.43 (linux/amd64)')
  })

  it('fails the SSH check with the error and its hint, and skips everything that needs the login', () => {
    const facts: DoctorFacts = {
      ...healthy(),
      connection: factFailed(
        new AimsError('connection', 'SSH connection to 203.0.113.7:22 refused', {hint: 'check sshd'}),
      ),
    }
    for (const key of [
      'engine',
      'disk',
      'memory',
      'nginx',
      'nginxConfDir',
      'stateDir',
      'ports',
      'clock',
      'hostKey',
      'proxyConfs',
    ] as const)
      delete facts[key]
    const report = evaluateDoctor(facts)
    expect(report.ok).toBe(false)
    expect(byId(report.checks, 'ssh')).toMatchObject({
      status: 'fail',
      detail: 'SSH connection to 203.0.113.7:22 refused',
      fix: 'check sshd',
    })
    expect(byId(report.checks, 'host-key').status).toBe('skipped')
    for (const check of report.checks.slice(2)) expect(check.status, check.id).toBe('skipped')
    const failure = doctorFailure(report, facts)
    expect(failure?.kind).toBe('connection')
    expect(failure?.line).toBe('SSH connection to 203.0.113.7:22 refused — check sshd')
  })

  it('blames the host key (not the login) when the key is unknown or changed', () => {
    const facts: DoctorFacts = {
      host: healthy().host,
      connection: factFailed(new AimsError('host-key', 'HOST KEY CHANGED for vps', {hint: 'verify it'})),
    }
    const report = evaluateDoctor(facts)
    expect(byId(report.checks, 'host-key')).toMatchObject({
      status: 'fail',
      detail: 'HOST KEY CHANGED for vps',
      fix: 'verify it',
    })
    expect(byId(report.checks, 'ssh').status).toBe('skipped')
    expect(doctorFailure(report, facts)?.kind).toBe('host-key')
  })

  it('passes the host key when authentication failed after the key exchange', () => {
    const facts: DoctorFacts = {
      host: healthy().host,
      connection: factFailed(new AimsError('auth', 'SSH authentication as root@h failed')),
      hostKey: {type: 'ED25519', fingerprint: 'SHA256:k'},
    }
    const report = evaluateDoctor(facts)
    expect(byId(report.checks, 'ssh').status).toBe('fail')
    expect(byId(report.checks, 'host-key')).toMatchObject({status: 'pass', detail: 'trusted: ED25519 SHA256:k'})
  })

  it('reports a stopped engine as the cause and skips what needs it', () => {
    const facts: DoctorFacts = {
      ...healthy(),
      engine: factFailed(
        new AimsError('engine', 'the Docker socket /var/run/docker.sock does not exist on vps', {hint: 'start Docker'}),
      ),
    }
    delete facts.disk
    const report = evaluateDoctor(facts)
    expect(byId(report.checks, 'engine')).toMatchObject({status: 'fail', fix: 'start Docker'})
    expect(byId(report.checks, 'storage').status).toBe('skipped')
    expect(byId(report.checks, 'disk').status).toBe('skipped')
    expect(byId(report.checks, 'nginx').status).toBe('pass')
    expect(doctorFailure(report, facts)?.line).toBe(
      'the Docker socket /var/run/docker.sock does not exist on vps — start Docker',
    )
  })

  it('fails an engine API older than 1.41', () => {
    const facts = healthy()
    if (!facts.engine?.ok) throw new Error('healthy() has an engine')
    facts.engine = factOk({
      ...facts.engine.value,
      version: {version: '19.03.15', apiVersion: '1.40', os: 'linux', arch: 'amd64'},
    })
    const check = byId(evaluateDoctor(facts).checks, 'engine')
    expect(check.status).toBe('fail')
    expect(check.detail).toContain('API older than 1.41')
    expect(check.fix).toContain('20.10')
  })

  it.each([
    ['vfs', 'warn'],
    ['devicemapper', 'warn'],
    ['overlay2', 'pass'],
    ['btrfs', 'pass'],
    ['zfs', 'pass'],
  ])('storage driver %s → %s', (driver, status) => {
    const facts = healthy()
    const engine = (facts.engine as {ok: true; value: {info: {storageDriver: string}}}).value
    engine.info.storageDriver = driver
    expect(byId(evaluateDoctor(facts).checks, 'storage').status).toBe(status)
  })

  it.each([
    [40 * GiB, 80 * GiB, 'pass'],
    [4 * GiB, 80 * GiB, 'warn'], // under 5 GiB
    [6 * GiB, 200 * GiB, 'warn'], // under 10 %
    [900 * MiB, 80 * GiB, 'fail'], // under 1 GiB
  ])('free disk %d of %d → %s', (available, total, status) => {
    const facts = {...healthy(), disk: factOk({path: '/var/lib/docker', availableBytes: available, totalBytes: total})}
    const check = byId(evaluateDoctor(facts).checks, 'disk')
    expect(check.status).toBe(status)
    if (status !== 'pass') expect(check.fix).toMatch(/free space/)
  })

  it.each([
    [3 * GiB, 'pass'],
    [300 * MiB, 'warn'],
    [100 * MiB, 'fail'],
  ])('available memory %d → %s', (available, status) => {
    expect(
      byId(
        evaluateDoctor({...healthy(), memory: factOk({totalBytes: 4 * GiB, availableBytes: available})}).checks,
        'memory',
      ).status,
    ).toBe(status)
  })

  it('judges memory by its total when available memory is unknown', () => {
    expect(byId(evaluateDoctor({...healthy(), memory: factOk({totalBytes: 256 * MiB})}).checks, 'memory').status).toBe(
      'warn',
    )
    expect(byId(evaluateDoctor({...healthy(), memory: factOk({totalBytes: 2 * GiB})}).checks, 'memory').status).toBe(
      'pass',
    )
  })

  it('fails a VPS without nginx but only warns on the local engine', () => {
    const vps = byId(evaluateDoctor({...healthy(), nginx: factOk({installed: false})}).checks, 'nginx')
    expect(vps.status).toBe('fail')
    expect(vps.fix).toContain('apt-get install nginx')
    const local = {...healthy(), host: {...healthy().host, kind: 'local' as const}, nginx: factOk({installed: false})}
    expect(byId(evaluateDoctor(local).checks, 'nginx').status).toBe('warn')
  })

  it.each([
    ['writable', 'pass'],
    ['creatable', 'pass'],
    ['read-only', 'fail'],
    ['not-a-directory', 'fail'],
    ['not-creatable', 'fail'],
  ] as const)('a %s directory → %s', (state, status) => {
    const report = evaluateDoctor({...healthy(), nginxConfDir: factOk(state), stateDir: factOk(state)}, 'deploy')
    for (const id of ['nginx-conf-dir', 'state-dir'] as const) {
      const check = byId(report.checks, id)
      expect(check.status).toBe(status)
      if (status === 'fail') expect(check.fix).toBeTruthy()
    }
    if (state === 'read-only')
      expect(byId(report.checks, 'state-dir').detail).toBe('/var/lib/aims is not writable by deploy')
  })

  it('counts free ports in 51000-51999 from listening sockets and Docker, ignoring ports outside', () => {
    const range = (from: number, count: number) => Array.from({length: count}, (_, index) => from + index)
    const ports = (inUse: number[]) =>
      byId(evaluateDoctor({...healthy(), ports: factOk({inUse, source: 'ss', engineKnown: true})}).checks, 'ports')
    expect(ports([50999, 52000, 8080]).detail).toMatch(/^1000 of 1000 free/)
    expect(ports(range(51000, 951)).status).toBe('warn') // 49 free
    expect(ports(range(51000, 950)).status).toBe('pass') // 50 free
    expect(ports(range(51000, 1000))).toMatchObject({status: 'fail', detail: expect.stringMatching(/^0 of 1000 free/)})
    // Duplicates (a port both listening and published) count once.
    expect(ports([51000, 51000, 51001]).detail).toMatch(/^998 of 1000/)
  })

  it.each([
    [1500, 5, 'pass'],
    [-2500, 5, 'warn'],
    [2500, 600, 'pass'], // within the measurement's uncertainty of 2 s
    [31_000, 5, 'fail'],
    [-45_000, 5, 'fail'],
  ])('clock skew %d ms (±%d) → %s', (skewMs, uncertaintyMs, status) => {
    const check = byId(evaluateDoctor({...healthy(), clock: factOk({skewMs, uncertaintyMs})}).checks, 'clock')
    expect(check.status).toBe(status)
    expect(check.detail).toMatch(skewMs >= 0 ? /ahead of this machine/ : /behind this machine/)
  })

  it('marks ssh and host key skipped for the local engine and stays ok', () => {
    const facts = {...healthy(), host: {...healthy().host, kind: 'local' as const}}
    const report = evaluateDoctor(facts)
    expect(report.ok).toBe(true)
    expect(byId(report.checks, 'ssh').status).toBe('skipped')
    expect(byId(report.checks, 'host-key').status).toBe('skipped')
  })

  it('sums up several failures in one line, with the first fix', () => {
    const facts = {
      ...healthy(),
      disk: factOk({path: '/var/lib/docker', availableBytes: 10 * MiB, totalBytes: 80 * GiB}),
      clock: factOk({skewMs: 60_000, uncertaintyMs: 5}),
    }
    const report = evaluateDoctor(facts)
    const failure = doctorFailure(report, facts)
    expect(failure?.exitCode).toBe(1)
    expect(failure?.message).toMatch(
      /^2 doctor checks failed on vps: free disk: 10 MiB free of 80 GiB on \/var\/lib\/docker; clock skew: host clock is 60 s ahead of this machine/,
    )
    expect(failure?.hint).toMatch(/^free space on the host/)
    expect(failure?.line).not.toContain('\n')
  })

  it('returns no failure when only warnings remain', () => {
    const facts = {
      ...healthy(),
      nginxConfDir: factOk('writable' as const),
      memory: factOk({totalBytes: GiB, availableBytes: 300 * MiB}),
    }
    const report = evaluateDoctor(facts)
    expect(report.ok).toBe(true)
    expect(doctorFailure(report, facts)).toBeUndefined()
  })
})

describe('a number that is not a number (NaN) fails its check, never passes it', () => {
  it.each([
    ['disk', {disk: factOk({path: '/var/lib/docker', availableBytes: Number.NaN, totalBytes: 80 * GiB})}],
    ['disk', {disk: factOk({path: '/var/lib/docker', availableBytes: 40 * GiB, totalBytes: Number.NaN})}],
    ['memory', {memory: factOk({totalBytes: 4 * GiB, availableBytes: Number.NaN})}],
    ['memory', {memory: factOk({totalBytes: Number.NaN})}],
    ['clock', {clock: factOk({skewMs: Number.NaN, uncertaintyMs: 5})}],
  ] as const)('%s', (id, change) => {
    const check = byId(evaluateDoctor({...healthy(), ...change} as DoctorFacts).checks, id)
    expect(check.status).toBe('fail')
    expect(check.detail).toMatch(/could not/)
    expect(check.fix).toBeTruthy()
  })
})

describe('doctor parsers', () => {
  it('reads listening ports from ss -ltnH (IPv4, IPv6, wildcard)', () => {
    const output = [
      'LISTEN 0      511          0.0.0.0:80         0.0.0.0:*',
      'LISTEN 0      128        127.0.0.1:2222       0.0.0.0:*',
      'LISTEN 0      4096       127.0.0.1:51003      0.0.0.0:*    users:(("docker-proxy",pid=1,fd=4))',
      'LISTEN 0      511             [::]:80            [::]:*',
      'LISTEN 0      128                *:51007            *:*',
      '',
    ].join('\n')
    expect(parseSsListening(output)).toEqual([80, 2222, 51003, 51007])
  })

  it('reads listening ports from /proc/net/tcp (state 0A only)', () => {
    const output = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
      '   1: 00000000:C738 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2',
      '   2: 0100007F:C739 0100007F:08AE 01 00000000:00000000 00:00000000 00000000     0        0 3',
      '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4',
    ].join('\n')
    expect(parseProcNetTcp(output)).toEqual([80, 2222, 51000])
  })

  it('reads df -Pk, also when the filesystem name holds spaces', () => {
    expect(
      parseDf(
        'Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda         263174212 23813512  79400000      24% /\n',
      ),
    ).toEqual({availableBytes: 79_400_000 * 1024, totalBytes: 263_174_212 * 1024})
    expect(
      parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\nmy disk 100 40 60 40% /mnt/x\n'),
    ).toEqual({availableBytes: 60 * 1024, totalBytes: 100 * 1024})
    expect(parseDf('df: /nope: No such file or directory')).toBeUndefined()
  })

  it('reads MemTotal and MemAvailable', () => {
    expect(
      parseMeminfo('MemTotal:       24684032 kB\nMemFree:        24300000 kB\nMemAvailable:   24303000 kB\n'),
    ).toEqual({totalBytes: 24_684_032 * 1024, availableBytes: 24_303_000 * 1024})
    expect(parseMeminfo('MemTotal: 1000 kB\n')).toEqual({totalBytes: 1_024_000})
    expect(parseMeminfo('cat: /proc/meminfo: No such file')).toEqual({})
  })

  it('reads the nginx version', () => {
    expect(parseNginxVersion('nginx version: nginx/1.22.1')).toBe('1.22.1')
    expect(parseNginxVersion('nginx version: openresty/1.21.4.1')).toBe('1.21.4.1')
    expect(parseNginxVersion('sh: nginx: not found')).toBeUndefined()
  })

  it('reads epoch seconds with or without nanoseconds', () => {
    expect(parseEpoch('1732550000.123456789\n')).toBe(1_732_550_000_123)
    expect(parseEpoch('1732550000.%N')).toBe(1_732_550_000_000)
    expect(parseEpoch('date: invalid')).toBeUndefined()
  })

  it('estimates clock skew from the midpoint of the round trip', () => {
    expect(clockSkew(1000, 1550, 1100)).toEqual({skewMs: 500, uncertaintyMs: 50})
    expect(clockSkew(1000, 1000, 1000)).toEqual({skewMs: 0, uncertaintyMs: 0})
  })

  it('splits the probe script output into sections with exit codes', () => {
    const output = [
      '@@aims date',
      '1732550000.5',
      '',
      '@@aims-exit 0',
      '@@aims nginx',
      'sh: nginx: not found',
      '',
      '@@aims-exit 127',
      '@@aims empty',
      '',
      '@@aims-exit 0',
      '',
    ].join('\n')
    const sections = parseProbeSections(output)
    expect(sections.get('date')).toEqual({text: '1732550000.5', exitCode: 0})
    expect(sections.get('nginx')).toEqual({text: 'sh: nginx: not found', exitCode: 127})
    expect(sections.get('empty')).toEqual({text: '', exitCode: 0})
    expect(sections.has('df')).toBe(false)
  })

  it('reads directory states and rejects anything else', () => {
    expect(parseDirState('writable\n')).toBe('writable')
    expect(parseDirState('not-creatable')).toBe('not-creatable')
    expect(parseDirState('Permission denied')).toBeUndefined()
  })

  it('compares versions numerically', () => {
    expect(compareVersions('1.41', '1.41')).toBe(0)
    expect(compareVersions('1.100', '1.41')).toBeGreaterThan(0)
    expect(compareVersions('1.40', '1.41')).toBeLessThan(0)
    expect(compareVersions('2', '1.99')).toBeGreaterThan(0)
  })
})

describe('proxy routes', () => {
  it('warns about routes whose instance is gone and names the plug down that removes them', () => {
    const check = byId(
      evaluateDoctor({
        ...healthy(),
        proxyConfs: factOk({total: 3, stale: [{file: 'acme-n8n.conf', owner: 'acme/n8n'}, {file: 'stray.conf'}]}),
      }).checks,
      'proxy-confs',
    )
    expect(check.status).toBe('warn')
    expect(check.detail).toBe('2 routes point at instances that no longer exist: acme-n8n.conf (acme/n8n), stray.conf')
    expect(check.fix).toBe('aims plug down acme/n8n removes it (and reloads nginx)')
  })

  it('is skipped without the engine', () => {
    const facts: DoctorFacts = {...healthy()}
    delete facts.proxyConfs
    expect(byId(evaluateDoctor(facts).checks, 'proxy-confs').status).toBe('skipped')
  })
})

describe('evaluateAi', () => {
  const base = {provider: 'anthropic', model: 'claude-x'}
  it('says where the key came from, never failing the doctor', async () => {
    const {evaluateAi, factOk, factFailed} = await import('../../../src/core/doctor.js')
    const {AimsError} = await import('../../../src/core/errors.js')
    expect(evaluateAi(factOk({...base, key: {kind: 'env', envVar: 'ANTHROPIC_API_KEY'}}))).toMatchObject({
      id: 'ai',
      status: 'pass',
      detail: 'anthropic (claude-x), key from env ANTHROPIC_API_KEY',
    })
    expect(
      evaluateAi(factOk({...base, key: {kind: 'stored', store: 'keychain', location: 'Secret Service'}})).detail,
    ).toBe('anthropic (claude-x), key from the keychain (Secret Service)')
    expect(
      evaluateAi(factOk({...base, key: {kind: 'stored', store: 'file', location: '/h/.local/share/aims/secrets.enc'}}))
        .detail,
    ).toBe('anthropic (claude-x), key from the encrypted file /h/.local/share/aims/secrets.enc')
    expect(evaluateAi(factOk({...base, key: {kind: 'none', needed: true}}))).toMatchObject({
      status: 'warn',
      fix: 'aims login anthropic, or aims config set ai.provider offline',
    })
    expect(
      evaluateAi(
        factOk({
          provider: 'openai-compatible',
          model: 'llama',
          baseUrl: 'http://h/v1',
          key: {kind: 'none', needed: false},
        }),
      ),
    ).toMatchObject({
      status: 'pass',
      detail: 'openai-compatible at http://h/v1 (llama), no key (the server takes none)',
    })
    expect(
      evaluateAi(factOk({provider: 'offline', model: 'offline-parser', key: {kind: 'none', needed: false}})).status,
    ).toBe('pass')
    const lost = evaluateAi(
      factFailed(
        new AimsError('not-found', 'ai:anthropic is no longer in the keychain', {hint: 'aims login anthropic'}),
      ),
    )
    expect(lost).toMatchObject({status: 'warn', fix: 'aims login anthropic'})
  })
})
