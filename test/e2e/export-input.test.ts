/**
 * `aims export` input handling through the built binary: the default --out,
 * refusing a non-empty directory unless --force (which keeps the user's
 * .env), unknown plugs with did-you-mean, and bad --out values, all exit 2
 * with nothing written.
 */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const work = mkdtempSync(join(tmpdir(), 'exp-input-'))
const home = tempHome('exp-input-home-')
const env = {AIMS_CATALOG_PATH: FIXTURES}
afterAll(() => {
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

describe('aims export input', () => {
  it('writes ./<plug>-bundle by default, with scripts executable', async () => {
    const cwd = join(work, 'cwd')
    mkdirSync(cwd)
    const result = await aims(['export', 'fixture-web'], {home, env, cwd})
    expect(result.code, result.stderr).toBe(0)
    const dir = join(cwd, 'fixture-web-bundle')
    expect(readdirSync(dir).sort()).toEqual([
      '.env.example',
      'README.md',
      'docker-compose.yml',
      'healthcheck.sh',
      'nginx-map.conf',
      'nginx.conf',
      'setup.sh',
    ])
    expect(statSync(join(dir, 'setup.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(join(dir, 'healthcheck.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(join(dir, '.env.example')).mode & 0o777).toBe(0o644)
    expect(result.stdout).toContain('Next: cd ./fixture-web-bundle && ./setup.sh')
  })

  it('refuses a non-empty directory unless --force, which replaces the bundle files and keeps .env', async () => {
    const dir = join(work, 'forced')
    expect((await aims(['export', 'fixture-web', '--out', dir], {home, env})).code).toBe(0)
    writeFileSync(join(dir, '.env'), 'APP_SECRET=mine\n')
    writeFileSync(join(dir, 'docker-compose.yml'), 'edited by hand\n')

    const refused = await aims(['export', 'fixture-web', '--out', dir], {home, env})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/is not empty \(8 entries\) — pass --force/)
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe('edited by hand\n')

    const forced = await aims(['export', 'fixture-web', '--out', dir, '--force', '--json'], {home, env})
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.json().files).toHaveLength(7)
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toMatch(/^# Fixture web \(fixture-web\)/)
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('APP_SECRET=mine\n')
  })

  it('answers an unknown plug with exit 2 and did-you-mean', async () => {
    const result = await aims(['export', 'fixture-wbe', '--out', join(work, 'unknown')], {home, env})
    expect(result.code).toBe(2)
    // With no host configured, aims also looks at the local engine's instances: the hint may name some of them too.
    expect(result.stderr).toMatch(/no plug (or instance )?named "fixture-wbe".* — did you mean "fixture-web"[ ?]/)
    const json = await aims(['export', 'fixture-wbe', '--out', join(work, 'unknown'), '--json'], {home, env})
    expect(json.code).toBe(2)
    expect(json.json().error).toMatchObject({kind: 'not-found', exitCode: 2})
    expect(json.json().error.details.suggestions[0]).toBe('fixture-web')
    expect(existsSync(join(work, 'unknown'))).toBe(false)
  })

  it.each([
    [['--out', 'two\nlines'], /invalid --out "two\\nlines": it holds a line break or control character/],
    [['--out', ''], /--out is empty/],
    [['--tenant', 'Bad Tenant'], /invalid tenant name/],
  ])('refuses %j with exit 2 and writes nothing', async (flags, message) => {
    const cwd = join(work, `bad-${Math.random().toString(16).slice(2)}`)
    mkdirSync(cwd)
    const result = await aims(['export', 'fixture-web', ...flags], {home, env, cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(readdirSync(cwd)).toEqual([])
  })
})
