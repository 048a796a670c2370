import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {confFileName, renderIncludeConf, renderPlugConf, type PlugConfInput} from '../../../src/core/proxy/plug-conf.js'
import type {ExecResult, HostShell} from '../../../src/services/ports.js'
import {applyPlugConf, listPlugConfs, nginxErrorLine, removePlugConf} from '../../../src/services/proxy.js'

const TEMPLATE = readFileSync(new URL('../../../templates/nginx/plug.conf.tmpl', import.meta.url), 'utf8')
const CONF_DIR = '/etc/nginx/conf.d/plugs'
const INCLUDE = '/etc/nginx/conf.d/aims-plugs.conf'

const input = (over: Partial<PlugConfInput> = {}): PlugConfInput => ({
  tenant: 'acme',
  instance: 'n8n',
  plug: 'n8n',
  serverNames: ['n8n.acme.example.com'],
  upstreams: [{host: '127.0.0.1', port: 51000}],
  proxy: {clientMaxBodySize: '10m', readTimeoutSeconds: 60, websockets: true},
  ...over,
})
const conf = (over: Partial<PlugConfInput> = {}) => renderPlugConf(TEMPLATE, input(over))

type NginxCheck = (files: Map<string, string>) => {exitCode: number; stderr: string}
const OK =
  'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n'

/**
 * A host with files in memory and an nginx whose `-t` runs `check` over them.
 * Anything else it is asked to run fails the test.
 */
class FakeHost implements HostShell {
  readonly files = new Map<string, string>()
  readonly dirs = new Set<string>()
  readonly calls: string[] = []
  reloads = 0
  failWrites = new Set<string>()

  constructor(
    private check: NginxCheck = () => ({exitCode: 0, stderr: OK}),
    private readonly nginx = ['nginx'],
    private reloadResult: ExecResult = {exitCode: 0, stdout: '', stderr: ''},
  ) {}

  setCheck(check: NginxCheck) {
    this.check = check
  }

  async execStream(argv: string[]): Promise<{exitCode: number; stderr: string}> {
    throw new Error(`unexpected execStream: ${argv.join(' ')}`)
  }

  async exec(argv: string[]): Promise<ExecResult> {
    this.calls.push(argv.join(' '))
    const command = argv.slice(0, this.nginx.length)
    const args = argv.slice(this.nginx.length)
    if (command.join(' ') !== this.nginx.join(' ')) throw new Error(`unexpected command: ${argv.join(' ')}`)
    if (args.join(' ') === '-t') return {stdout: '', ...this.check(this.files)}
    if (args.join(' ') === '-s reload') {
      if (this.reloadResult.exitCode === 0) this.reloads++
      return this.reloadResult
    }
    throw new Error(`unexpected nginx arguments: ${args.join(' ')}`)
  }

  async readFile(path: string) {
    this.calls.push(`read ${path}`)
    const text = this.files.get(path)
    return text === undefined ? undefined : Buffer.from(text)
  }

  async writeFile(path: string, data: string | Buffer) {
    this.calls.push(`write ${path}`)
    if (this.failWrites.has(path)) throw new AimsError('remote', `cannot write ${path}: disk full`)
    this.files.set(path, data.toString())
  }

  async removeFile(path: string) {
    this.calls.push(`remove ${path}`)
    this.files.delete(path)
  }

  async mkdirp(path: string) {
    this.calls.push(`mkdirp ${path}`)
    this.dirs.add(path)
  }

  async listDir(path: string) {
    this.calls.push(`list ${path}`)
    if (!this.dirs.has(path)) return undefined
    return [...this.files.keys()]
      .filter((file) => file.startsWith(`${path}/`))
      .map((file) => file.slice(path.length + 1))
      .sort()
  }

  async diskFree(): Promise<never> {
    throw new Error('unexpected diskFree')
  }

  async appendFile(): Promise<void> {
    throw new Error('unexpected appendFile')
  }

  async rename(): Promise<void> {
    throw new Error('unexpected rename')
  }
}

/** nginx -t fails when any file holds `bogus`, the way nginx reports an unknown directive. */
const failOnBogus: NginxCheck = (files) => {
  for (const [path, text] of files) {
    const line = text.split('\n').findIndex((l) => l.includes('bogus'))
    if (line !== -1) {
      return {
        exitCode: 1,
        stderr: `2026/01/01 10:00:00 [emerg] 1234#1234: unknown directive "bogus" in ${path}:${line + 1}\nnginx: configuration file /etc/nginx/nginx.conf test failed\n`,
      }
    }
  }
  return {exitCode: 0, stderr: OK}
}

