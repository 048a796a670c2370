import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parsePlug} from '../../../src/core/catalog/validate.js'
import {AimsError, ExitCode} from '../../../src/core/errors.js'
import {LABEL, type ContainerDetails, type ContainerSummary} from '../../../src/core/engine-types.js'
import type {BundleFile} from '../../../src/core/export/render.js'
import {resolveHostEntry, type ResolvedHost} from '../../../src/core/host-target.js'
import {
  assertNoSecretValues,
  exportBundle as exportRequest,
  validateExportOptions,
  type BundleOutput,
  type ExportDeps,
  type ExportOptions,
  type OutputState,
} from '../../../src/services/export.js'
import type {Engine, HostSession} from '../../../src/services/ports.js'
import {MemoryCatalog} from '../../support/catalog-fakes.js'

/** The options checked into a request (a bad one rejects), then the service, as the command runs them. */
const exportBundle = async (deps: ExportDeps, options: ExportOptions) =>
  exportRequest(deps, validateExportOptions(options))

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const fixture = (id: string) =>
  parsePlug(readFileSync(join(ROOT, 'test/fixtures/plugs', `${id}.yaml`), 'utf8'), `${id}.yaml`, id)
const CATALOG = MemoryCatalog.of(fixture('fixture-web'), fixture('fixture-stack'))
const HOST: ResolvedHost = resolveHostEntry(
  {name: 'vps', target: {user: 'root', host: '203.0.113.7'}},
  {home: '/h', localUser: 'me', defaultIdentityFiles: []},
)
const SENTINEL = 'S3NT1NEL-never-in-a-bundle'
const CWD = '/work/here'

/** A directory tree in memory; records what was inspected and written. */
class MemoryOutput implements BundleOutput {
  readonly inspected: string[] = []
  readonly written = new Map<string, BundleFile[]>()
  constructor(private readonly existing: Record<string, OutputState> = {}) {}
  resolve(path: string) {
    return resolve(CWD, path)
  }
  async inspect(path: string) {
    this.inspected.push(path)
    return this.existing[path] ?? {kind: 'missing' as const}
  }
  async write(dir: string, files: BundleFile[]) {
    this.written.set(dir, files)
  }
}

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

function sessionWith(engine: Engine): HostSession {
  return {
    host: HOST,
    engine: async () => engine,
    shell: () => Promise.reject(new Error('unexpected shell')),
    connectTcp: () => Promise.reject(new Error('unexpected connectTcp')),
    lock: () => Promise.reject(new Error('unexpected lock')),
    metrics: () => ({sshLogins: 1, apiCalls: 0}),
    close: async () => undefined,
  }
}

/** The engine of a host running fixture-web as acme/shop, deployed with a sentinel secret. */
function hostWithInstance(): {engine: Engine; calls: string[]} {
  const calls: string[] = []
  const summary: ContainerSummary = {
    id: 'c1',
    name: 'aims-acme-shop-web',
    image: 'aims-fixture/web:1',
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.instance]: 'shop',
      [LABEL.plug]: 'fixture-web',
      [LABEL.service]: 'web',
      [LABEL.replica]: '1',
      [LABEL.entry]: 'true',
      [LABEL.port]: '51007',
      [LABEL.services]: 'web',
      [LABEL.plugVersion]: '1',
      [LABEL.secretKeys]: 'APP_SECRET,PARTNER_TOKEN',
    },
    state: 'running',
    status: 'Up 2 minutes',
    created: new Date('2026-01-01T00:00:00Z'),
    ports: [{containerPort: 8080, protocol: 'tcp', hostPort: 51007, hostIp: '127.0.0.1'}],
    health: 'none',
    networks: ['aims-t-acme'],
  }
  const detail: ContainerDetails = {
    ...summary,
    restartCount: 0,
    env: {
      PATH: '/bin',
      GREETING: 'welcome to the shop',
      APP_SECRET: SENTINEL,
      SERVICE_NAME: 'web',
      PARTNER_TOKEN: `${SENTINEL}-partner`,
    },
    ips: {},
    command: [],
    mounts: [],
    oomKilled: false,
    memoryBytes: 64 * 1024 ** 2,
    nanoCpus: 250_000_000,
  }
  const engine = fakeEngine({
    listContainers: async (filter) => {
      calls.push(`list ${JSON.stringify(filter.labels)}`)
      return [summary]
    },
    inspectContainer: async (id) => {
      calls.push(`inspect ${id}`)
      return id === 'c1' ? detail : undefined
    },
  })
  return {engine, calls}
}

