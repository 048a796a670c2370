/**
 * The proxy service against the bed's real nginx (no aims binary): confs
 * rendered from the shipped template, applied with nginx -t and reload, and
 * requests through nginx on :80/:443 to small HTTP servers standing in for
 * instances. Everything lives in a conf dir and include file of its own, and
 * is removed afterwards; nginx is only ever reloaded.
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LocalHostSession} from '../../src/adapters/local-session.js'
import {readTemplate} from '../../src/adapters/templates.js'
import {AimsError} from '../../src/core/errors.js'
import {
  confFileName,
  PLUG_CONF_TEMPLATE,
  renderPlugConf,
  serverNameFor,
  type PlugConfInput,
} from '../../src/core/proxy/plug-conf.js'
import type {HostShell} from '../../src/services/ports.js'
import {applyPlugConf, listPlugConfs, removePlugConf} from '../../src/services/proxy.js'

const run = promisify(execFile)
const SUFFIX = randomBytes(3).toString('hex')
const CONF_DIR = `/etc/nginx/conf.d/plugs-prx-test-${SUFFIX}`
const INCLUDE = `/etc/nginx/conf.d/aims-prx-test-${SUFFIX}.conf`
const DOMAIN = `prx-${SUFFIX}.test`
const TENANT_A = `prx-a${SUFFIX}`
const TENANT_B = `prx-b${SUFFIX}`

let shell: HostShell
let template: string
const servers: Server[] = []

interface Seen {
  who: string
  method: string
  url: string
  headers: IncomingMessage['headers']
}

/** A stand-in instance: answers every request with who it is and what it received; echoes WebSocket frames back. */
async function startUpstream(who: string): Promise<number> {
  const server = createServer((request, response) => {
    const seen: Seen = {who, method: request.method ?? '', url: request.url ?? '', headers: request.headers}
    response.writeHead(200, {'content-type': 'application/json'})
    response.end(JSON.stringify(seen))
  })
  server.on('upgrade', (request, socket) => {
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Who: ${who}\r\nX-Seen-Connection: ${request.headers.connection}\r\n\r\n`,
    )
    socket.on('data', (chunk) => socket.write(`${who}:${chunk.toString()}`))
    // The client hangs up once it has its echo; a late write to the closed socket is expected.
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return (server.address() as {port: number}).port
}

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** curl, as a user would type it (-H 'Host: …' http://127.0.0.1/…). */
async function curl(args: string[]): Promise<Reply> {
  const {stdout} = await run('curl', ['-s', '-i', '--max-time', '5', ...args], {encoding: 'utf8'})
  // With -k and a redirect there is one head per response; we never follow redirects, so one.
  const split = stdout.indexOf('\r\n\r\n')
  const head = stdout.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return {status: Number(head[0]?.split(' ')[1]), headers, body: stdout.slice(split + 4)}
}

const viaNginx = (host: string, path = '/') => curl(['-H', `Host: ${host}`, `http://127.0.0.1${path}`])

/** nginx -s reload returns before the new workers take over: poll until the answer is what we expect. */
async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await probe()
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    last = await probe()
  }
  return last
}

const whoAnswers = async (host: string, path = '/') => {
  const reply = await viaNginx(host, path)
  try {
    return (JSON.parse(reply.body) as Seen).who
  } catch {
    return `not an upstream (${reply.status})`
  }
}

const input = (tenant: string, instance: string, port: number, over: Partial<PlugConfInput> = {}): PlugConfInput => ({
  tenant,
  instance,
  plug: 'fixture-web',
  serverNames: [serverNameFor({instance, tenant, domain: DOMAIN})],
  upstreams: [{host: '127.0.0.1', port}],
  proxy: {clientMaxBodySize: '1m', readTimeoutSeconds: 30, websockets: true},
  ...over,
})

const apply = (fileName: string, content: string) =>
  applyPlugConf(shell, {confDir: CONF_DIR, includeFile: INCLUDE, fileName, content})

async function nginxTest(): Promise<{exitCode: number; output: string}> {
  const result = await shell.exec(['nginx', '-t'])
  return {exitCode: result.exitCode, output: result.stderr}
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

let portA: number
let portB: number
const hostA = () => serverNameFor({instance: 'web', tenant: TENANT_A, domain: DOMAIN})
const hostB = () => serverNameFor({instance: 'web', tenant: TENANT_B, domain: DOMAIN})

beforeAll(async () => {
  const session = new LocalHostSession(
    {
      name: 'local',
      kind: 'local',
      dockerSocket: '/var/run/docker.sock',
      nginxConfDir: CONF_DIR,
      stateDir: join(tmpdir(), `aims-prx-${SUFFIX}`),
    },
    {callTimeoutMs: 10_000},
  )
  shell = await session.shell()
  template = await readTemplate(PLUG_CONF_TEMPLATE)
  expect((await nginxTest()).exitCode, 'the bed nginx configuration must be valid before the test').toBe(0)
  portA = await startUpstream('tenant-a')
  portB = await startUpstream('tenant-b')
})

afterAll(async () => {
  for (const name of (await shell.listDir(CONF_DIR)) ?? []) await shell.removeFile(`${CONF_DIR}/${name}`)
  await shell.exec(['rmdir', CONF_DIR])
  await shell.removeFile(INCLUDE)
  const test = await shell.exec(['nginx', '-t'])
  if (test.exitCode === 0) await shell.exec(['nginx', '-s', 'reload'])
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
})

describe('plug confs on the real nginx', () => {
  it('(a) routes two tenants with the same instance name to their own upstreams', async () => {
    const started = performance.now()
    const first = await apply(confFileName(TENANT_A, 'web'), renderPlugConf(template, input(TENANT_A, 'web', portA)))
    const applyMs = performance.now() - started
    const second = await apply(confFileName(TENANT_B, 'web'), renderPlugConf(template, input(TENANT_B, 'web', portB)))
    expect(first).toMatchObject({change: 'created', includeWritten: true})
    expect(second).toMatchObject({change: 'created', includeWritten: false})
    expect((await nginxTest()).exitCode).toBe(0)

    expect(
      await eventually(
        () => whoAnswers(hostA()),
        (who) => who === 'tenant-a',
      ),
    ).toBe('tenant-a')
    expect(
      await eventually(
        () => whoAnswers(hostB()),
        (who) => who === 'tenant-b',
      ),
    ).toBe('tenant-b')
    // A name nobody routes falls to the bed's default server.
    expect(await whoAnswers(`web.prx-none${SUFFIX}.${DOMAIN}`)).toMatch(/^not an upstream/)

    // What the instance sees: the public host and the edge's view of the client, whatever the client claims.
    const seen = JSON.parse(
      (await curl(['-H', `Host: ${hostA()}`, '-H', 'X-Forwarded-For: 6.6.6.6', 'http://127.0.0.1/some/path?q=1'])).body,
    ) as Seen
    expect(seen.url).toBe('/some/path?q=1')
    expect(seen.headers).toMatchObject({
      host: hostA(),
      'x-forwarded-host': hostA(),
      'x-forwarded-proto': 'http',
      'x-forwarded-port': '80',
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
    })
    console.log(`[prx] first apply (include + conf + nginx -t + reload): ${applyMs.toFixed(0)} ms`)
  })

  it('(a) balances over every replica and upgrades WebSockets', async () => {
    const replica2 = await startUpstream('tenant-a-2')
    const scaled = await apply(
      confFileName(TENANT_A, 'web'),
      renderPlugConf(
        template,
        input(TENANT_A, 'web', portA, {
          upstreams: [
            {host: '127.0.0.1', port: portA},
            {host: '127.0.0.1', port: replica2},
          ],
        }),
      ),
    )
    expect(scaled.change).toBe('updated')
    const answers = await eventually(
      async () => {
        const who = new Set<string>()
        for (let i = 0; i < 6; i++) who.add(await whoAnswers(hostA()))
        return who
      },
      (who) => who.size === 2,
    )
    expect([...answers].sort()).toEqual(['tenant-a', 'tenant-a-2'])

    // A raw upgrade through nginx: 101 comes back and frames flow both ways.
    const exchange = await new Promise<string>((resolve, reject) => {
      const socket = connect(80, '127.0.0.1')
      let received = ''
      socket.on('data', (chunk) => {
        received += chunk.toString()
        if (received.includes('\r\n\r\n') && !received.includes(':ping')) socket.write('ping')
        if (received.includes(':ping')) {
          socket.destroy()
          resolve(received)
        }
      })
      socket.on('error', reject)
      socket.setTimeout(5000, () => reject(new Error(`no WebSocket answer: ${received}`)))
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: ${hostA()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      )
    })
    expect(exchange).toMatch(/^HTTP\/1\.1 101 /)
    expect(exchange.toLowerCase()).toContain('x-seen-connection: upgrade')
    expect(exchange).toMatch(/tenant-a(-2)?:ping$/)
  })

  it("(b) a conf that fails nginx -t is rolled back with nginx's message, and the old route keeps serving", async () => {
    const fileName = confFileName(TENANT_A, 'web')
    const path = `${CONF_DIR}/${fileName}`
    const before = readFileSync(path, 'utf8')
    // Bypassing the renderer: a directive nginx does not know, in the upstream block.
    const broken = before.replace(/keepalive 16;/, 'keepalive 16;\n    bogus_prx_directive on;')
    const error = await errorOf(apply(fileName, broken))
    expect(error.kind).toBe('remote')
    expect(error.message).toMatch(
      new RegExp(
        `^nginx refused the configuration: nginx: \\[emerg\\] unknown directive "bogus_prx_directive" in ${path}:\\d+$`,
      ),
    )
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect((await nginxTest()).exitCode).toBe(0)
    expect(
      await eventually(
        () => whoAnswers(hostA()),
        (who) => who.startsWith('tenant-a'),
      ),
    ).toMatch(/^tenant-a/)

    // A new conf that fails is removed, not left for the next reload.
    const newName = confFileName(TENANT_A, 'broken')
    const upstreamError = await errorOf(
      apply(
        newName,
        renderPlugConf(template, input(TENANT_A, 'broken', portA)).replace(
          /server 127\.0\.0\.1:\d+;/,
          'server 127.0.0.1:99999;',
        ),
      ),
    )
    expect(upstreamError.message).toContain('invalid port in upstream "127.0.0.1:99999"')
    expect(await listPlugConfs(shell, CONF_DIR)).not.toContain(newName)
    expect((await nginxTest()).exitCode).toBe(0)
  })

  it('(b) a server name another conf already routes is refused and rolled back', async () => {
    const fileName = confFileName(TENANT_B, 'thief')
    const stealing = renderPlugConf(template, input(TENANT_B, 'thief', portB, {serverNames: [hostA()]}))
    const error = await errorOf(apply(fileName, stealing))
    expect(error.kind).toBe('conflict')
    expect(error.message).toBe(`the server name "${hostA()}" is already routed by another nginx server`)
    expect(await listPlugConfs(shell, CONF_DIR)).not.toContain(fileName)
    expect(
      await eventually(
        () => whoAnswers(hostA()),
        (who) => who.startsWith('tenant-a'),
      ),
    ).toMatch(/^tenant-a/)
  })

  it('(c) removing a conf removes the route, and removing it again is a no-op', async () => {
    const owner = {tenant: TENANT_B, instance: 'web'}
    expect(
      await removePlugConf(shell, {confDir: CONF_DIR, fileName: confFileName(TENANT_B, 'web'), owner}),
    ).toMatchObject({removed: true})
    const gone = await eventually(
      () => whoAnswers(hostB()),
      (who) => who !== 'tenant-b',
    )
    expect(gone).toMatch(/^not an upstream \((200|404)\)$/)
    // The default server answers exactly as it does for a name nobody ever routed.
    const never = await viaNginx(`never.${DOMAIN}`)
    const removed = await viaNginx(hostB())
    expect([removed.status, removed.body]).toEqual([never.status, never.body])
    expect(
      await removePlugConf(shell, {confDir: CONF_DIR, fileName: confFileName(TENANT_B, 'web'), owner}),
    ).toMatchObject({removed: false})
    expect(await whoAnswers(hostA())).toMatch(/^tenant-a/)
  })

  describe('(d) hostile values', () => {
    const hostile = [
      `evil.${DOMAIN}; location /pwned { return 200 injected; } #`,
      `evil.${DOMAIN};\n    location /pwned { return 200 injected; }`,
      `evil.${DOMAIN}}\nserver { listen 80; server_name evil2.${DOMAIN}; return 200 injected; }\n#`,
      `evil.${DOMAIN} $host`,
      `"evil.${DOMAIN}"`,
      `'evil.${DOMAIN}'`,
      `evil.${DOMAIN}#`,
      `evil.${DOMAIN}{`,
      `evil ${DOMAIN}`,
      '${remote_addr}',
    ]
    const fields: Array<[string, (value: string) => PlugConfInput]> = [
      ['tenant', (value) => input(value, 'web', portA)],
      ['instance', (value) => input(TENANT_A, value, portA, {serverNames: [`x.${DOMAIN}`]})],
      ['plug', (value) => ({...input(TENANT_A, 'web', portA), plug: value})],
      ['server name', (value) => input(TENANT_A, 'web', portA, {serverNames: [value]})],
      ['upstream host', (value) => input(TENANT_A, 'web', portA, {upstreams: [{host: value, port: portA}]})],
      [
        'client_max_body_size',
        (value) =>
          input(TENANT_A, 'web', portA, {proxy: {clientMaxBodySize: value, readTimeoutSeconds: 30, websockets: true}}),
      ],
      [
        'tls certificate',
        (value) => input(TENANT_A, 'web', portA, {tls: {certificate: value, key: '/etc/ssl/private/k.pem'}}),
      ],
      [
        'tls key',
        (value) => input(TENANT_A, 'web', portA, {tls: {certificate: '/etc/ssl/c.pem', key: `/etc/ssl/${value}`}}),
      ],
    ]

    it('are refused by the renderer for every field, so nothing reaches the conf dir', async () => {
      const confsBefore = await listPlugConfs(shell, CONF_DIR)
      let refused = 0
      for (const [field, build] of fields) {
        for (const value of hostile) {
          let error: unknown
          try {
            renderPlugConf(template, build(value))
          } catch (caught) {
            error = caught
          }
          expect(error, `${field} = ${JSON.stringify(value)}`).toBeInstanceOf(AimsError)
          expect((error as AimsError).kind).toBe('usage')
          refused++
        }
      }
      expect(refused).toBe(fields.length * hostile.length)
      expect(await listPlugConfs(shell, CONF_DIR)).toEqual(confsBefore)
    })

    it('would inject a live directive if the renderer were bypassed; the rendered conf injects nothing', async () => {
      // The proof that the probe can see an injection: a naive conf, built by pasting the value in.
      const value = hostile[0]!
      const naive = renderPlugConf(
        template,
        input(TENANT_A, 'naive', portA, {serverNames: [`evil.${DOMAIN}`]}),
      ).replace(`server_name evil.${DOMAIN};`, `server_name ${value};`)
      expect(naive).toContain('location /pwned { return 200 injected; }')
      await apply(confFileName(TENANT_A, 'naive'), naive)
      expect((await nginxTest()).exitCode).toBe(0)
      const injected = await eventually(
        () => viaNginx(`evil.${DOMAIN}`, '/pwned'),
        (reply) => reply.body === 'injected',
      )
      expect([injected.status, injected.body]).toEqual([200, 'injected'])
      await removePlugConf(shell, {confDir: CONF_DIR, fileName: confFileName(TENANT_A, 'naive')})
      expect(
        await eventually(
          () => viaNginx(`evil.${DOMAIN}`, '/pwned'),
          (reply) => reply.body !== 'injected',
        ).then((reply) => reply.body),
      ).not.toBe('injected')

      // Through aims: refused outright, and the live conf (rendered from validated values) has no such route:
      // /pwned reaches the instance like any other path.
      expect(() => renderPlugConf(template, input(TENANT_A, 'naive', portA, {serverNames: [value]}))).toThrow(AimsError)
      expect((await nginxTest()).exitCode).toBe(0)
      const reply = await viaNginx(hostA(), '/pwned')
      expect(reply.status).toBe(200)
      expect((JSON.parse(reply.body) as Seen).url).toBe('/pwned')

      // Hostile text in a request is data: Host headers that carry conf syntax route nowhere, headers arrive verbatim.
      for (const host of [`${hostA()};`, `${hostA()} $host`, `${hostA()}}`, `${hostA()}#x`]) {
        expect(await whoAnswers(host), host).not.toMatch(/^tenant-a/)
      }
      const echoed = JSON.parse(
        (await curl(['-H', `Host: ${hostA()}`, '-H', 'X-Probe: $remote_addr; } #', 'http://127.0.0.1/'])).body,
      ) as Seen
      expect(echoed.headers['x-probe']).toBe('$remote_addr; } #')
    })
  })

  it('(e) serves TLS with a self-signed certificate and redirects http to https', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-prx-tls-'))
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=*.${TENANT_A}.${DOMAIN}`,
        '-addext',
        `subjectAltName=DNS:*.${TENANT_A}.${DOMAIN}`,
        '-keyout',
        join(dir, 'privkey.pem'),
        '-out',
        join(dir, 'fullchain.pem'),
      ])
      const name = serverNameFor({instance: 'secure', tenant: TENANT_A, domain: DOMAIN})
      const content = renderPlugConf(
        template,
        input(TENANT_A, 'secure', portA, {
          tls: {certificate: join(dir, 'fullchain.pem'), key: join(dir, 'privkey.pem')},
        }),
      )
      await apply(confFileName(TENANT_A, 'secure'), content)
      expect((await nginxTest()).exitCode).toBe(0)

      const https = await eventually(
        () => curl(['-k', '--resolve', `${name}:443:127.0.0.1`, `https://${name}/tls?x=1`]),
        (reply) => reply.status === 200,
      )
      expect(https.status).toBe(200)
      const seen = JSON.parse(https.body) as Seen
      expect(seen).toMatchObject({who: 'tenant-a', url: '/tls?x=1'})
      expect(seen.headers).toMatchObject({'x-forwarded-proto': 'https', 'x-forwarded-port': '443', host: name})

      // Old workers may still take a connection or two right after the reload.
      const redirect = await eventually(
        () => viaNginx(name, '/tls?x=1'),
        (reply) => reply.status === 301,
      )
      expect(redirect.status).toBe(301)
      expect(redirect.headers.location).toBe(`https://${name}/tls?x=1`)

      // The certificate served is ours and matches the name: curl verifies it against that file, no -k.
      const {stdout} = await run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{ssl_verify_result} %{http_code}',
        '--resolve',
        `${name}:443:127.0.0.1`,
        '--cacert',
        join(dir, 'fullchain.pem'),
        `https://${name}/`,
      ])
      expect(stdout).toBe('0 200')
    } finally {
      await removePlugConf(shell, {confDir: CONF_DIR, fileName: confFileName(TENANT_A, 'secure')})
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('routes 40 tenants, each with one instance, with long names', async () => {
    const tenants = Array.from({length: 40}, (_, i) => `prx-t${String(i).padStart(2, '0')}-${SUFFIX}-customer`)
    const ports = await Promise.all(tenants.map((tenant) => startUpstream(tenant)))
    const timings: number[] = []
    for (const [i, tenant] of tenants.entries()) {
      const started = performance.now()
      await apply(
        confFileName(tenant, 'automation-studio'),
        renderPlugConf(template, input(tenant, 'automation-studio', ports[i]!)),
      )
      timings.push(performance.now() - started)
    }
    expect((await nginxTest()).exitCode).toBe(0)
    const names = tenants.map((tenant) => serverNameFor({instance: 'automation-studio', tenant, domain: DOMAIN}))
    expect(Math.min(...names.map((name) => name.length))).toBeGreaterThan(50)
    // The last reload must be live before probing all 40.
    await eventually(
      () => whoAnswers(names.at(-1)!),
      (who) => who === tenants.at(-1),
    )
    const answers = await Promise.all(names.map((name) => whoAnswers(name)))
    expect(answers).toEqual(tenants)
    for (const tenant of tenants)
      await removePlugConf(shell, {confDir: CONF_DIR, fileName: confFileName(tenant, 'automation-studio')})
    const sorted = [...timings].sort((a, b) => a - b)
    console.log(
      `[prx] 40 applies: median ${sorted[20]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms, total ${timings.reduce((a, b) => a + b, 0).toFixed(0)} ms; longest name ${Math.max(...names.map((n) => n.length))} chars`,
    )
  })
})

