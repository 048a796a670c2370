/**
 * No argument of aims is ever read by Node (issue 10, item 1). Node reads
 * `--env-file` anywhere on its own command line, even after the script
 * (nodejs/node#54232): `aims plug up x --env-file f` handed to `node run.js`
 * made Node load f first, so a NODE_OPTIONS=--require line in it ran code
 * before aims started, a missing file exited 9 with Node's message and
 * /dev/zero aborted the process (134). Every way aims is started is tried
 * here: bin/aims from a checkout, the package installed with `npm i -g` (its
 * "bin" link, as the shell runs it) under each Node at hand, and `npx aims`.
 * Each must reach aims' own --env-file handling.
 *
 * Nodes tried: the project's (.tools, Node 22), the machine's `node` when it
 * is another version, and any listed in AIMS_TEST_NODES (colon-separated
 * paths to node binaries).
 */
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aimsEnv, ROOT, tempHome} from '../support/aims.js'

const work = mkdtempSync(join(tmpdir(), 'aims-entry-'))
const marker = join(work, 'evil-ran')
const evil = join(work, 'evil.cjs')
const evilEnv = join(work, 'evil.env')
const prefix = join(work, 'global')
const fixtures = join(ROOT, 'test', 'fixtures', 'plugs')

const projectNode = join(ROOT, '.tools', 'node_modules', '.bin', 'node')
function nodesToTry(): string[] {
  const found = [existsSync(projectNode) ? projectNode : process.execPath]
  const machine = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path))
  if (machine) found.push(machine)
  for (const path of (process.env.AIMS_TEST_NODES ?? '').split(':').filter(Boolean)) found.push(path)
  const byVersion = new Map<string, string>()
  for (const path of found) {
    const version = execFileSync(path, ['--version'], {encoding: 'utf8'}).trim()
    if (!byVersion.has(version)) byVersion.set(version, path)
  }
  return [...byVersion.entries()].map(([version, path]) => `${version}=${path}`)
}
const nodes = nodesToTry()

beforeAll(() => {
  writeFileSync(
    evil,
    `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'evil.cjs ran inside ' + process.argv.join(' '))\n`,
  )
  writeFileSync(evilEnv, `NODE_OPTIONS=--require ${evil}\n`)
  // The package as a user gets it: packed, then installed globally into a prefix of our own.
  const tarball = execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim()
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      join(work, tarball),
    ],
    {cwd: work, stdio: ['ignore', 'ignore', 'pipe']},
  )
}, 300_000)
afterAll(() => rmSync(work, {recursive: true, force: true}))

interface Run {
  code: number
  stdout: string
  stderr: string
}

function run(
  command: string,
  args: string[],
  options: {path?: string; env?: Record<string, string>; cwd?: string} = {},
) {
  const home = tempHome('aims-entry-home-')
  const env = aimsEnv({home, env: {AIMS_CATALOG_PATH: fixtures, ...options.env}})
  if (options.path) env.PATH = options.path
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd ?? work, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      rmSync(home, {recursive: true, force: true})
      resolve({code: code ?? (signal ? 128 : -1), stdout, stderr})
    })
  })
}

/** PATH with this node first (what `#!/usr/bin/env node` and the wrapper find), then the usual tools. */
const pathWith = (node: string) => `${dirname(node)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`

