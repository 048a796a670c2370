/**
 * Exporting a live instance over SSH: fixture-web deployed on the bed with a
 * sentinel secret (a declared one, APP_SECRET, and an undeclared one given
 * with --env), exported by TENANT/NAME and by NAME --tenant. The sentinels
 * appear in no file of the bundle, nor in aims' output; the non-secret
 * setting (GREETING) does, and the bundle runs with it.
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, httpGet, purgeTenant} from '../support/engine.js'

const run = promisify(execFile)
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const SUFFIX = randomBytes(3).toString('hex')
const TENANT = `exp-${SUFFIX}`
const INSTANCE = 'shop'
const SENTINEL = `SENTINEL${randomBytes(8).toString('hex')}`
const PARTNER_SENTINEL = `PARTNER${randomBytes(8).toString('hex')}`
const GREETING = `greetings from the exported shop ${SUFFIX}`
const work = mkdtempSync(join(tmpdir(), 'exp-instance-'))
let home: string
let instancePort: number
const env = {AIMS_CATALOG_PATH: FIXTURES}

async function tool(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await run(command, args, {cwd, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024})
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

/** Every file under a directory, with its text. */
function filesIn(dir: string): Array<{path: string; text: string}> {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return {path, text: readFileSync(path, 'utf8')}
    })
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const up = await aims(
    [
      'plug',
      'up',
      'fixture-web',
      '--tenant',
      TENANT,
      '--name',
      INSTANCE,
      '--env',
      `APP_SECRET=${SENTINEL}`,
      '--env',
      `GREETING=${GREETING}`,
      '--env',
      `PARTNER_TOKEN=${PARTNER_SENTINEL}`,
      '--yes',
      '--json',
    ],
    {home, env},
  )
  if (up.code !== 0) throw new Error(`plug up failed (${up.code}): ${up.stderr}`)
  instancePort = up.json().port
})

afterAll(async () => {
  await aims(['plug', 'down', `${TENANT}/${INSTANCE}`, '--yes'], {home, env})
  await purgeTenant(TENANT)
  rmSync(work, {recursive: true, force: true})
})

describe('aims export INSTANCE', () => {
  it('carries the non-secret settings and no secret value, in any file or output', async () => {
    const dir = join(work, 'by-ref')
    const exported = await aims(['export', `${TENANT}/${INSTANCE}`, '--out', dir, '--json'], {home, env})
    expect(exported.code, exported.stderr).toBe(0)
    const result = exported.json()
    expect(result).toMatchObject({
      kind: 'instance',
      plug: 'fixture-web',
      instance: `${TENANT}/${INSTANCE}`,
      host: 'vps',
      port: instancePort,
      projectName: `${TENANT}-${INSTANCE}`,
    })
    expect(result.variables.settings).toEqual(['GREETING'])
    expect(result.variables.secrets).toEqual(['APP_SECRET', 'PARTNER_TOKEN'])

    const files = filesIn(dir)
    expect(files.map((file) => file.path.slice(dir.length + 1)).sort()).toEqual([
      '.env.example',
      'README.md',
      'docker-compose.yml',
      'healthcheck.sh',
      'nginx-map.conf',
      'nginx.conf',
      'setup.sh',
    ])
    for (const file of files) {
      expect(file.text, file.path).not.toContain(SENTINEL)
      expect(file.text, file.path).not.toContain(PARTNER_SENTINEL)
    }
    for (const output of [exported.stdout, exported.stderr]) {
      expect(output).not.toContain(SENTINEL)
      expect(output).not.toContain(PARTNER_SENTINEL)
    }
    const envExample = readFileSync(join(dir, '.env.example'), 'utf8')
    expect(envExample).toMatch(new RegExp(`^GREETING='${GREETING}'$`, 'm'))
    expect(envExample).toMatch(/^APP_SECRET=$/m)
    expect(envExample).toMatch(/^PARTNER_TOKEN=$/m)
    expect(envExample).toMatch(new RegExp(`^PORT=${instancePort}$`, 'm'))
    expect(readFileSync(join(dir, 'nginx.conf'), 'utf8')).toContain(`server 127.0.0.1:${instancePort};`)
  })

  it('exports by NAME --tenant too (human output), and the bundle runs with the instance settings and fresh secrets', async () => {
    const dir = join(work, 'by-name')
    const exported = await aims(['export', INSTANCE, '--tenant', TENANT, '--out', dir], {home, env})
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toContain(`Exported instance ${TENANT}/${INSTANCE} (plug fixture-web) from vps`)
    expect(exported.stdout).toContain('secret values were not exported')
    expect(exported.stdout + exported.stderr).not.toContain(SENTINEL)

    // The aims instance holds its own port: the copy gets a free one.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    writeFileSync(join(dir, '.env'), `PORT=${port}\n`)
    try {
      const setup = await tool('bash', ['setup.sh'], dir, 110_000)
      expect(setup.code, `${setup.stdout}\n${setup.stderr}`).toBe(0)
      const page = await httpGet(`http://127.0.0.1:${port}/`)
      expect(page.status).toBe(200)
      expect(page.body).toContain(GREETING)
      const dotenv = readFileSync(join(dir, '.env'), 'utf8')
      expect(dotenv).toMatch(/^APP_SECRET=[A-Za-z0-9]{24}$/m)
      expect(dotenv).not.toContain(SENTINEL)
    } finally {
      const down = await tool('docker-compose', ['down', '-v'], dir)
      expect(down.code, down.stderr).toBe(0)
    }
    const left = await docker(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${TENANT}-${INSTANCE}`])
    expect(left.trim()).toBe('')
  })

  it('answers an unknown instance with exit 2 and did-you-mean', async () => {
    const exported = await aims(['export', `${TENANT}/shoq`, '--out', join(work, 'nope')], {home, env})
    expect(exported.code).toBe(2)
    expect(exported.stderr).toContain(`no instance ${TENANT}/shoq on vps — did you mean "${TENANT}/${INSTANCE}"?`)
  })
})
