/**
 * aims build from a git repository (served by a git daemon on loopback, cloned on this machine) and
 * from a description (offline: a template filled from the facts given, verified to show them).
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {appDir, NODE_APP} from '../support/apps.js'
import {aimsObjects, httpGet, purgeTenant} from '../support/engine.js'

const TENANT = 'bd-describe'
let home: string
let daemon: ChildProcess | undefined
let gitPort = 0
let repos: string
const run = (args: string[], env: Record<string, string> = {}) => aims(args, {home, env, timeoutMs: 170_000})

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })

function gitRepo(files: Record<string, string>, name: string): void {
  const work = appDir(files, 'aims-gitwork-')
  const git = (args: string[], cwd = work) =>
    execFileSync('git', ['-c', 'user.email=bed@aims.test', '-c', 'user.name=bed', ...args], {cwd, stdio: 'pipe'})
  git(['init', '-q', '-b', 'main'])
  git(['add', '-A'])
  git(['commit', '-qm', 'first'])
  git(['clone', '-q', '--bare', work, join(repos, `${name}.git`)], repos)
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  repos = mkdtempSync(join(tmpdir(), 'aims-repos-'))
  gitRepo(NODE_APP, 'shop')
  gitPort = await freePort()
  daemon = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', `--base-path=${repos}`, '--listen=127.0.0.1', `--port=${gitPort}`, repos],
    {stdio: 'ignore'},
  )
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync('git', ['ls-remote', `git://127.0.0.1:${gitPort}/shop.git`], {stdio: 'pipe'})
      break
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
})
afterAll(async () => {
  daemon?.kill()
  await purgeTenant(TENANT)
  rmSync(repos, {recursive: true, force: true})
})

describe('aims build GIT_URL', () => {
  it('clones a repository from a git daemon on this machine, builds it on the host and deploys it', async () => {
    const clonesBefore = readdirSync(tmpdir()).filter((name) => name.startsWith('aims-git-')).length
    const built = await run(['build', `git://127.0.0.1:${gitPort}/shop.git`, '--tenant', TENANT, '--yes', '--json'])
    expect(built.code, built.stderr).toBe(0)
    const result = built.json()
    expect(result).toMatchObject({status: 'ready', instance: `${TENANT}/shop`, stack: 'node'})
    expect(result.source).toMatchObject({kind: 'git', from: `git://127.0.0.1:${gitPort}/shop.git`})
    expect(result.source.commit).toMatch(/^[0-9a-f]{40}$/)
    expect((await httpGet(result.deploy.localUrl)).body).toContain('node shop v1')
    // The temporary clone is gone.
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('aims-git-')).length).toBe(clonesBefore)
  }, 170_000)

  it('a branch that does not exist is refused with git’s reason (exit 2), nothing built', async () => {
    const built = await run([
      'build',
      `git://127.0.0.1:${gitPort}/shop.git#nope`,
      '--name',
      'nobranch',
      '--tenant',
      TENANT,
      '--yes',
    ])
    expect(built.code).toBe(2)
    expect(built.stderr).toMatch(/git clone failed: .*nope/)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'nobranch'})).containers).toEqual([])
  })
})

describe('aims build "a description" (offline)', () => {
  it('a bakery landing page: the page answers 200 and shows the name and the hours', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aims-out-')), 'crumb')
    const built = await run([
      'build',
      'a landing page for a bakery called Crumb, open 8-18, with a contact form',
      '--tenant',
      TENANT,
      '--out',
      out,
      '--yes',
      '--json',
    ])
    expect(built.code, built.stderr).toBe(0)
    const result = built.json()
    expect(result).toMatchObject({
      status: 'ready',
      instance: `${TENANT}/crumb`,
      stack: 'static',
      generated: ['index.html'],
    })
    expect(result.verify).toEqual(
      expect.arrayContaining([{check: 'content', ok: true, detail: 'the page shows "Crumb", "8-18"'}]),
    )
    const page = await httpGet(result.deploy.localUrl)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<h1>Crumb</h1>')
    expect(page.body).toContain('Open 8-18')
    expect(page.body).toContain('<form')
    // --out keeps the files, so the user can edit them and build the directory again.
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(page.body)
  }, 170_000)

  it.each([
    ['node', 'a small JSON API for my todo list called Tasky', 'server.js'],
    ['python', 'a python app for our bookshop called Pages, open 9-17', 'app.py'],
  ])(
    'a %s app from a description is built, tested and deployed',
    async (stack, description, file) => {
      const built = await run(['build', description, '--tenant', TENANT, '--yes', '--json'])
      expect(built.code, built.stderr).toBe(0)
      const result = built.json()
      expect(result.stack).toBe(stack)
      expect(result.generated).toContain(file)
      const info = await httpGet(`${result.deploy.localUrl}api/info`)
      expect(info.status).toBe(200)
      expect(JSON.parse(info.body).name).toBe(stack === 'node' ? 'Tasky' : 'Pages')
    },
    170_000,
  )

  it('description text is escaped into the page, never markup', async () => {
    const built = await run([
      'build',
      'a page for my shop called <script>alert(1)</script> with prices',
      '--name',
      'xss',
      '--tenant',
      TENANT,
      '--yes',
      '--json',
    ])
    expect(built.code, built.stderr).toBe(0)
    const page = await httpGet(built.json().deploy.localUrl)
    expect(page.body).not.toContain('<script>')
    expect(page.body).toContain('&#60;script&#62;')
  }, 170_000)
})
