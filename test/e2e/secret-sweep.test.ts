/**
 * A secret-sentinel sweep (issue 10, item 8): a sentinel given through
 * --env, --env-file and an `ask` utterance (the offline parser) never shows
 * in any output stream, --json output, AIMS_TRACE output, audit (local and
 * --remote), or any file aims writes locally (AIMS_HOME, HOME) and on the
 * host (/var/lib/aims, the nginx conf dir). The container's own env holds it:
 * that is where it belongs. An app that prints its secret to its logs has it
 * masked in `plug logs` (text and --json), and an export bundle of the
 * instance never carries it.
 */
import {cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {containerEnv, docker, purgeTenant} from '../support/engine.js'

const TENANT = `hd-sweep-${Math.random().toString(36).slice(2, 6)}`
const SENTINEL = `SNTNL${Math.random().toString(36).slice(2, 10)}X`
const FILE_SENTINEL = `FSNTNL${Math.random().toString(36).slice(2, 10)}X`
const LOG_SENTINEL = `LSNTNL${Math.random().toString(36).slice(2, 10)}X`
// The fixture plugs, and one whose app prints its secret to its logs at start.
const catalog = mkdtempSync(join(tmpdir(), 'aims-hd-sweep-catalog-'))
const env = {AIMS_CATALOG_PATH: catalog}
const LEAKY = `id: hd-leaky
name: Leaky fixture
description: The web fixture, printing its secret to its logs at start.
category: testing
tags: [fixture]
homepage: https://example.com/aims-fixture
license: MIT
tier: free
size: xs
services:
  web:
    image: aims-fixture/web:1
    command: [sh, -c, 'echo "leaky: my secret is $APP_SECRET"; echo "leaky: APP_SECRET=$APP_SECRET"; exec web']
    entry: {port: 8080, protocol: http}
    env:
      APP_SECRET: \${APP_SECRET}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}
env:
  APP_SECRET:
    description: a secret the app prints
    secret: true
    generate: {length: 24, charset: alnum}
health_gate: {retries: 15, interval_seconds: 0.5}
`
let home: string
const outputs: string[] = []
const run = async (args: string[], extra: Record<string, string> = {}) => {
  const result = await aims(args, {home, env: {...env, ...extra}})
  // What aims printed (the command line is the test's own: it holds the sentinel on purpose).
  outputs.push(`${result.stdout}\n${result.stderr}`)
  return result
}

/** Every file under dir (skipping what cannot be read), with its text. */
function filesUnder(dir: string): Array<{path: string; text: string}> {
  const found: Array<{path: string; text: string}> = []
  const walk = (path: string) => {
    let stats
    try {
      stats = statSync(path)
    } catch {
      return
    }
    if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
    else if (stats.isFile() && stats.size < 20 * 1024 * 1024) found.push({path, text: readFileSync(path, 'latin1')})
  }
  walk(dir)
  return found
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  cpSync(join(ROOT, 'test', 'fixtures', 'plugs'), catalog, {recursive: true})
  writeFileSync(join(catalog, 'hd-leaky.yaml'), LEAKY)
  home = await homeWithHost()
}, 60_000)
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('a secret sentinel leaks nowhere', () => {
  it('through --env, --env-file and ask, in outputs, audit, trace and files', async () => {
    const envFile = join(home, 'secrets.env')
    writeFileSync(envFile, `APP_SECRET=${FILE_SENTINEL}\n`)
    const up = await run(
      ['plug', 'up', 'fixture-web', '--name', 'web', '--tenant', TENANT, '--env', `APP_SECRET=${SENTINEL}`, '--yes'],
      {AIMS_TRACE: '1'},
    )
    expect(up.code, up.stderr).toBe(0)
    expect((await containerEnv(`aims-${TENANT}-web-web`)).APP_SECRET).toBe(SENTINEL)
    const upFile = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'web2',
      '--tenant',
      TENANT,
      '--env-file',
      envFile,
      '--yes',
      '--json',
    ])
    expect(upFile.code, upFile.stderr).toBe(0)
    expect((await containerEnv(`aims-${TENANT}-web2-web`)).APP_SECRET).toBe(FILE_SENTINEL)
    const ask = await run(['ask', `deploy fixture-web with APP_SECRET=${SENTINEL}`, '--dry-run', '--json'])
    expect(ask.code, ask.stderr).toBe(0)
    expect(ask.json().argv).toContain('APP_SECRET=***')

    for (const args of [
      ['plug', 'status', `${TENANT}/web`],
      ['plug', 'status', `${TENANT}/web`, '--json'],
      ['plug', 'logs', `${TENANT}/web`],
      ['plug', 'logs', `${TENANT}/web`, '--json'],
      ['ps', '--tenant', TENANT, '--json'],
      ['audit'],
      ['audit', '--json'],
      ['audit', '--remote'],
      ['audit', '--remote', '--json'],
      ['plug', 'scale', `${TENANT}/web`, '--replicas', '2', '--dry-run', '--json'],
    ]) {
      const result = await run(args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
    }
    const down = await run(['plug', 'down', `${TENANT}/web2`, '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)

    const leaks = (text: string) => text.includes(SENTINEL) || text.includes(FILE_SENTINEL)
    expect(outputs.filter(leaks)).toEqual([])
    const files = [
      ...filesUnder(join(home, '.aims')),
      ...filesUnder(join(home, '.config')),
      ...filesUnder(join(home, '.local')),
      ...filesUnder(join(home, '.cache')),
      ...filesUnder('/var/lib/aims'),
      ...filesUnder('/etc/nginx/conf.d/plugs'),
    ].filter((file) => file.path !== envFile)
    expect(files.length).toBeGreaterThan(2)
    expect(files.filter((file) => leaks(file.text)).map((file) => file.path)).toEqual([])
  }, 180_000)

  it('from an app that prints it to its logs: masked in plug logs, absent from an export bundle', async () => {
    const up = await run([
      'plug',
      'up',
      'hd-leaky',
      '--name',
      'leaky',
      '--tenant',
      TENANT,
      '--env',
      `APP_SECRET=${LOG_SENTINEL}`,
      '--yes',
    ])
    expect(up.code, up.stderr).toBe(0)
    // The app did print it: the engine's own log has it (the test's eyes, not aims').
    expect(await docker(['logs', `aims-${TENANT}-leaky-web`])).toContain(`my secret is ${LOG_SENTINEL}`)

    const logs = await run(['plug', 'logs', `${TENANT}/leaky`])
    expect(logs.code, logs.stderr).toBe(0)
    expect(logs.stdout).toMatch(/leaky: my secret is \S+/)
    const logsJson = await run(['plug', 'logs', `${TENANT}/leaky`, '--json'])
    expect(logsJson.code, logsJson.stderr).toBe(0)
    expect(JSON.stringify(logsJson.json())).toMatch(/leaky: my secret is /)

    const out = join(home, 'leaky-bundle')
    const bundle = await run(['export', `${TENANT}/leaky`, '--out', out, '--json'])
    expect(bundle.code, bundle.stderr).toBe(0)
    const written = filesUnder(out)
    expect(written.map((file) => file.path.slice(out.length + 1))).toContain('docker-compose.yml')

    const leaks = (text: string) => text.includes(LOG_SENTINEL)
    expect(outputs.filter(leaks)).toEqual([])
    expect(written.filter((file) => leaks(file.text)).map((file) => file.path)).toEqual([])
    expect((await run(['plug', 'down', `${TENANT}/leaky`, '--yes'])).code).toBe(0)
  }, 120_000)
})
