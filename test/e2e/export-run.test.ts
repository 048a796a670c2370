/**
 * The fixture plugs meant to run (fixture-web, fixture-stack with its two
 * services, fixture-ask with a required setting) go from `aims export` to a running stack on the bed's Docker
 * without aims: setup.sh with docker-compose, healthcheck.sh, HTTP on the URL
 * setup.sh prints, a second setup.sh that keeps the secrets, healthcheck.sh
 * naming a stopped service, the bundle's nginx.conf installed on the bed's
 * nginx, and `docker-compose down -v` leaving nothing of the project behind.
 * Each stack has a compose project of its own (exp-e2e-…), so nothing clashes
 * with anyone else's containers.
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'
import {docker, httpGet} from '../support/engine.js'

const run = promisify(execFile)
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const SUFFIX = randomBytes(3).toString('hex')
const work = mkdtempSync(join(tmpdir(), 'exp-run-'))
const home = tempHome('exp-run-home-')
const projects: Array<{project: string; dir: string}> = []
const nginxFiles: string[] = []

async function tool(
  command: string,
  args: string[],
  options: {cwd: string; env?: Record<string, string>; timeoutMs?: number},
): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await run(command, args, {
      cwd: options.cwd,
      env: {...process.env, ...options.env},
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 8 * 1024 * 1024,
    })
    return {code: 0, stdout, stderr}
  } catch (error) {
    const failed = error as {code?: number; stdout?: string; stderr?: string}
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    }
  }
}

/** A port nobody listens on now, outside aims' 51000-51999 range (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function projectObjects(project: string): Promise<{containers: string[]; volumes: string[]; networks: string[]}> {
  const filter = ['--filter', `label=com.docker.compose.project=${project}`]
  const lines = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
  const [containers, volumes, networks] = await Promise.all([
    docker(['ps', '-a', '--format', '{{.Names}}', ...filter]),
    docker(['volume', 'ls', '--format', '{{.Name}}', ...filter]),
    docker(['network', 'ls', '--format', '{{.Name}}', ...filter]),
  ])
  return {containers: lines(containers), volumes: lines(volumes), networks: lines(networks)}
}

const dotenv = (dir: string) =>
  Object.fromEntries(
    readFileSync(join(dir, '.env'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Za-z_]\w*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )

afterAll(async () => {
  // Only what these tests created: their own compose projects and nginx files.
  for (const {dir} of projects) await tool('docker-compose', ['down', '-v', '--remove-orphans'], {cwd: dir})
  if (nginxFiles.length > 0) {
    for (const file of nginxFiles) rmSync(file, {force: true})
    await tool('nginx', ['-s', 'reload'], {cwd: work})
  }
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

describe.each([
  {
    plug: 'fixture-web',
    services: ['web'],
    entry: 'web',
    body: 'hello from the aims fixture',
    secret: 'APP_SECRET',
    stop: 'web',
  },
  {
    plug: 'fixture-stack',
    services: ['backend', 'front'],
    entry: 'front',
    body: 'front of fixture-stack',
    secret: 'DB_PASSWORD',
    stop: 'backend',
  },
  // A required setting without default: setup.sh stops until it is set, then the app shows it.
  {
    plug: 'fixture-ask',
    services: ['web'],
    entry: 'web',
    body: 'welcome to My Exported Site',
    secret: undefined,
    stop: 'web',
    required: {key: 'SITE_NAME', value: "'My Exported Site'"},
  },
])('the bundle of $plug on the bed', ({plug, services, entry, body, secret, stop, required}) => {
  const project = `exp-e2e-${SUFFIX}-${plug.replace('fixture-', '')}`
  const dir = join(work, plug)

  it('exports, sets up with docker-compose, answers HTTP, stays idempotent, reports failures and tears down to nothing', async () => {
    const exported = await aims(['export', plug, '--out', dir], {home, env: {AIMS_CATALOG_PATH: FIXTURES}})
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toMatch(/Next: cd .* && \.\/setup\.sh/)
    projects.push({project, dir})

    // The test's own project name and a free port, as a user would set them before the first start.
    const port = await freePort()
    writeFileSync(join(dir, '.env'), `COMPOSE_PROJECT_NAME=${project}\nPORT=${port}\n`)
    if (required) {
      const refused = await tool('bash', ['setup.sh'], {cwd: dir, timeoutMs: 60_000})
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(`setup: error: set ${required.key} in .env`)
      expect(await projectObjects(project)).toEqual({containers: [], volumes: [], networks: []})
      const filled = readFileSync(join(dir, '.env'), 'utf8').replace(
        new RegExp(`^${required.key}=$`, 'm'),
        `${required.key}=${required.value}`,
      )
      writeFileSync(join(dir, '.env'), filled)
    }
    const setup = await tool('bash', ['setup.sh'], {cwd: dir, timeoutMs: 110_000})
    expect(setup.code, `${setup.stdout}\n${setup.stderr}`).toBe(0)
    expect(setup.stdout).toMatch(/setup: using (docker compose|docker-compose) /)
    if (secret) expect(setup.stdout).toContain(`setup: generated ${secret} (`)
    const url = /^setup: URL: (\S+)$/m.exec(setup.stdout)?.[1]
    expect(url).toBe(`http://127.0.0.1:${port}/`)

    const page = await httpGet(url!)
    expect(page.status).toBe(200)
    expect(page.body).toContain(body)

    const health = await tool('bash', ['healthcheck.sh'], {cwd: dir})
    expect(health.code, health.stderr).toBe(0)
    expect(health.stdout).toBe(`healthcheck: healthy: ${services.join(' ')}\n`)

    // The containers carry what the compose file says.
    const id = (
      await docker([
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--filter',
        `label=com.docker.compose.service=${entry}`,
      ])
    ).trim()
    const inspected = JSON.parse(await docker(['inspect', id]))[0]
    expect(inspected.HostConfig).toMatchObject({
      Memory: 64 * 1024 ** 2,
      NanoCpus: 250_000_000,
      Init: true,
      RestartPolicy: {Name: 'unless-stopped'},
    })
    expect(inspected.HostConfig.PortBindings['8080/tcp']).toEqual([{HostIp: '127.0.0.1', HostPort: String(port)}])
    expect(inspected.State.Health.Status).toBe('healthy')

    // Again: the secrets and every value stay, nothing is recreated.
    const before = dotenv(dir)
    if (secret) expect(before[secret]).toMatch(/^[A-Za-z0-9]{24,32}$/)
    const again = await tool('bash', ['setup.sh'], {cwd: dir, timeoutMs: 110_000})
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0)
    expect(again.stdout).toContain('setup: keeping the values in .env')
    expect(again.stdout).not.toContain('generated')
    expect(dotenv(dir)).toEqual(before)
    expect(
      (
        await docker([
          'ps',
          '-q',
          '--filter',
          `label=com.docker.compose.project=${project}`,
          '--filter',
          `label=com.docker.compose.service=${entry}`,
        ])
      ).trim(),
    ).toBe(id)

    // A stopped service is named, with a non-zero exit.
    const stopped = await tool('docker-compose', ['stop', stop], {cwd: dir})
    expect(stopped.code, stopped.stderr).toBe(0)
    const failing = await tool('bash', ['healthcheck.sh'], {cwd: dir})
    expect(failing.code).not.toBe(0)
    expect(failing.stderr).toContain(`healthcheck: not healthy: ${stop}: exited`)
    const quiet = await tool('bash', ['healthcheck.sh', '--quiet'], {cwd: dir})
    expect(quiet).toEqual({code: 1, stdout: '', stderr: ''})

    const down = await tool('docker-compose', ['down', '-v'], {cwd: dir})
    expect(down.code, down.stderr).toBe(0)
    expect(await projectObjects(project)).toEqual({containers: [], volumes: [], networks: []})
    const gone = await tool('bash', ['healthcheck.sh'], {cwd: dir})
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain(`healthcheck: not healthy: ${services[0]}: no container (run ./setup.sh)`)
  })
})

describe('the bundle nginx.conf', () => {
  it('serves the app on a domain through the bed nginx, installed as the README says', async () => {
    const dir = join(work, 'nginx-web')
    const project = `exp-e2e-${SUFFIX}-ngx`
    const exported = await aims(['export', 'fixture-web', '--out', dir], {home, env: {AIMS_CATALOG_PATH: FIXTURES}})
    expect(exported.code, exported.stderr).toBe(0)
    projects.push({project, dir})
    const port = await freePort()
    const domain = `exp-${SUFFIX}.export.test`
    writeFileSync(join(dir, '.env'), `COMPOSE_PROJECT_NAME=${project}\nPORT=${port}\nPUBLIC_URL=http://${domain}\n`)
    const setup = await tool('bash', ['setup.sh'], {cwd: dir, timeoutMs: 110_000})
    expect(setup.code, `${setup.stdout}\n${setup.stderr}`).toBe(0)
    expect(setup.stdout).toContain(`setup: public URL: http://${domain}/`)

    // README: sed the placeholder (and the port, which the test changed) into conf.d, add the map, nginx -t, reload.
    const site = `/etc/nginx/conf.d/exp-e2e-${SUFFIX}.conf`
    const map = `/etc/nginx/conf.d/exp-e2e-${SUFFIX}-map.conf`
    nginxFiles.push(site, map)
    writeFileSync(
      site,
      readFileSync(join(dir, 'nginx.conf'), 'utf8')
        .replaceAll('__AIMS_SERVER_NAME__', domain)
        .replaceAll('127.0.0.1:51000', `127.0.0.1:${port}`),
    )
    writeFileSync(map, readFileSync(join(dir, 'nginx-map.conf'), 'utf8'))
    const check = await tool('nginx', ['-t', '-q'], {cwd: dir})
    expect(check.code, check.stderr).toBe(0)
    expect((await tool('nginx', ['-s', 'reload'], {cwd: dir})).code).toBe(0)

    // A reload is asynchronous: until the new workers run, the default site answers (with its own 200).
    const routed = (page: {status: number; body: string}) =>
      page.status === 200 && page.body.includes('hello from the aims fixture')
    let page = {status: 0, body: ''}
    for (let attempt = 0; attempt < 100 && !routed(page); attempt++) {
      page = await httpGet('http://127.0.0.1/', {host: domain}).catch(() => ({status: 0, body: ''}))
      if (!routed(page)) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(page.status).toBe(200)
    expect(page.body).toContain('hello from the aims fixture')

    for (const file of nginxFiles.splice(0)) rmSync(file, {force: true})
    expect((await tool('nginx', ['-s', 'reload'], {cwd: dir})).code).toBe(0)
    const down = await tool('docker-compose', ['down', '-v'], {cwd: dir})
    expect(down.code, down.stderr).toBe(0)
    expect(await projectObjects(project)).toEqual({containers: [], volumes: [], networks: []})
  })
})
