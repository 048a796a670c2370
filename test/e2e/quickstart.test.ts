/**
 * `aims quickstart` on the bed, as the README's first command runs it: the hello image is built on this machine
 * (no registry), deployed to `local` through the plan, gates and health gate, served, and `quickstart down`
 * leaves nothing behind: no container, network, volume or image (nor its layers). The bed's dockerd and nginx
 * are used as they are, never started again. The TTY path is driven through tmux.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'
import {aimsObjects, docker, httpGet, purgeTenant} from '../support/engine.js'
import {openTerminal, type Terminal} from '../support/terminal.js'

const TENANT = 'nc-qs-e2e'
const TTY_TENANT = 'nc-qs-tty'
const IMAGE = 'aims-quickstart/hello:1'
let home: string
const terminals: Terminal[] = []
const run = (args: string[]) => aims(args, {home})

const pidOf = (file: string) => readFileSync(file, 'utf8').trim()
const dockerdPid = () => execFileSync('pidof', ['dockerd'], {encoding: 'utf8'}).trim()
const imageIds = async (): Promise<string[]> => {
  const ids = await docker(['history', '-q', IMAGE]).catch(() => '')
  return ids
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '<missing>')
}
const imageExists = (id: string) =>
  docker(['image', 'inspect', id]).then(
    () => true,
    () => false,
  )

async function removeImageIfOurs(): Promise<void> {
  const label = await docker(['image', 'inspect', '-f', '{{index .Config.Labels "aims.quickstart"}}', IMAGE]).catch(
    () => '',
  )
  if (label.trim() === '1') await docker(['rmi', IMAGE]).catch(() => '')
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  await purgeTenant(TTY_TENANT)
  await removeImageIfOurs()
  home = tempHome()
})
afterAll(async () => {
  for (const terminal of terminals) terminal.close()
  await purgeTenant(TENANT)
  await purgeTenant(TTY_TENANT)
  await removeImageIfOurs()
})

describe('aims quickstart', () => {
  it('refuses a bad action and an unconfirmed run without changing anything', async () => {
    const bad = await run(['quickstart', 'sideways'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown quickstart action "sideways".*aims quickstart down/)

    const unconfirmed = await run(['quickstart', '--tenant', TENANT])
    expect(unconfirmed.code).toBe(3)
    expect(unconfirmed.stdout).toMatch(/create\s+image\s+aims-quickstart\/hello:1\s+\(built on this machine/)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    expect(await imageIds()).toEqual([])
  })

  it('builds the image here, deploys to local with the bed dockerd and nginx as they are, and serves the page', async () => {
    const [dockerd, nginx] = [dockerdPid(), pidOf('/run/nginx.pid')]
    const up = await run(['quickstart', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    const result = up.json()
    expect(result).toMatchObject({status: 'ready', instance: `${TENANT}/hello`, plug: 'hello', host: 'local'})
    expect(result.image).toMatchObject({reference: IMAGE, built: true})
    expect(result.image.base).toMatch(/static busybox of this machine/)
    const page = await httpGet(result.localUrl)
    expect(page.status).toBe(200)
    expect(page.body).toMatch(/<h1>Hello from aims — your first plug is running.<\/h1>/)
    expect(page.body).toMatch(/aims quickstart down/)
    expect([dockerdPid(), pidOf('/run/nginx.pid')]).toEqual([dockerd, nginx])

    const ps = await run(['ps', '--tenant', TENANT, '--json', '--host', 'local'])
    expect(ps.code, ps.stderr).toBe(0)
    expect(ps.json().instances).toEqual([
      expect.objectContaining({tenant: TENANT, instance: 'hello', status: 'running', health: 'healthy'}),
    ])

    const again = await run(['quickstart', '--tenant', TENANT, '--yes'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already|taken|exists/i)
  })

  it('prints where it runs and how to take it down; down leaves the machine as before, twice', async () => {
    await purgeTenant(TENANT)
    const up = await run(['quickstart', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    expect(up.stdout).toMatch(new RegExp(`✓ ${TENANT}/hello is running on this machine \\(ready in \\d+\\.\\d s\\)`))
    expect(up.stdout).toMatch(/open it\s+http:\/\/127\.0\.0\.1:\d+\//)
    expect(up.stdout).toMatch(new RegExp(`remove\\s+aims quickstart down --tenant ${TENANT}`))
    const layers = await imageIds()
    expect(layers.length).toBeGreaterThan(0)

    const down = await run(['quickstart', 'down', '--tenant', TENANT, '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.json()).toMatchObject({status: 'applied', image: {outcome: 'removed'}})
    expect(down.json().down.removed.containers).toEqual([`aims-${TENANT}-hello-web`])
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    for (const id of layers) expect(await imageExists(id), id).toBe(false)

    const twice = await run(['quickstart', 'down', '--tenant', TENANT, '--yes'])
    expect(twice.code, twice.stderr).toBe(0)
    expect(twice.stdout).toMatch(/nothing to take down: nc-qs-e2e\/hello is not deployed on local, no image to remove/)
  })

  it('on a terminal: the plan is confirmed with y, down asks for the name', async () => {
    const up = openTerminal(['quickstart', '--tenant', TTY_TENANT], {home})
    terminals.push(up)
    await up.waitFor(/Deploy hello as nc-qs-tty\/hello on local\?/, 30_000)
    up.type('y')
    up.press('Enter')
    expect(await up.exitCode(60_000)).toBe(0)
    expect(up.screen()).toMatch(/nc-qs-tty\/hello is running on this machine/)
    const down = openTerminal(['quickstart', 'down', '--tenant', TTY_TENANT], {home})
    terminals.push(down)
    await down.waitFor(/Type the instance name \(hello\) to confirm/, 30_000)
    down.type('hello')
    down.press('Enter')
    expect(await down.exitCode(60_000)).toBe(0)
    expect(down.screen()).toMatch(/image aims-quickstart\/hello:1 removed/)
    expect(await aimsObjects({'aims.tenant': TTY_TENANT})).toEqual({containers: [], volumes: [], networks: []})
  })
})

describe('scripts/host-setup.sh (what quickstart --install runs)', () => {
  it('--check on the bed finds dockerd and nginx running and would change nothing', () => {
    const [dockerd, nginx] = [dockerdPid(), pidOf('/run/nginx.pid')]
    const out = execFileSync('bash', [join(ROOT, 'scripts', 'host-setup.sh'), '--check'], {encoding: 'utf8'})
    expect(out).toMatch(/dockerd: answering on \/var\/run\/docker.sock \(used as it is\)/)
    expect(out).toMatch(new RegExp(`nginx: running, pid ${nginx} \\(used as it is\\)`))
    expect(out).toMatch(/ready: nothing to do/)
    expect([dockerdPid(), pidOf('/run/nginx.pid')]).toEqual([dockerd, nginx])
  })

  it('a real run on the bed installs nothing and starts nothing (the parts are up)', () => {
    const [dockerd, nginx] = [dockerdPid(), pidOf('/run/nginx.pid')]
    const out = execFileSync('bash', [join(ROOT, 'scripts', 'host-setup.sh')], {encoding: 'utf8'})
    expect(out).not.toMatch(/installing|starting|systemctl/)
    expect(out).toMatch(/ready: dockerd/)
    expect([dockerdPid(), pidOf('/run/nginx.pid')]).toEqual([dockerd, nginx])
  })
})
