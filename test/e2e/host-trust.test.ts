/**
 * `host trust` and a changed host key (issue 10, item 11): trust on first use
 * with --yes stays (CI), but --yes never replaces a key that changed: that
 * takes --replace-key with the new key's exact SHA256 fingerprint, and a wrong
 * one is exit 2 with nothing written. A private sshd re-keys with the bed's
 * second host key.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, tempHome} from '../support/aims.js'
import {privateSshd, type PrivateSshd} from '../support/sshd.js'

const b = bed()
const fingerprintOf = (pubFile: string) => {
  const base64 = readFileSync(pubFile, 'utf8').split(' ')[1]!
  return `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`
}
const first = fingerprintOf(`${b.hostKey}.pub`)
const second = fingerprintOf(`${b.otherHostKey}.pub`)

let sshd: PrivateSshd
let home: string
let knownHosts: string
const run = (args: string[]) => aims(args, {home})
const recorded = () => readFileSync(knownHosts, 'utf8')

beforeAll(async () => {
  sshd = await privateSshd(b.hostKey)
  home = tempHome('aims-trust-')
  const add = await run(['host', 'add', 'vps', `root@127.0.0.1:${sshd.port}`, '--identity', b.identity, '--default'])
  expect(add.code, add.stderr).toBe(0)
})
afterAll(async () => {
  await sshd?.dispose()
})

describe('host trust', () => {
  it('trusts on first use with --yes (scripts, CI)', async () => {
    const trust = await run(['host', 'trust', 'vps', '--yes', '--json'])
    expect(trust.code, trust.stderr).toBe(0)
    expect(trust.json()).toMatchObject({previous: 'unknown', fingerprint: first, recorded: true})
    knownHosts = trust.json().file
    expect(recorded()).toContain(readFileSync(`${b.hostKey}.pub`, 'utf8').split(' ')[1])
  })

  describe('after the host is re-keyed', () => {
    let before: string
    beforeAll(async () => {
      await sshd.start(b.otherHostKey)
      before = recorded()
    })

    it('--yes does not replace the changed key: exit 2, names the rule and the fix, nothing written', async () => {
      const trust = await run(['host', 'trust', 'vps', '--yes'])
      expect(trust.code, trust.stderr).toBe(2)
      expect(trust.stderr).toMatch(/CHANGED/)
      const last = trust.stderr.trim().split('\n').at(-1)!
      expect(last).toMatch(
        /^Error: the host key of vps changed: --yes does not replace a changed key — .*--replace-key SHA256:/,
      )
      expect(recorded()).toBe(before)
    })

    it.each([
      ['the old fingerprint', () => first, /does not match the key vps offers/],
      [
        'a fingerprint with a typo',
        () => `${second.slice(0, -1)}${second.endsWith('A') ? 'B' : 'A'}`,
        /does not match/,
      ],
      ['not a fingerprint', () => 'SHA256:$(touch /tmp/x)', /invalid --replace-key/],
      ['an MD5 fingerprint', () => 'MD5:12:34', /invalid --replace-key/],
      ['an empty one', () => '', /--replace-key/],
    ])('--replace-key with %s: exit 2, nothing written', async (_what, given, message) => {
      const trust = await run(['host', 'trust', 'vps', '--replace-key', given()])
      expect(trust.code, trust.stderr).toBe(2)
      expect(trust.stderr.trim().split('\n').at(-1)).toMatch(message)
      expect(recorded()).toBe(before)
    })

    it('--replace-key with the new fingerprint replaces it; aims then connects', async () => {
      const trust = await run(['host', 'trust', 'vps', '--replace-key', second, '--json'])
      expect(trust.code, trust.stderr).toBe(0)
      expect(trust.json()).toMatchObject({
        previous: 'changed',
        previousFingerprints: [first],
        fingerprint: second,
        recorded: true,
      })
      expect(recorded()).toContain(readFileSync(`${b.otherHostKey}.pub`, 'utf8').split(' ')[1])
      expect(recorded()).not.toContain(readFileSync(`${b.hostKey}.pub`, 'utf8').split(' ')[1])
      const again = await run(['host', 'trust', 'vps', '--yes', '--json'])
      expect(again.code, again.stderr).toBe(0)
      expect(again.json()).toMatchObject({previous: 'trusted', recorded: false})
      const ps = await run(['ps', '--json'])
      expect(ps.code, ps.stderr).toBe(0)
    })
  })
})