/** Node older than aims' engines (>= 22.12.0): aims says so and stops, before reading any argument. */
const tooOld = (version: string) => {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  return major < 22 || (major === 22 && minor < 12)
}
type Entry = {name: string; old?: boolean; start: (args: string[]) => Promise<Run>}
const entries = (): Entry[] => [
  {name: 'bin/aims (checkout)', start: (args) => run(join(ROOT, 'bin', 'aims'), args)},
  ...nodes.map((item) => {
    const [version, node] = item.split('=') as [string, string]
    return {
      name: `npm i -g, aims on PATH, ${version}`,
      old: tooOld(version),
      start: (args: string[]) =>
        run(join(prefix, 'bin', 'aims'), args, {path: `${join(prefix, 'bin')}:${pathWith(node)}`}),
    }
  }),
  {
    // npx is itself a Node program: Node reads --env-file from npx's own command line unless a `--`
    // comes first (Node >= 22.7 stops there), whatever the package. So the documented form is `npx -- aims …`.
    name: 'npx -- aims (global prefix)',
    start: (args) =>
      run('npx', ['--no-install', '--', 'aims', ...args], {
        path: `${join(prefix, 'bin')}:${pathWith(realpathSync(projectNode))}:${process.env.PATH}`,
        env: {npm_config_prefix: prefix, npm_config_update_notifier: 'false'},
        cwd: mkdtempSync(join(work, 'npx-')),
      }),
  },
]

const plugUp = (envFile: string) => ['plug', 'up', 'fixture-web', '--env-file', envFile, '--dry-run', '--json']

/** Under a Node that is too old the answer is the one refusal: nothing of the command line was read. */
function refused(result: Run) {
  const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
  expect(result.code, context).toBe(1)
  expect(result.stderr, context).toMatch(/^aims needs Node 22\.12\.0 or newer; this is Node v\d+/)
  expect(result.stderr, context).not.toMatch(/^node:|Node\.js v\d|Aborted|core dumped/m)
  expect(existsSync(marker), context).toBe(false)
}

describe.each(entries())('$name', ({start, old}) => {
  it("an env file with NODE_OPTIONS=--require runs nothing: aims reads it as the plug's variables", async () => {
    rmSync(marker, {force: true})
    if (old) return refused(await start(plugUp(evilEnv)))
    for (const args of [
      plugUp(evilEnv),
      ['plug', 'up', 'fixture-web', `--env-file=${evilEnv}`, '--dry-run', '--json'],
    ]) {
      const result = await start(args)
      const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
      expect(existsSync(marker), context).toBe(false)
      // aims' own handling: the file is read as KEY=VALUE lines and NODE_OPTIONS is not a variable of the plug.
      expect([0, 2], context).toContain(result.code)
      expect(result.stderr, context).not.toMatch(/^node:|Node\.js v\d|Aborted|core dumped/m)
      const output = JSON.parse(result.stdout)
      if (result.code === 0) expect(output.status).toBe('dry-run')
      else expect(output.error.message, context).toMatch(/NODE_OPTIONS/)
    }
  })

  it("a missing env file is aims' usage error (exit 2), not Node's exit 9", async () => {
    const result = await start(plugUp(join(work, 'no-such.env')))
    if (old) return refused(result)
    expect(result.code, result.stderr).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--env-file .*no-such\.env/)
    expect(result.stderr).not.toMatch(/^node:/m)
  })

  it('/dev/zero is refused by aims (exit 2), not read until Node aborts', async () => {
    const result = await start(plugUp('/dev/zero'))
    if (old) return refused(result)
    expect(result.code, result.stderr).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--env-file "\/dev\/zero" is a character device/)
  })
})

describe('the entry points themselves', () => {
  it('npm links bin/aims (not run.js), and the node process it starts carries no aims argument', async () => {
    expect(realpathSync(join(prefix, 'bin', 'aims'))).toBe(
      realpathSync(join(prefix, 'lib', 'node_modules', 'aims', 'bin', 'aims')),
    )
    // A command that keeps running: read its process's own command line from /proc.
    const home = tempHome('aims-entry-home-')
    const child = spawn(join(prefix, 'bin', 'aims'), ['events', '--follow', '--json'], {
      env: aimsEnv({home}),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
        } catch {
          return []
        }
      })()
      expect(cmdline.length).toBe(2)
      expect(cmdline[1]).toMatch(/bin\/run\.js$/)
    } finally {
      child.kill('SIGKILL')
      rmSync(home, {recursive: true, force: true})
    }
  })
})
