/**
 * Each way the connection to a VPS can break, for real: a key the server
 * refuses, a re-keyed server, a stopped sshd, a stopped dockerd, an encrypted
 * key with no terminal. `aims doctor` and a read command (`aims host ping`)
 * must fail fast (under 10 s) with exit 1 and ONE line naming the cause and
 * the fix. The bed's main sshd (port 2222) is only ever connected to; tests
 * that stop or re-key sshd run a private one.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {aims, bed, tempHome} from '../support/aims.js'
import {dockerAnswers, restoreBedDockerd, stopBedDockerd} from '../support/dockerd.js'
import {expectOneLineError} from '../support/expect-error.js'
import {privateSshd, type PrivateSshd} from '../support/sshd.js'

const b = bed()
const fingerprintOf = (pubFile: string) => {
  const base64 = readFileSync(pubFile, 'utf8').split(' ')[1]!
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`
}

async function hostOn(port: number, identity: string, name = 'vps'): Promise<string> {
  const home = tempHome('aims-fnd-fail-')
  const add = await aims(['host', 'add', name, `root@127.0.0.1:${port}`, '--identity', identity], {home})
  expect(add.code, add.stderr).toBe(0)
  const trust = await aims(['host', 'trust', name, '--yes'], {home})
  expect(trust.code, trust.stderr).toBe(0)
  return home
}

/** doctor (human), doctor --json and host ping: all fail the same way. */
async function expectBothFail(home: string, failure: {cause: RegExp; fix: RegExp; check: string}) {
  const doctor = await aims(['doctor'], {home, timeoutMs: 30_000})
  expectOneLineError(doctor, {exit: 1, cause: failure.cause, fix: failure.fix, withinMs: 10_000})
  expect(doctor.stdout).toMatch(new RegExp(`FAIL`))

  const json = await aims(['doctor', '--json'], {home, timeoutMs: 30_000})
  expect(json.code).toBe(1)
  const report = json.json<{
    ok: boolean
    checks: Array<{id: string; status: string; detail: string; fix: string | null}>
  }>()
  expect(report.ok).toBe(false)
  const failed = report.checks.filter((check) => check.status === 'fail')
  expect(failed.map((check) => check.id)).toEqual([failure.check])
  expect(failed[0]?.detail).toMatch(failure.cause)
  expect(failed[0]?.fix).toMatch(failure.fix)

  const ping = await aims(['host', 'ping'], {home, timeoutMs: 30_000})
  expectOneLineError(ping, {exit: 1, cause: failure.cause, fix: failure.fix, withinMs: 10_000})

  // The everyday read command fails the same way.
  const ls = await aims(['plug', 'ls'], {home, timeoutMs: 30_000})
  expectOneLineError(ls, {exit: 1, cause: failure.cause, fix: failure.fix, withinMs: 10_000})
}

describe('connection failures', () => {
  let sshd: PrivateSshd | undefined
  afterEach(async () => {
    await sshd?.dispose()
    sshd = undefined
  })

  it('a key the server does not accept', async () => {
    const home = await hostOn(b.sshPort, '.bed/wrong_ed25519')
    await expectBothFail(home, {
      check: 'ssh',
      cause: new RegExp(`^SSH authentication as root@127\\.0\\.0\\.1:${b.sshPort} failed$`),
      fix: /authorized_keys.*ssh-add.*--identity/,
    })
  })

  it('a host key that changed since it was trusted', async () => {
    sshd = await privateSshd(b.hostKey)
    const home = await hostOn(sshd.port, b.identity)
    await sshd.start(b.otherHostKey)
    const recorded = fingerprintOf(`${b.hostKey}.pub`)
    const offered = fingerprintOf(`${b.otherHostKey}.pub`)
    const cause = new RegExp(
      `^HOST KEY CHANGED for vps: it now offers ED25519 ${offered.replace(/[+/]/g, '\\$&')}, but ED25519 ${recorded.replace(/[+/]/g, '\\$&')} \\(.*known_hosts:1\\) was recorded$`,
    )
    await expectBothFail(home, {
      check: 'host-key',
      cause,
      fix: /verify the new key out of band and run aims host trust vps/,
    })
  })

  it('sshd stopped', async () => {
    sshd = await privateSshd(b.hostKey)
    const home = await hostOn(sshd.port, b.identity)
    await sshd.stop()
    await expectBothFail(home, {
      check: 'ssh',
      cause: new RegExp(`^SSH connection to 127\\.0\\.0\\.1:${sshd.port} refused \\(host vps\\)$`),
      fix: /check that sshd runs on the host/,
    })
  })

  it('an encrypted key and no terminal to ask its passphrase', async () => {
    const home = await hostOn(b.sshPort, '.bed/encrypted_ed25519', 'enc')
    const ping = await aims(['host', 'ping'], {home})
    expectOneLineError(ping, {
      exit: 1,
      cause: /encrypted_ed25519 is encrypted and there is no terminal to ask for its passphrase/,
      fix: /ssh-add.*terminal/,
      withinMs: 10_000,
    })
  })
})

describe('dockerd stopped', () => {
  // Whatever happens in the test, the shared engine comes back.
  afterAll(async () => {
    await restoreBedDockerd()
  }, 120_000)

  it('doctor and host ping name the stopped engine and how to start it', async () => {
    expect(await dockerAnswers()).toBe(true)
    const home = await hostOn(b.sshPort, b.identity)
    // Keep the engine's downtime short: everything that does not need it is ready first.
    await stopBedDockerd()
    try {
      await expectBothFail(home, {
        check: 'engine',
        cause: /^the Docker (socket \/var\/run\/docker\.sock does not exist|engine) on vps/,
        fix: /start (it|Docker) on the host/,
      })
    } finally {
      await restoreBedDockerd()
    }
    expect(await dockerAnswers()).toBe(true)
  })
})
