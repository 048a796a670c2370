/**
 * Ctrl-C, SIGTERM and a closed output pipe during `plug up` (issue 10, item 4), on the bed: the real binary
 * is signalled at its pull, create and health-wait steps (when that step's progress line shows on stderr).
 * Each run rolls back what it created and exits 1 with a message saying so: afterwards the instance has no
 * container, volume, network, nginx conf or journal. A second Ctrl-C during the rollback exits at once and
 * says that `aims plug down` removes the rest; the next command reports it and plug down leaves nothing.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT, spawnAims} from '../support/aims.js'
import {aimsObjects, docker, purgeTenant} from '../support/engine.js'
import {bedRegistries} from '../support/registry.js'

const TENANT = `hd-sig-${Math.random().toString(36).slice(2, 6)}`
const NODE_INTERNAL = /unsettled top-level await|node:internal|Warning: Detected|^\s+at .+:\d+:\d+\)?$/m
const catalog = mkdtempSync(join(tmpdir(), 'aims-hd-sig-catalog-'))
const env = {AIMS_CATALOG_PATH: catalog}
/** An image only in the open registry, with 40 MB of its own: its pull takes a moment. */
const PULLED = `${bedRegistries().open}/hd-sig/web:${TENANT}`
let home: string

const web = (id: string, extra: string) =>
  `id: ${id}
name: ${id}
description: The web fixture for the signal tests.
category: testing
tags: [fixture]
homepage: https://example.com/aims-fixture
license: MIT
tier: free
size: xs
${extra}
env:
  APP_SECRET:
    description: a generated secret
    secret: true
    generate: {length: 24, charset: alnum}
`

