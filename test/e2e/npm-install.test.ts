/**
 * The package as users get it: `npm pack`, `npm i -g` of the tarball into a fresh prefix, and the installed
 * `aims` run from that prefix's bin (Node 22 from scripts/node22.sh): version, -v, plug ls --json on the local
 * engine. On an older Node (this machine's /usr/bin/node is 20) it says once that Node 22.12+ is needed.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT, tempHome} from '../support/aims.js'

const work = mkdtempSync(join(tmpdir(), 'aims-npm-'))
const prefix = join(work, 'prefix')
const installed = join(prefix, 'bin', 'aims')
const home = tempHome()
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
const node22 = dirname(process.execPath)

function run(args: string[], path = `${node22}:${process.env.PATH}`): {code: number; stdout: string; stderr: string} {
  try {
    const stdout = execFileSync(installed, args, {
      encoding: 'utf8',
      env: {PATH: path, HOME: home, AIMS_HOME: join(home, '.aims'), NO_COLOR: '1', CI: 'true'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return {code: 0, stdout, stderr: ''}
  } catch (error) {
    const failed = error as {status: number; stdout: string; stderr: string}
    return {code: failed.status, stdout: failed.stdout, stderr: failed.stderr}
  }
}

beforeAll(() => {
  const npm = (args: string[]) =>
    execFileSync('npm', args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: {...process.env, PATH: `${node22}:${process.env.PATH}`},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  const tarball = npm(['pack', '--silent', '--pack-destination', work]).trim().split('\n').at(-1)!
  npm(['i', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)])
}, 300_000)

describe('npm i -g of the packed tarball', () => {
  it('links an aims that knows its version three ways', () => {
    expect(existsSync(installed)).toBe(true)
    const expected = new RegExp(`^aims/${version.replace(/\./g, '\\.')} linux-x64 node-v22\\.\\d+\\.\\d+\\n$`)
    for (const args of [['--version'], ['-v'], ['version']]) {
      const result = run(args)
      expect(result.code, `${args}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toMatch(expected)
    }
    expect(JSON.parse(run(['version', '--json']).stdout)).toMatchObject({version, platform: 'linux-x64'})
  })

  it('runs plug ls --json against the local engine, and ships the quickstart plug and host-setup script', () => {
    const result = run(['plug', 'ls', '--json', '--host', 'local'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({host: 'local', instances: expect.any(Array)})
    const root = join(prefix, 'lib', 'node_modules', 'aims')
    expect(existsSync(join(root, 'templates', 'quickstart', 'hello.yaml'))).toBe(true)
    expect(existsSync(join(root, 'scripts', 'host-setup.sh'))).toBe(true)
    const dryRun = run(['quickstart', '--tenant', 'nc-npm', '--dry-run'])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    expect(dryRun.stdout).toMatch(/Deploy hello as nc-npm\/hello on local/)
  })

  it('on Node 20 says once that Node 22.12+ is needed, as package.json engines does', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}}).engines
      .node
    expect(engines).toBe('>=22.12.0')
    const old = execFileSync('/usr/bin/node', ['--version'], {encoding: 'utf8'}).trim()
    expect(old).toMatch(/^v(1\d|20|21|22\.([0-9]|1[01]))\./)
    const result = run(['plug', 'ls'], '/usr/bin:/bin')
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `aims needs Node 22.12.0 or newer; this is Node ${old}.\n` +
        'Install Node 22 LTS (https://nodejs.org, or your package manager), then run aims again.\n',
    )
  })
})