async function errorOf(promise: Promise<unknown>): Promise<AimsError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected an AimsError, nothing was thrown')
}

const apply = (host: FakeHost, content: string, fileName = 'acme-n8n.conf') =>
  applyPlugConf(host, {confDir: CONF_DIR, includeFile: INCLUDE, fileName, content})
const PATH = `${CONF_DIR}/acme-n8n.conf`

describe('applyPlugConf', () => {
  it('on a fresh host creates the conf dir, the include file and the conf, tests, then reloads', async () => {
    const host = new FakeHost()
    const result = await apply(host, conf())
    expect(result).toEqual({path: PATH, change: 'created', includeWritten: true, warnings: []})
    expect(host.dirs.has(CONF_DIR)).toBe(true)
    expect(host.files.get(INCLUDE)).toBe(renderIncludeConf(CONF_DIR))
    expect(host.files.get(PATH)).toBe(conf())
    expect(host.calls.filter((call) => !call.startsWith('read'))).toEqual([
      'mkdirp /etc/nginx/conf.d/plugs',
      `write ${INCLUDE}`,
      `write ${PATH}`,
      'nginx -t',
      'nginx -s reload',
    ])
    expect(host.reloads).toBe(1)
  })

  it('leaves files alone when nothing changed, and still checks and reloads (finishing an interrupted run)', async () => {
    const host = new FakeHost()
    await apply(host, conf())
    host.calls.length = 0
    const result = await apply(host, conf())
    expect(result.change).toBe('unchanged')
    expect(result.includeWritten).toBe(false)
    expect(host.calls.filter((call) => call.startsWith('write'))).toEqual([])
    expect(host.reloads).toBe(2)
  })

  it('replaces the conf when replicas change', async () => {
    const host = new FakeHost()
    await apply(host, conf())
    const scaled = conf({
      upstreams: [
        {host: '127.0.0.1', port: 51000},
        {host: '127.0.0.1', port: 51001},
      ],
    })
    expect((await apply(host, scaled)).change).toBe('updated')
    expect(host.files.get(PATH)).toContain('server 127.0.0.1:51001;')
  })

  it("when nginx -t fails, puts the previous conf back, does not reload, and throws nginx's own line", async () => {
    const host = new FakeHost(failOnBogus)
    await apply(host, conf())
    const broken = conf().replace('keepalive 16;', 'keepalive 16;\n    bogus;')
    const error = await errorOf(apply(host, broken))
    expect(error.kind).toBe('remote')
    expect(error.message).toBe(`nginx refused the configuration: nginx: [emerg] unknown directive "bogus" in ${PATH}:7`)
    expect(error.hint).toContain('previous conf is back')
    expect(error.details).toEqual({nginx: `nginx: [emerg] unknown directive "bogus" in ${PATH}:7`, file: PATH})
    expect(host.files.get(PATH)).toBe(conf())
    expect(host.reloads).toBe(1)
  })

  it('when nginx -t fails for a new conf, removes it and the include file it just installed', async () => {
    const host = new FakeHost(failOnBogus)
    const error = await errorOf(apply(host, `${conf()}bogus;\n`))
    expect(error.kind).toBe('remote')
    expect(host.files.has(PATH)).toBe(false)
    expect(host.files.has(INCLUDE)).toBe(false)
    expect(host.reloads).toBe(0)
  })

  it("keeps an include file the user changed only until the test passes with aims' version", async () => {
    const host = new FakeHost(failOnBogus)
    host.files.set(INCLUDE, '# old aims include\ninclude /old/*.conf;\n')
    await errorOf(apply(host, `${conf()}bogus;\n`))
    expect(host.files.get(INCLUDE)).toBe('# old aims include\ninclude /old/*.conf;\n')
  })

  it("says so when nginx was already failing in a file that is not aims'", async () => {
    const host = new FakeHost(failOnBogus)
    host.files.set('/etc/nginx/sites-enabled/other', 'bogus;')
    const error = await errorOf(apply(host, conf()))
    expect(error.message).toContain('in /etc/nginx/sites-enabled/other:1')
    expect(error.hint).toContain('already failing outside aims')
    expect(host.files.has(PATH)).toBe(false)
  })

  it('drops its server_names_hash tuning when the main nginx.conf already sets it', async () => {
    const host = new FakeHost((files) =>
      (files.get(INCLUDE) ?? '').includes('server_names_hash_bucket_size')
        ? {
            exitCode: 1,
            stderr: `nginx: [emerg] "server_names_hash_bucket_size" directive is duplicate in ${INCLUDE}:10\nnginx: configuration file /etc/nginx/nginx.conf test failed\n`,
          }
        : {exitCode: 0, stderr: OK},
    )
    const result = await apply(host, conf())
    expect(result.includeWritten).toBe(true)
    expect(host.files.get(INCLUDE)).toBe(renderIncludeConf(CONF_DIR, {tuneServerNamesHash: false}))
    expect(host.reloads).toBe(1)
    // The untuned include is accepted as it is next time.
    expect((await apply(host, conf())).includeWritten).toBe(false)
  })

  it('also drops it when nginx names nginx.conf as the duplicate (the setting comes after the include)', async () => {
    const host = new FakeHost((files) =>
      (files.get(INCLUDE) ?? '').includes('server_names_hash_bucket_size')
        ? {
            exitCode: 1,
            stderr: 'nginx: [emerg] "server_names_hash_max_size" directive is duplicate in /etc/nginx/nginx.conf:40\n',
          }
        : {exitCode: 0, stderr: OK},
    )
    await apply(host, conf())
    expect(host.files.get(INCLUDE)).toBe(renderIncludeConf(CONF_DIR, {tuneServerNamesHash: false}))
  })

  it('sets the hash sizes again when a long name no longer fits without them', async () => {
    const host = new FakeHost((files) =>
      (files.get(INCLUDE) ?? '').includes('server_names_hash_bucket_size')
        ? {exitCode: 0, stderr: OK}
        : {
            exitCode: 1,
            stderr:
              'nginx: [emerg] could not build server_names_hash, you should increase server_names_hash_bucket_size: 64\n',
          },
    )
    host.files.set(INCLUDE, renderIncludeConf(CONF_DIR, {tuneServerNamesHash: false}))
    const result = await apply(host, conf())
    expect(result.includeWritten).toBe(true)
    expect(host.files.get(INCLUDE)).toBe(renderIncludeConf(CONF_DIR))
  })

  it('when nginx.conf pins a bucket too small for the name, says so and rolls everything back', async () => {
    const untuned = renderIncludeConf(CONF_DIR, {tuneServerNamesHash: false})
    const host = new FakeHost((files) =>
      (files.get(INCLUDE) ?? '').includes('server_names_hash_bucket_size')
        ? {
            exitCode: 1,
            stderr: `nginx: [emerg] "server_names_hash_bucket_size" directive is duplicate in ${INCLUDE}:10\n`,
          }
        : {
            exitCode: 1,
            stderr:
              'nginx: [emerg] could not build server_names_hash, you should increase server_names_hash_bucket_size: 64\n',
          },
    )
    host.files.set(INCLUDE, untuned)
    const error = await errorOf(apply(host, conf()))
    expect(error.message).toBe(
      'nginx refused the configuration: nginx: [emerg] could not build server_names_hash, you should increase server_names_hash_bucket_size: 64',
    )
    expect(error.hint).toContain('raise it (e.g. to 512)')
    expect(host.files.get(INCLUDE)).toBe(untuned)
    expect(host.files.has(PATH)).toBe(false)
  })

  it('refuses a server name that nginx reports as already routed, and rolls back', async () => {
    const host = new FakeHost()
    await apply(host, conf())
    host.setCheck((files) =>
      [...files.values()].filter((text) => text.includes('server_name n8n.acme.example.com;')).length > 1
        ? {
            exitCode: 0,
            stderr: `nginx: [warn] conflicting server name "n8n.acme.example.com" on 0.0.0.0:80, ignored\n${OK}`,
          }
        : {exitCode: 0, stderr: OK},
    )
    const other = renderPlugConf(TEMPLATE, input({tenant: 'beta', instance: 'web'})).replace(
      /server_name [^;]+;/,
      'server_name n8n.acme.example.com;',
    )
    const error = await errorOf(apply(host, other, 'beta-web.conf'))
    expect(error.kind).toBe('conflict')
    expect(error.message).toBe('the server name "n8n.acme.example.com" is already routed by another nginx server')
    expect(host.files.has(`${CONF_DIR}/beta-web.conf`)).toBe(false)
    expect(host.reloads).toBe(1)
  })

  it("passes nginx's other warnings through, without the log prefix", async () => {
    const host = new FakeHost(() => ({
      exitCode: 0,
      stderr: `2026/01/01 10:00:00 [warn] 99#99: conflicting server name "other.example.com" on 0.0.0.0:80, ignored\n${OK}`,
    }))
    expect((await apply(host, conf())).warnings).toEqual([
      'nginx: [warn] conflicting server name "other.example.com" on 0.0.0.0:80, ignored',
    ])
  })

  it('refuses to overwrite the conf of another instance whose names run together into the same file name', async () => {
    const host = new FakeHost()
    await apply(
      host,
      renderPlugConf(TEMPLATE, input({tenant: 'a-b', instance: 'c', serverNames: ['c.a-b.example.com']})),
      confFileName('a-b', 'c'),
    )
    host.calls.length = 0
    const error = await errorOf(
      apply(
        host,
        renderPlugConf(TEMPLATE, input({tenant: 'a', instance: 'b-c', serverNames: ['b-c.a.example.com']})),
        confFileName('a', 'b-c'),
      ),
    )
    expect(error.kind).toBe('conflict')
    expect(error.message).toBe(`${CONF_DIR}/a-b-c.conf already routes a-b/c, not a/b-c`)
    expect(host.files.get(`${CONF_DIR}/a-b-c.conf`)).toContain('# aims-owner: a-b/c')
    expect(host.calls.filter((call) => !call.startsWith('read') && !call.startsWith('mkdirp'))).toEqual([])
  })

  it('refuses to overwrite a conf aims did not write', async () => {
    const host = new FakeHost()
    host.files.set(PATH, 'server { listen 80; server_name mine.example.com; }\n')
    expect((await errorOf(apply(host, conf()))).message).toContain('was not written by aims')
    expect(host.files.get(PATH)).toContain('mine.example.com')
  })

  it('keeps a valid conf in place when nginx does not reload, and says how to fix it', async () => {
    const host = new FakeHost(undefined, ['nginx'], {
      exitCode: 1,
      stdout: '',
      stderr: 'nginx: [error] open() "/run/nginx.pid" failed (2: No such file or directory)\n',
    })
    const error = await errorOf(apply(host, conf()))
    expect(error.kind).toBe('remote')
    expect(error.message).toBe(
      'nginx accepted the configuration but did not reload: nginx: [error] open() "/run/nginx.pid" failed (2: No such file or directory)',
    )
    expect(error.hint).toContain('start nginx')
    expect(host.files.get(PATH)).toBe(conf())
  })

  it('reports what it could not put back when the rollback itself fails', async () => {
    const host = new FakeHost(failOnBogus)
    await apply(host, conf())
    host.failWrites.add(PATH)
    const content = `${conf()}bogus;\n`
    // The first write must succeed for nginx -t to see the broken conf: fail only the restore.
    const write = host.writeFile.bind(host)
    let writes = 0
    host.writeFile = async (path, data) =>
      writes++ === 0 ? void host.files.set(path, data.toString()) : write(path, data)
    const error = await errorOf(apply(host, content))
    expect(error.message).toContain('and aims could not put the previous files back')
    expect(error.hint).toContain(`fix or remove ${PATH} by hand`)
  })

  it('takes back the include file it wrote when the conf itself cannot be written', async () => {
    const host = new FakeHost()
    host.failWrites.add(PATH)
    const error = await errorOf(apply(host, conf()))
    expect(error.message).toBe(`cannot write ${PATH}: disk full`)
    expect(host.files.has(INCLUDE)).toBe(false)
    expect(host.calls.filter((call) => call.startsWith('nginx'))).toEqual([])
  })

  it('uses the configured nginx command, e.g. through sudo', async () => {
    const host = new FakeHost(undefined, ['sudo', '-n', 'nginx'])
    await applyPlugConf(host, {
      confDir: CONF_DIR,
      includeFile: INCLUDE,
      fileName: 'acme-n8n.conf',
      content: conf(),
      nginxCommand: ['sudo', '-n', 'nginx'],
    })
    expect(host.calls.filter((call) => call.includes('nginx -'))).toEqual([
      'sudo -n nginx -t',
      'sudo -n nginx -s reload',
    ])
  })

  it('says when nginx is not installed', async () => {
    const host = new FakeHost(() => ({exitCode: 127, stderr: 'nginx: not found'}))
    const error = await errorOf(apply(host, conf()))
    expect(error.message).toContain('nginx is not installed on the host')
    expect(host.files.has(PATH)).toBe(false)
    expect(host.files.has(INCLUDE)).toBe(false)
  })

  it('refuses bad paths and names before touching the host', async () => {
    const cases: Array<[Partial<Parameters<typeof applyPlugConf>[1]>, string]> = [
      [{fileName: '../evil.conf'}, 'invalid nginx conf file name'],
      [{fileName: 'acme-n8n'}, 'invalid nginx conf file name'],
      [{fileName: 'a;b.conf'}, 'invalid nginx conf file name'],
      [{confDir: 'plugs'}, 'invalid nginx conf dir'],
      [{confDir: '/etc/nginx/conf.d/my plugs'}, 'invalid nginx conf dir'],
      [{confDir: '/etc/nginx/{x}'}, 'invalid nginx conf dir'],
      [{includeFile: '/etc/nginx/conf.d/aims-plugs'}, 'only includes files ending in .conf'],
      [{includeFile: `${CONF_DIR}/include.conf`}, 'inside the conf dir'],
      [{content: '  \n'}, 'refusing to write an empty nginx conf'],
    ]
    for (const [over, message] of cases) {
      const host = new FakeHost()
      const error = await errorOf(
        applyPlugConf(host, {
          confDir: CONF_DIR,
          includeFile: INCLUDE,
          fileName: 'acme-n8n.conf',
          content: conf(),
          ...over,
        }),
      )
      expect(error.kind, JSON.stringify(over)).toBe('usage')
      expect(error.message).toContain(message)
      expect(host.calls).toEqual([])
    }
  })
})

