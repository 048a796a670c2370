/**
 * aims build on the bed: app directories of every stack built on the bed's engine over SSH (the
 * base images pull through the bed's registry mirror), verified, deployed as plug instances and
 * served; a broken app fails verification with nothing deployed; bad sources are refused.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {appDir, BROKEN_APP, DOCKERFILE_APP, NODE_APP, PYTHON_APP, STATIC_APP} from '../support/apps.js'
import {aimsObjects, docker, httpGet, purgeTenant} from '../support/engine.js'

const TENANT = 'bd-build'
let home: string
const run = (args: string[], env: Record<string, string> = {}) => aims(args, {home, env, timeoutMs: 170_000})

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('aims build DIR', () => {
  it.each([
    ['node', NODE_APP, 'node shop v1', 'package.json'],
    ['python', PYTHON_APP, 'python app v1', 'requirements.txt'],
    ['static', STATIC_APP, 'static site v1', 'index.html'],
    ['dockerfile', DOCKERFILE_APP, 'dockerfile app v1', 'Dockerfile'],
  ])(
    'a %s directory is built on the host, verified, deployed and served',
    async (stack, files, answer, reason) => {
      const dir = appDir(files)
      const name = `app-${stack}`
      const built = await run(['build', dir, '--name', name, '--tenant', TENANT, '--yes', '--json'])
      expect(built.code, built.stderr).toBe(0)
      const result = built.json()
      expect(result).toMatchObject({status: 'ready', instance: `${TENANT}/${name}`, stack})
      expect(result.plan.facts.find((fact: {label: string}) => fact.label === 'stack').value).toContain(reason)
      expect(result.verify.map((check: {check: string; ok: boolean}) => [check.check, check.ok])).toEqual(
        expect.arrayContaining([
          ['build', true],
          ['start', true],
          ['health', true],
        ]),
      )
      const page = await httpGet(result.deploy.localUrl)
      expect(page.status).toBe(200)
      expect(page.body).toContain(answer)
      // The instance is a plug like any other: labels, ls, and its catalog entry in the user's catalog.
      const ls = (await run(['plug', 'ls', '--tenant', TENANT, '--json'])).json()
      expect(ls.instances.find((row: {instance: string}) => row.instance === name)).toMatchObject({
        plug: name,
        status: 'running',
        health: 'healthy',
      })
      expect(readFileSync(result.plugFile, 'utf8')).toContain(`image: ${result.image}`)
      const validate = await run(['catalog', 'validate', join(home, '.aims', 'plugs')])
      expect(validate.code, validate.stdout + validate.stderr).toBe(0)
      expect(
        await docker(['image', 'inspect', '--format', '{{index .Config.Labels "aims.build-source"}}', result.image]),
      ).toMatch(/^dir/)
      if (stack === 'static') {
        // .dockerignore is honoured: the ignored file never reached the image.
        expect((await httpGet(`${result.deploy.localUrl}notes/private.txt`)).status).toBe(404)
        expect(result.context.ignored).toBeGreaterThanOrEqual(1)
      }
      const down = await run(['plug', 'down', `${TENANT}/${name}`, '--yes'])
      expect(down.code, down.stderr).toBe(0)
    },
    170_000,
  )

  it('a rebuild after a one-line change reuses the cache and replaces the running instance', async () => {
    const dir = appDir(NODE_APP)
    const first = await run(['build', dir, '--name', 'rebuilt', '--tenant', TENANT, '--yes', '--json'])
    expect(first.code, first.stderr).toBe(0)
    writeFileSync(join(dir, 'server.js'), readFileSync(join(dir, 'server.js'), 'utf8').replace('v1', 'v2'))
    const second = await run(['build', dir, '--name', 'rebuilt', '--tenant', TENANT, '--yes', '--json'])
    expect(second.code, second.stderr).toBe(0)
    const again = second.json()
    expect(again.image).not.toBe(first.json().image)
    expect(again.build.cachedSteps).toBeGreaterThanOrEqual(2)
    expect(again.plan.changes.some((change: {action: string; kind: string}) => change.action === 'remove')).toBe(true)
    expect((await httpGet(again.deploy.localUrl)).body).toContain('node shop v2')
    const containers = await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'rebuilt'})
    expect(containers.containers).toEqual([`aims-${TENANT}-rebuilt-app`])
    await run(['plug', 'down', `${TENANT}/rebuilt`, '--yes'])
  }, 170_000)

  it('a broken app fails verification: exit 4, its log shown, nothing deployed', async () => {
    const dir = appDir(BROKEN_APP)
    const built = await run(['build', dir, '--name', 'broken', '--tenant', TENANT, '--yes'])
    expect(built.code, built.stderr).toBe(4)
    expect(built.stderr).toMatch(/failed verification \(start\)/)
    expect(built.stderr).toMatch(/nothing was deployed/)
    expect(built.stderr).toMatch(/FATAL: DATABASE_URL is not set/)
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'broken'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
    expect(
      (await docker(['ps', '-a', '--filter', 'label=aims.build-verify', '--format', '{{.Names}}'])).split('\n'),
    ).not.toContain(expect.stringContaining(`${TENANT}-broken`))
    expect(existsSync(join(home, '.aims', 'plugs', 'broken.yaml'))).toBe(false)
  }, 170_000)

  it('a failing build step fails with the build output: exit 4, nothing deployed', async () => {
    const dir = appDir({Dockerfile: 'FROM debian:bookworm-slim\nRUN echo compiling && exit 7\n'})
    const built = await run(['build', dir, '--name', 'nocompile', '--tenant', TENANT, '--yes'])
    expect(built.code, built.stderr).toBe(4)
    expect(built.stderr).toMatch(/the image build failed/)
    expect(built.stderr).toMatch(/compiling/)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'nocompile'})).containers).toEqual([])
  }, 170_000)
})

describe('bad sources are refused before anything is sent (exit 2)', () => {
  it('a missing directory, the home directory, an unknown stack', async () => {
    const missing = await run(['build', '/nonexistent/app', '--tenant', TENANT, '--yes'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such directory/)
    const whole = await aims(['build', home, '--tenant', TENANT, '--yes'], {home})
    expect(whole.code).toBe(2)
    expect(whole.stderr).toMatch(/refusing to send your home directory/)
    const unknown = await run(['build', appDir({'README.md': '# hi\n'}), '--tenant', TENANT, '--yes'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/cannot tell what this directory is/)
  })

  it('a context over the size limit', async () => {
    const dir = appDir({...STATIC_APP, 'big.bin': 'x'.repeat(64 * 1024)})
    const big = await run(['build', dir, '--tenant', TENANT, '--yes'], {AIMS_BUILD_CONTEXT_LIMIT: String(32 * 1024)})
    expect(big.code).toBe(2)
    expect(big.stderr).toMatch(/holds more than 32 KiB to send .*\.dockerignore/)
  })

  it('a private key in the context fails the secrets gate, and is not named by its content', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
    const dir = appDir({...STATIC_APP, 'deploy/key.txt': key})
    const refused = await run(['build', dir, '--name', 'leaky', '--tenant', TENANT, '--yes'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/deploy\/key\.txt \(a private key\)/)
    expect(refused.stdout + refused.stderr).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA')
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'leaky'})).containers).toEqual([])
  })

  it('--dry-run shows the plan and builds nothing; no --yes without a TTY is exit 3', async () => {
    const dir = appDir(NODE_APP)
    const dry = await run(['build', dir, '--name', 'dry', '--tenant', TENANT, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.json()).toMatchObject({status: 'dry-run', stack: 'node'})
    const image = dry.json().image
    await expect(docker(['image', 'inspect', image])).rejects.toThrow()
    const refused = await run(['build', dir, '--name', 'dry', '--tenant', TENANT])
    expect(refused.code).toBe(3)
    await expect(docker(['image', 'inspect', image])).rejects.toThrow()
  })
})
