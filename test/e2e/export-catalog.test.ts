/**
 * Every plug of the real catalog (and every fixture) exports, through the
 * built binary, a bundle whose compose file docker-compose 1.29 accepts
 * (`config -q`, with .env.example as the env file and no "variable is not
 * set" warning), whose scripts pass shellcheck, and whose nginx.conf (with
 * the map it needs) passes `nginx -t` once the domain placeholder is filled.
 * Nothing runs: this checks the files, on the tools a client would use.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'

const run = promisify(execFile)
const CATALOG = join(ROOT, 'plugs-catalog')
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const ids = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''))
    .sort()
const REAL = ids(CATALOG)
const work = mkdtempSync(join(tmpdir(), 'exp-catalog-'))
const home = tempHome('exp-catalog-home-')
afterAll(() => {
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

/** Exit code, stdout and stderr of a tool, without throwing on a non-zero exit. */
async function tool(
  command: string,
  args: string[],
  cwd: string,
): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await run(command, args, {
      cwd,
      maxBuffer: 8 * 1024 * 1024,
      env: {...process.env, NO_COLOR: '1'},
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

/** nginx -t on the bundle's nginx.conf (domain filled in) and its map, inside a throwaway main config. */
async function nginxTest(bundle: string): Promise<{code: number; stderr: string}> {
  const dir = mkdtempSync(join(work, 'nginx-'))
  writeFileSync(
    join(dir, 'site.conf'),
    readFileSync(join(bundle, 'nginx.conf'), 'utf8').replaceAll('__AIMS_SERVER_NAME__', 'app.example.com'),
  )
  const map = join(bundle, 'nginx-map.conf')
  writeFileSync(
    join(dir, 'main.conf'),
    [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events {}',
      'http {',
      `    access_log off;`,
      ...(existsSync(map) ? [`    include ${map};`] : []),
      `    include ${dir}/site.conf;`,
      '}',
      '',
    ].join('\n'),
  )
  const result = await tool('nginx', ['-t', '-q', '-c', join(dir, 'main.conf'), '-p', `${dir}/`], dir)
  return {code: result.code, stderr: result.stderr}
}

describe.each([...REAL.map((id) => [id, CATALOG] as const), ...ids(FIXTURES).map((id) => [id, FIXTURES] as const)])(
  'the exported bundle of %s',
  (id, dir) => {
    it('validates with docker-compose config, passes shellcheck and nginx -t', async () => {
      const out = join(work, id)
      const exported = await aims(['export', id, '--out', out, '--json'], {
        home,
        env: dir === FIXTURES ? {AIMS_CATALOG_PATH: FIXTURES} : {},
      })
      expect(exported.code, exported.stderr).toBe(0)
      const result = exported.json()
      expect(result.dir).toBe(out)
      for (const file of result.files as Array<{path: string; mode: string}>)
        expect((statSync(join(out, file.path)).mode & 0o777).toString(8), file.path).toBe(file.mode.slice(1))

      const config = await tool(
        'docker-compose',
        ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '-q'],
        out,
      )
      expect(config.code, config.stderr).toBe(0)
      // Every variable the compose file references is in .env.example.
      expect(config.stderr).not.toMatch(/variable is not set/)

      const shellcheck = await tool('shellcheck', ['--shell=bash', 'setup.sh', 'healthcheck.sh'], out)
      expect(shellcheck.code, shellcheck.stdout).toBe(0)
      const syntax = await tool('bash', ['-n', 'setup.sh'], out)
      expect(syntax.code, syntax.stderr).toBe(0)

      if (result.protocol === 'http') {
        const nginx = await nginxTest(out)
        expect(nginx.code, nginx.stderr).toBe(0)
      } else {
        expect(existsSync(join(out, 'nginx.conf'))).toBe(false)
      }
    })
  },
)

it('covers the whole real catalog', () => {
  expect(REAL).toHaveLength(16)
})
