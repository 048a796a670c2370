import {recordedStatvfs} from '../../support/recorded.js'
import {describe, expect, it} from 'vitest'
import {LABEL, type ContainerSummary} from '../../../src/core/engine-types.js'
import {
  gatherHostFacts,
  interruptedDeploys,
  journalPath,
  refreshHostFacts,
  usedPorts,
} from '../../../src/services/host-facts.js'
import {FakeEngine} from '../../support/fake-engine.js'
import {FakeSession, FakeShell, GiB, meminfo, procNetTcp, testHost} from '../../support/fake-session.js'

const MiB = 1024 ** 2

function summary(ports: number[], labels: Record<string, string> = {}): ContainerSummary {
  return {
    id: 'x',
    name: 'x',
    image: 'i:1',
    labels,
    state: 'running',
    status: 'Up',
    created: new Date(0),
    ports: ports.map((hostPort) => ({containerPort: 80, protocol: 'tcp', hostPort, hostIp: '127.0.0.1'})),
    health: 'none',
    networks: [],
  }
}

const managed = (tenant: string, instance: string, extra: Record<string, string> = {}) => ({
  [LABEL.managed]: 'true',
  [LABEL.tenant]: tenant,
  [LABEL.instance]: instance,
  [LABEL.plug]: 'app',
  [LABEL.service]: 'web',
  [LABEL.services]: 'web',
  ...extra,
})

describe('usedPorts', () => {
  it('unions published ports, ports claimed by aims labels and listening ports, sorted and unique', () => {
    const containers = [
      summary([51000, 8080]),
      summary([], {[LABEL.port]: '51002'}),
      summary([51001], {[LABEL.port]: '51001'}),
    ]
    expect(usedPorts(containers, [22, 51003, 8080])).toEqual([22, 8080, 51000, 51001, 51002, 51003])
  })

  it('ignores port labels that are not numbers', () => {
    expect(usedPorts([summary([], {[LABEL.port]: 'abc'}), summary([], {[LABEL.port]: '0'})], [])).toEqual([])
  })
})

describe('interruptedDeploys', () => {
  it('lists TENANT/INSTANCE from journal file names and ignores other files', async () => {
    const shell = new FakeShell()
    for (const name of ['acme@web.json', 'beta@n8n-2.json', 'README', 'acme@web.json.tmp', 'Bad@Name.json'])
      shell.files.set(`/var/lib/aims/deploys/${name}`, '{}')
    expect(await interruptedDeploys(shell, '/var/lib/aims')).toEqual(['acme/web', 'beta/n8n-2'])
  })

  it('is empty without a deploys directory, or when it cannot be read', async () => {
    const shell = new FakeShell()
    expect(await interruptedDeploys(shell, '/var/lib/aims')).toEqual([])
    shell.failing.set('/var/lib/aims/deploys', new Error('permission denied'))
    expect(await interruptedDeploys(shell, '/var/lib/aims')).toEqual([])
  })

  it('journal paths live under the state dir', () => {
    expect(journalPath('/srv/aims', 'acme', 'web')).toBe('/srv/aims/deploys/acme@web.json')
  })
})

function host(options: {domain?: string} = {}) {
  const engine = new FakeEngine()
  const shell = new FakeShell(engine.log)
  const session = new FakeSession(
    testHost(options.domain ? {domain: options.domain, tls: {certbotLiveDir: '/etc/letsencrypt/live/x'}} : {}),
    {engine, shell},
  )
  shell.files.set('/proc/meminfo', meminfo(4 * GiB, 3 * GiB))
  shell.files.set('/proc/net/tcp', procNetTcp([22, 51004]))
  shell.files.set('/proc/net/tcp6', procNetTcp([51005]))
  // ssh2's own statvfs answer (recorded from the bed), with the sizes this test wants: 4 KiB blocks.
  shell.statvfs = {...recordedStatvfs(), f_bavail: (40 * GiB) / 4096, f_blocks: (80 * GiB) / 4096, f_frsize: 4096}
  engine.versionInfo = {version: '25.0.3', apiVersion: '1.44', os: 'linux', arch: 'amd64'}
  engine.infoValue = {...engine.infoValue, memTotalBytes: 4 * GiB, dockerRootDir: '/srv/docker'}
  // acme/a: entry (0.5 CPU, 256 MiB, 1 GiB disk) + worker (0.25 CPU, 128 MiB); beta/b elsewhere; one foreign container.
  engine.seedNetwork('aims-t-acme')
  engine.seedContainer({
    name: 'aims-acme-a-web',
    labels: managed('acme', 'a', {[LABEL.entry]: 'true', [LABEL.port]: '51000', [LABEL.diskEstimate]: String(GiB)}),
    nanoCpus: 0.5e9,
    memoryBytes: 256 * MiB,
    ports: [{containerPort: 80, protocol: 'tcp', hostPort: 51000, hostIp: '127.0.0.1'}],
    networks: ['aims-t-acme'],
  })
  engine.seedContainer({
    name: 'aims-acme-a-worker',
    state: 'exited',
    labels: managed('acme', 'a', {[LABEL.service]: 'worker'}),
    nanoCpus: 0.25e9,
    memoryBytes: 128 * MiB,
  })
  engine.seedContainer({
    name: 'aims-beta-b-web',
    labels: managed('beta', 'b', {[LABEL.entry]: 'true', [LABEL.port]: '51001'}),
    nanoCpus: 2e9,
    memoryBytes: GiB,
    state: 'created',
  })
  engine.seedContainer({
    name: 'postgres',
    labels: {},
    ports: [{containerPort: 5432, protocol: 'tcp', hostPort: 51003, hostIp: '0.0.0.0'}],
    nanoCpus: 4e9,
  })
  shell.files.set('/var/lib/aims/deploys/beta@b.json', '{}')
  return {engine, shell, session}
}