beforeAll(async () => {
  await purgeTenant(TENANT)
  cpSync(join(ROOT, 'test', 'fixtures', 'plugs', 'fixture-web.yaml'), join(catalog, 'fixture-web.yaml'))
  // Never healthy within 40 s: the run sits in its health wait.
  writeFileSync(
    join(catalog, 'hd-slow.yaml'),
    web(
      'hd-slow',
      `services:
  web:
    image: aims-fixture/web:1
    command: [sh, -c, 'echo starting slowly; exec sleep 3600']
    entry: {port: 8080, protocol: http}
    env:
      APP_SECRET: \${APP_SECRET}
    volumes:
      - {name: data, path: /data, size: 100m}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}
health_gate: {retries: 80, interval_seconds: 0.5}`,
    ),
  )
  writeFileSync(
    join(catalog, 'hd-pull.yaml'),
    web(
      'hd-pull',
      `services:
  web:
    image: ${PULLED}
    entry: {port: 8080, protocol: http}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}`,
    ),
  )
  // The pulled image: built here, pushed, and removed from the engine so plug up has to pull it.
  await new Promise<void>((resolve, reject) => {
    const build = spawn('docker', ['build', '-q', '-t', PULLED, '-'], {stdio: ['pipe', 'ignore', 'inherit']})
    build.stdin.end(`FROM aims-fixture/web:1\nRUN head -c 40000000 /dev/urandom > /big-${TENANT}\n`)
    build.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker build exit ${code}`))))
  })
  await docker(['push', PULLED])
  await docker(['rmi', PULLED])
  home = await homeWithHost()
}, 120_000)
afterAll(async () => {
  await purgeTenant(TENANT)
  await docker(['rmi', PULLED]).catch(() => '')
})

interface Run {
  child: ChildProcess
  stderr: () => string
  stdout: () => string
  exit: Promise<number | null>
  /** Resolves when stderr has a line matching the pattern. */
  waitFor: (pattern: RegExp) => Promise<void>
}

function start(plug: string, name: string): Run {
  const child = spawnAims(['plug', 'up', plug, '--name', name, '--tenant', TENANT, '--yes'], {home, env})
  let stderr = ''
  let stdout = ''
  const waiters: Array<{pattern: RegExp; resolve: () => void}> = []
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(stderr)) waiter.resolve()
      else waiters.push(waiter)
    }
  })
  child.stdin!.end()
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exit,
    waitFor: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({pattern, resolve})),
            exit.then(() => {
              throw new Error(`aims exited before ${pattern}:\n${stderr}`)
            }),
          ]),
  }
}

/** Nothing of TENANT/name on the host: engine objects, journal, nginx conf. */
async function expectNothingLeft(name: string): Promise<void> {
  expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': name})).toEqual({
    containers: [],
    volumes: [],
    networks: [],
  })
  const journals = existsSync('/var/lib/aims/deploys') ? readdirSync('/var/lib/aims/deploys') : []
  expect(journals.filter((file) => file.startsWith(`${TENANT}@${name}`))).toEqual([])
  const confs = existsSync('/etc/nginx/conf.d/plugs') ? readdirSync('/etc/nginx/conf.d/plugs') : []
  expect(confs.filter((file) => file.startsWith(`${TENANT}-${name}`))).toEqual([])
}

describe('plug up interrupted by a signal rolls back', () => {
  it('Ctrl-C in the health wait: rolled back, exit 1, a message saying so', async () => {
    const run = start('hd-slow', 'int-health')
    await run.waitFor(/^health: .*waiting for web/m)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'int-health'})).containers).toHaveLength(1)
    run.child.kill('SIGINT')
    const code = await run.exit
    const output = run.stderr()
    expect(code, output).toBe(1)
    expect(output).toMatch(/^Ctrl-C: stopping plug up of .+\/int-health and rolling back what it created/m)
    expect(output).toMatch(/^rollback: rolling back /m)
    expect(output).toMatch(
      /^Error: plug up of hd-sig-\w+\/int-health was interrupted \(Ctrl-C\): what this run created was removed — /m,
    )
    expect(output).not.toMatch(NODE_INTERNAL)
    await expectNothingLeft('int-health')
  }, 60_000)

  it('SIGTERM at the create step: rolled back, exit 1', async () => {
    const run = start('hd-slow', 'term-create')
    await run.waitFor(/^create: creating /m)
    run.child.kill('SIGTERM')
    const code = await run.exit
    const output = run.stderr()
    expect(code, output).toBe(1)
    expect(output).toMatch(/^SIGTERM: stopping plug up of .+\/term-create/m)
    expect(output).toMatch(/was interrupted \(SIGTERM\): what this run created was removed/)
    expect(output).not.toMatch(NODE_INTERNAL)
    await expectNothingLeft('term-create')
  }, 60_000)

  it('Ctrl-C while pulling: the pull is abandoned, nothing was created, exit 1', async () => {
    const run = start('hd-pull', 'int-pull')
    await run.waitFor(/^pull: pulling /m)
    run.child.kill('SIGINT')
    const code = await run.exit
    const output = run.stderr()
    expect(code, output).toBe(1)
    expect(output).toMatch(/was interrupted \(Ctrl-C\): nothing was created on /)
    expect(output).not.toMatch(/^(create|volume|network): /m)
    expect(output).not.toMatch(NODE_INTERNAL)
    await expectNothingLeft('int-pull')
  }, 60_000)

  it('a closed output pipe (a reader that stopped early) stops the run: exit 1, nothing left', async () => {
    const run = start('hd-slow', 'pipe-closed')
    // `aims plug up … | head -c1` once head is gone: the plan written at the gate fails with EPIPE.
    run.child.stdout!.destroy()
    const code = await run.exit
    const output = run.stderr()
    expect(code, output).toBe(1)
    expect(output).toMatch(/was interrupted \(the output pipe was closed\): nothing was created on /)
    expect(output).not.toMatch(NODE_INTERNAL)
    await expectNothingLeft('pipe-closed')
  }, 60_000)

  it('a second Ctrl-C leaves the rollback to the journal and says so; the next command reports it', async () => {
    const run = start('hd-slow', 'int-twice')
    await run.waitFor(/^health: .*waiting for web/m)
    run.child.kill('SIGINT')
    // Two signals sent at once are one pending signal: the second goes once the first was taken.
    await run.waitFor(/^Ctrl-C: stopping /m)
    run.child.kill('SIGINT')
    const code = await run.exit
    const output = run.stderr()
    expect(code, output).toBe(1)
    expect(output).toMatch(
      /^Ctrl-C again: the rollback is left for the next aims command: run aims plug down hd-sig-\w+\/int-twice/m,
    )
    expect(output).not.toMatch(NODE_INTERNAL)
    const journals = readdirSync('/var/lib/aims/deploys').filter((file) => file.startsWith(`${TENANT}@int-twice`))
    expect(journals).toHaveLength(1)

    // The next command that touches the host says so, whatever it is: a plug up of another instance, ps.
    const note = `note: an interrupted deploy of ${TENANT}/int-twice left objects on vps: run aims plug down ${TENANT}/int-twice`
    const other = await aims(['plug', 'up', 'fixture-web', '--name', 'other', '--tenant', TENANT, '--yes'], {home, env})
    expect(other.code, other.stderr).toBe(0)
    expect(other.stderr.split('\n').filter((line) => line === note)).toHaveLength(1)
    const ps = await aims(['ps', '--tenant', TENANT, '--no-probe'], {home, env})
    expect(ps.code, ps.stderr).toBe(0)
    expect(ps.stderr).toContain(note)

    const down = await aims(['plug', 'down', `${TENANT}/int-twice`, '--yes'], {home, env})
    expect(down.code, down.stderr).toBe(0)
    await expectNothingLeft('int-twice')
    const after = await aims(['ps', '--tenant', TENANT, '--no-probe'], {home, env})
    // (Other tests on a shared bed may have interrupted deploys of their own: only this one must be gone.)
    expect(after.stderr).not.toContain(`interrupted deploy of ${TENANT}/`)
    expect((await aims(['plug', 'down', `${TENANT}/other`, '--yes'], {home, env})).code).toBe(0)
  }, 60_000)
})
