/**
 * DESIGN.md: one SSH connection per aims process, reused for every Docker API
 * call. Counted where it cannot be faked: sshd's own log. A private sshd (its
 * own log, nobody else logs in) serves the bed's Docker socket.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, tempHome} from '../support/aims.js'
import {privateSshd, type PrivateSshd} from '../support/sshd.js'

describe('one SSH login per process', () => {
  let sshd: PrivateSshd
  beforeAll(async () => {
    sshd = await privateSshd(bed().hostKey)
  })
  afterAll(async () => {
    await sshd?.dispose()
  })

  it('50 Docker API calls (host ping --count 50) log exactly one "Accepted publickey" in sshd', async () => {
    const home = tempHome('aims-fnd-login-')
    expect(
      (await aims(['host', 'add', 'vps', `root@127.0.0.1:${sshd.port}`, '--identity', bed().identity], {home})).code,
    ).toBe(0)
    expect((await aims(['host', 'trust', 'vps', '--yes'], {home})).code).toBe(0)

    const mark = sshd.logSize()
    const ping = await aims(['host', 'ping', 'vps', '--count', '50', '--json'], {home})
    expect(ping.code, ping.stderr).toBe(0)
    const result = ping.json<{calls: number; sshLogins: number; localPort: number; medianMs: number}>()
    expect(result.calls).toBe(50)
    expect(result.sshLogins).toBe(1)

    const logins = sshd.logSince(mark).filter((line) => line.includes('Accepted publickey'))
    expect(logins, sshd.logSince(mark).join('\n')).toHaveLength(1)
    // …and that one login is this process's connection.
    expect(logins[0]).toMatch(
      new RegExp(`Accepted publickey for root from 127\\.0\\.0\\.1 port ${result.localPort} ssh2: ED25519 SHA256:`),
    )
  })

  it('a fresh process logs in again, once (the count above is per process, not luck)', async () => {
    const home = tempHome('aims-fnd-login-')
    await aims(['host', 'add', 'vps', `root@127.0.0.1:${sshd.port}`, '--identity', bed().identity], {home})
    await aims(['host', 'trust', 'vps', '--yes'], {home})
    const mark = sshd.logSize()
    for (let run = 0; run < 2; run++) expect((await aims(['host', 'ping', 'vps', '--count', '3'], {home})).code).toBe(0)
    expect(sshd.logSince(mark).filter((line) => line.includes('Accepted publickey'))).toHaveLength(2)
  })
})