function deps(over: Partial<ExportDeps> = {}): ExportDeps & {output: MemoryOutput} {
  const templates = new Map<string, string>()
  return {
    catalog: CATALOG,
    readTemplate: async (name) => {
      if (!templates.has(name)) templates.set(name, readFileSync(join(ROOT, 'templates', name), 'utf8'))
      return templates.get(name)!
    },
    output: new MemoryOutput(),
    clock: {now: () => new Date('2026-03-04T05:06:07Z')},
    session: () => Promise.reject(new Error('unexpected session: a plug export must not connect')),
    defaultTenant: 'default',
    aimsVersion: '1.2.3',
    ...over,
  } as ExportDeps & {output: MemoryOutput}
}

async function failure(promise: Promise<unknown>): Promise<AimsError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AimsError) return error
    throw error
  }
  throw new Error('expected an AimsError')
}

describe('exportBundle: plugs', () => {
  it('writes the bundle of a plug to ./<plug>-bundle without touching any host', async () => {
    const d = deps()
    const result = await exportBundle(d, {target: 'fixture-stack'})
    const dir = `${CWD}/fixture-stack-bundle`
    expect(result).toMatchObject({
      kind: 'plug',
      plug: 'fixture-stack',
      dir,
      services: ['backend', 'front'],
      projectName: 'fixture-stack',
      port: 51000,
      protocol: 'http',
      next: 'cd ./fixture-stack-bundle && ./setup.sh',
      warnings: [],
    })
    expect(result.variables).toEqual({
      settings: [],
      secrets: ['DB_PASSWORD'],
      generated: ['DB_PASSWORD'],
      required: [],
      withheld: [],
    })
    expect(result.files.map((file) => `${file.path} ${file.mode}`)).toEqual([
      'docker-compose.yml 0644',
      '.env.example 0644',
      'setup.sh 0755',
      'healthcheck.sh 0755',
      'nginx.conf 0644',
      'nginx-map.conf 0644',
      'README.md 0644',
    ])
    expect([...d.output.written.keys()]).toEqual([dir])
    expect(d.output.written.get(dir)!.find((file) => file.path === 'README.md')!.content).toContain(
      'Exported on 2026-03-04 from the aims catalog plug fixture-stack (catalog entry v1).',
    )
  })

  it('refuses a non-empty directory without --force, before rendering anything, and writes into it with --force', async () => {
    const dir = `${CWD}/out`
    const existing = {[dir]: {kind: 'directory' as const, entries: ['.env', 'notes.txt']}}
    const refused = deps({output: new MemoryOutput(existing)})
    const error = await failure(exportBundle(refused, {target: 'fixture-web', out: 'out'}))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.line).toMatch(/"out" is not empty \(2 entries\) — pass --force/)
    expect(refused.output.written.size).toBe(0)

    const forced = deps({output: new MemoryOutput(existing)})
    await exportBundle(forced, {target: 'fixture-web', out: 'out', force: true})
    // .env is never among the bundle's files, so a forced export keeps the user's secrets.
    expect(forced.output.written.get(dir)!.map((file) => file.path)).not.toContain('.env')

    const empty = deps({output: new MemoryOutput({[dir]: {kind: 'directory', entries: []}})})
    await exportBundle(empty, {target: 'fixture-web', out: 'out'})
    expect(empty.output.written.has(dir)).toBe(true)
  })

  it('refuses an --out that is a file', async () => {
    const d = deps({output: new MemoryOutput({[`${CWD}/file.txt`]: {kind: 'other'}})})
    const error = await failure(exportBundle(d, {target: 'fixture-web', out: 'file.txt'}))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.message).toMatch(/exists and is not a directory/)
  })

  it.each([
    [{target: 'fixture-web', out: 'a\nb'}, /line break or control character/],
    [{target: 'fixture-web', out: '  '}, /--out is empty/],
    [{target: ''}, /no plug or instance to export/],
    [{target: 'web\u001b[2J'}, /control character/],
    [{target: 'a/b/c'}, /invalid instance/],
    [{target: 'Acme/shop'}, /invalid tenant name/],
    [{target: 'acme/shop', tenant: 'other'}, /is in tenant acme, but --tenant other was given/],
  ] as Array<[ExportOptions, RegExp]>)('refuses bad input %j with exit 2 and no effect', async (options, message) => {
    expect(() => validateExportOptions(options)).toThrow(message)
    const d = deps()
    const error = await failure(exportBundle(d, options))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(d.output.inspected).toEqual([])
    expect(d.output.written.size).toBe(0)
  })

  it('accepts any explicit path, ../ included', async () => {
    const d = deps()
    const result = await exportBundle(d, {target: 'fixture-web', out: '../elsewhere/my bundle'})
    expect(result.dir).toBe('/work/elsewhere/my bundle')
    expect(result.next).toBe(`cd '../elsewhere/my bundle' && ./setup.sh`)
  })

  it('answers an unknown plug with did-you-mean (exit 2) when no host can say otherwise', async () => {
    const d = deps({
      session: () =>
        Promise.reject(new AimsError('usage', 'no host is configured and no local Docker engine was found')),
    })
    const error = await failure(exportBundle(d, {target: 'fixture-wbe'}))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.line).toMatch(/no plug named "fixture-wbe" in the catalog — did you mean "fixture-web"\?/)
    expect(error.line).toMatch(/the host did not answer/)
    expect(d.output.written.size).toBe(0)
  })

  it('looks a bare name that is no plug up as an instance of the default tenant', async () => {
    const {engine} = hostWithInstance()
    const missing = deps({session: async () => sessionWith(engine)})
    const error = await failure(exportBundle(missing, {target: 'shopp'}))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.line).toMatch(/no plug or instance named "shopp" — did you mean "acme\/shop"\?/)

    const found = deps({session: async () => sessionWith(engine), defaultTenant: 'acme'})
    const result = await exportBundle(found, {target: 'shop'})
    expect(result).toMatchObject({kind: 'instance', instance: 'acme/shop', dir: `${CWD}/shop-bundle`})
  })
})