describe('removePlugConf', () => {
  it('removes the conf, tests and reloads', async () => {
    const host = new FakeHost()
    await apply(host, conf())
    expect(
      await removePlugConf(host, {
        confDir: CONF_DIR,
        fileName: 'acme-n8n.conf',
        owner: {tenant: 'acme', instance: 'n8n'},
      }),
    ).toEqual({path: PATH, removed: true})
    expect(host.files.has(PATH)).toBe(false)
    expect(host.reloads).toBe(2)
    expect(host.calls.slice(-2)).toEqual(['nginx -t', 'nginx -s reload'])
  })

  it('is idempotent: a missing conf is no error and no reload', async () => {
    const host = new FakeHost()
    expect(await removePlugConf(host, {confDir: CONF_DIR, fileName: 'acme-n8n.conf'})).toEqual({
      path: PATH,
      removed: false,
    })
    expect(host.calls).toEqual([`read ${PATH}`])
  })

  it('leaves the conf of another owner in place', async () => {
    const host = new FakeHost()
    await apply(host, renderPlugConf(TEMPLATE, input({tenant: 'a-b', instance: 'c'})), 'a-b-c.conf')
    const error = await errorOf(
      removePlugConf(host, {confDir: CONF_DIR, fileName: 'a-b-c.conf', owner: {tenant: 'a', instance: 'b-c'}}),
    )
    expect(error.kind).toBe('conflict')
    expect(host.files.has(`${CONF_DIR}/a-b-c.conf`)).toBe(true)
  })

  it('reports when nginx cannot reload after the removal', async () => {
    const host = new FakeHost(failOnBogus)
    await apply(host, conf())
    host.files.set('/etc/nginx/sites-enabled/other', 'bogus;')
    const error = await errorOf(removePlugConf(host, {confDir: CONF_DIR, fileName: 'acme-n8n.conf'}))
    expect(error.kind).toBe('remote')
    expect(error.message).toContain(
      `removed ${PATH}, but nginx cannot reload: nginx: [emerg] unknown directive "bogus" in /etc/nginx/sites-enabled/other:1`,
    )
    expect(host.reloads).toBe(1)
  })
})

describe('listPlugConfs and nginx output', () => {
  it('lists .conf files only, and nothing when the dir does not exist', async () => {
    const host = new FakeHost()
    expect(await listPlugConfs(host, CONF_DIR)).toEqual([])
    await apply(host, conf())
    host.files.set(`${CONF_DIR}/acme-n8n.conf.aims-0011aabb.tmp`, 'partial')
    expect(await listPlugConfs(host, CONF_DIR)).toEqual(['acme-n8n.conf'])
  })

  it('nginxErrorLine prefers the emerg line and falls back to the first line', () => {
    expect(
      nginxErrorLine({
        exitCode: 1,
        stdout: '',
        stderr:
          'nginx: [alert] could not open error log file\n2026/01/01 10:00:00 [emerg] 7#7: host not found in upstream "x" in /a.conf:3\n',
      }),
    ).toBe('nginx: [emerg] host not found in upstream "x" in /a.conf:3')
    expect(nginxErrorLine({exitCode: 1, stdout: '', stderr: 'sudo: a password is required\n'})).toBe(
      'sudo: a password is required',
    )
    expect(nginxErrorLine({exitCode: 2, stdout: '', stderr: ''})).toBe('nginx exited with code 2')
  })
})