describe('gatherHostFacts', () => {
  it('collects engine, memory, disk, ports, instances, tenant usage, networks and interrupted deploys', async () => {
    const {engine, session} = host({domain: 'example.com'})
    const {facts, containers} = await gatherHostFacts(session, engine, 'acme')
    expect(containers).toHaveLength(4)
    expect(facts).toMatchObject({
      engineVersion: '25.0.3',
      apiVersion: '1.44',
      memTotalBytes: 4 * GiB,
      memAvailableBytes: 3 * GiB,
      diskFreeBytes: 40 * GiB,
      usedPorts: [22, 51000, 51001, 51003, 51004, 51005],
      tenantUsage: {cpus: 0.75, memoryBytes: 384 * MiB, diskBytes: GiB},
      networks: ['aims-t-acme'],
      interrupted: ['beta/b'],
    })
    expect(facts.instances.map((instance) => [instance.ref, instance.domainUrl])).toEqual([
      ['acme/a', 'https://a.acme.example.com/'],
      ['beta/b', 'https://b.beta.example.com/'],
    ])
  })

  it('leaves memory and disk unknown when the host cannot say', async () => {
    const {engine, shell, session} = host()
    shell.failing.set('/proc/meminfo', new Error('no such file'))
    shell.statvfs = undefined
    const {facts} = await gatherHostFacts(session, engine, 'acme')
    expect(facts.memAvailableBytes).toBeUndefined()
    expect(facts.diskFreeBytes).toBeUndefined()
    expect(facts.memTotalBytes).toBe(4 * GiB)
  })

  it('counts nothing for a tenant without containers', async () => {
    const {engine, session} = host()
    expect((await gatherHostFacts(session, engine, 'empty')).facts.tenantUsage).toEqual({
      cpus: 0,
      memoryBytes: 0,
      diskBytes: 0,
    })
  })
})

describe('refreshHostFacts', () => {
  it('re-reads containers and networks only, keeps what was listening taken, and keeps engine, memory, disk and journals', async () => {
    const {engine, shell, session} = host()
    const {facts: first} = await gatherHostFacts(session, engine, 'acme')
    // Between the two looks: another deploy creates a container on 51006, the foreign one goes away,
    // a network appears. The host's files and the engine version must not be read again.
    engine.seedContainer({
      name: 'aims-acme-new-web',
      state: 'created',
      labels: managed('acme', 'new', {[LABEL.entry]: 'true', [LABEL.port]: '51006'}),
      nanoCpus: 1e9,
      memoryBytes: 512 * MiB,
    })
    engine.containers.delete(engine.container('postgres')!.id)
    engine.seedNetwork('aims-t-beta')
    for (const path of ['/proc/meminfo', '/proc/net/tcp', '/proc/net/tcp6', '/var/lib/aims/deploys'])
      shell.failing.set(path, new Error(`read ${path} again`))
    engine.before('version', () => {
      throw new Error('version read again')
    })
    engine.before('info', () => {
      throw new Error('info read again')
    })

    const {facts} = await refreshHostFacts(session, engine, 'acme', first)
    expect(facts).toMatchObject({
      engineVersion: '25.0.3',
      memAvailableBytes: 3 * GiB,
      diskFreeBytes: 40 * GiB,
      interrupted: ['beta/b'],
    })
    expect(facts.usedPorts).toEqual([22, 51000, 51001, 51003, 51004, 51005, 51006])
    expect(facts.instances.map((instance) => instance.ref)).toEqual(['acme/a', 'acme/new', 'beta/b'])
    expect(facts.tenantUsage).toEqual({cpus: 1.75, memoryBytes: 896 * MiB, diskBytes: GiB})
    expect(facts.networks).toEqual(['aims-t-acme', 'aims-t-beta'])
  })
})