describe('exportBundle: instances', () => {
  it('exports the non-secret settings of an instance and none of its secret values', async () => {
    const {engine, calls} = hostWithInstance()
    const d = deps({session: async () => sessionWith(engine)})
    const result = await exportBundle(d, {target: 'acme/shop'})
    expect(result).toMatchObject({
      kind: 'instance',
      plug: 'fixture-web',
      instance: 'acme/shop',
      host: 'vps',
      port: 51007,
      projectName: 'acme-shop',
    })
    expect(result.variables).toMatchObject({
      settings: ['GREETING'],
      secrets: ['APP_SECRET', 'PARTNER_TOKEN'],
      generated: ['APP_SECRET'],
    })
    expect(calls).toEqual([expect.stringMatching(/^list /), 'inspect c1'])
    const files = d.output.written.get(`${CWD}/shop-bundle`)!
    for (const file of files) expect(file.content, file.path).not.toContain(SENTINEL)
    expect(JSON.stringify(result)).not.toContain(SENTINEL)
    const envExample = files.find((file) => file.path === '.env.example')!.content
    expect(envExample).toMatch(/^GREETING='welcome to the shop'$/m)
    expect(envExample).toMatch(/^APP_SECRET=$/m)
    expect(envExample).toMatch(/^PARTNER_TOKEN=$/m)
    expect(envExample).toMatch(/^PORT=51007$/m)
  })

  it('fails with did-you-mean for an unknown instance, and names a plug missing from the catalog', async () => {
    const {engine} = hostWithInstance()
    const error = await failure(exportBundle(deps({session: async () => sessionWith(engine)}), {target: 'acme/shoq'}))
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.line).toMatch(/no instance acme\/shoq on vps — did you mean "acme\/shop"\?/)

    const empty = deps({catalog: MemoryCatalog.of(fixture('fixture-stack')), session: async () => sessionWith(engine)})
    const unknown = await failure(exportBundle(empty, {target: 'shop', tenant: 'acme'}))
    expect(unknown.message).toMatch(/acme\/shop runs plug "fixture-web", which is not in the catalog here/)
  })
})

describe('assertNoSecretValues', () => {
  it('stops a bundle that would hold a secret value', () => {
    const files: BundleFile[] = [{path: 'README.md', content: `oops ${SENTINEL}`, mode: 0o644}]
    expect(() => assertNoSecretValues(files, [SENTINEL])).toThrow(/README.md would contain a secret value/)
    expect(() => assertNoSecretValues(files, ['abc', 'other-secret'])).not.toThrow()
  })
})