/**
 * The include file's server_names_hash settings against a second, private
 * nginx (its own prefix, port and pid file), because this needs an nginx.conf
 * that aims does not own, and a configuration that is broken on purpose on
 * the way: never something to do to the bed's shared nginx.
 */
describe('server names hash settings on a private nginx', () => {
  let prefix: string
  let port: number
  let upstream: number
  const nginxCommand = () => ['nginx', '-c', `${prefix}/nginx.conf`, '-p', prefix]
  const mainConf = (hashSetting: boolean) =>
    [
      'user www-data;',
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/error.log;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      `  server { listen ${port} default_server; return 404; }`,
      `  include ${prefix}/conf.d/*.conf;`,
      // After the include, so nginx names nginx.conf (not aims' file) as the duplicate.
      ...(hashSetting ? ['  server_names_hash_bucket_size 128;'] : []),
      '}',
      '',
    ].join('\n')
  const longName = (tenant: string) =>
    serverNameFor({instance: 'automation-studio', tenant, domain: `customer-apps.${DOMAIN}`})
  const privateApply = (tenant: string) =>
    applyPlugConf(shell, {
      confDir: `${prefix}/plugs`,
      includeFile: `${prefix}/conf.d/aims-plugs.conf`,
      fileName: confFileName(tenant, 'automation-studio'),
      content: renderPlugConf(
        template,
        input(tenant, 'automation-studio', upstream, {serverNames: [longName(tenant)], ports: {http: port}}),
      ),
      nginxCommand: nginxCommand(),
    })
  const ask = async (host: string) => {
    const reply = await curl(['-H', `Host: ${host}`, `http://127.0.0.1:${port}/`])
    return reply.status === 200 ? (JSON.parse(reply.body) as Seen).who : `status ${reply.status}`
  }

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'aims-prx-nginx-'))
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as {port: number}).port
        probe.close(() => resolve(free))
      })
    })
    upstream = await startUpstream('private')
    await shell.mkdirp(`${prefix}/conf.d`)
    await shell.writeFile(`${prefix}/nginx.conf`, mainConf(true))
    const started = await shell.exec(nginxCommand())
    expect(started.exitCode, started.stderr).toBe(0)
  })

  afterAll(async () => {
    // Our own nginx, by its own pid file.
    await shell.exec([...nginxCommand(), '-s', 'quit'])
    for (let i = 0; i < 50 && (await shell.readFile(`${prefix}/nginx.pid`)); i++)
      await new Promise((resolve) => setTimeout(resolve, 100))
    rmSync(prefix, {recursive: true, force: true})
  })

  it('drops them when nginx.conf sets them, then sets them again when it stops', async () => {
    const tenantOne = `prx-h1-${SUFFIX}-customer`
    expect(longName(tenantOne).length).toBeGreaterThan(64)
    const first = await privateApply(tenantOne)
    expect(first.includeWritten).toBe(true)
    expect(readFileSync(`${prefix}/conf.d/aims-plugs.conf`, 'utf8')).not.toContain('server_names_hash')
    expect(
      await eventually(
        () => ask(longName(tenantOne)),
        (who) => who === 'private',
      ),
    ).toBe('private')

    // nginx.conf no longer sets a bucket size: the default (64) is too small for these names.
    await shell.writeFile(`${prefix}/nginx.conf`, mainConf(false))
    const tenantTwo = `prx-h2-${SUFFIX}-customer`
    const second = await privateApply(tenantTwo)
    expect(second.includeWritten).toBe(true)
    expect(readFileSync(`${prefix}/conf.d/aims-plugs.conf`, 'utf8')).toContain('server_names_hash_bucket_size 512;')
    expect(
      await eventually(
        () => ask(longName(tenantTwo)),
        (who) => who === 'private',
      ),
    ).toBe('private')
    expect(await ask(longName(tenantOne))).toBe('private')
    expect(await ask(`nobody.${DOMAIN}`)).toBe('status 404')
  })
})
