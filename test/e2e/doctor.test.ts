/**
 * `aims doctor` against the bed: a real sshd, dockerd and nginx, through the
 * built binary, exactly as a user types it.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {aims, bed, tempHome} from '../support/aims.js'

const CHECKS = [
  'ssh',
  'host-key',
  'engine',
  'storage',
  'disk',
  'memory',
  'nginx',
  'nginx-conf-dir',
  'state-dir',
  'ports',
  'clock',
  'proxy-confs',
  // Local: ACHEEVY's provider and where its key comes from (the offline parser here: no key).
  'ai',
]

describe('aims doctor on the bed', () => {
  it('host add, host trust, then every doctor check passes', async () => {
    const home = tempHome('aims-fnd-doctor-')
    const b = bed()
    const add = await aims(['host', 'add', 'vps', `root@127.0.0.1:${b.sshPort}`, '--identity', '.bed/id_ed25519'], {
      home,
    })
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toContain(`Added host vps → root@127.0.0.1:${b.sshPort} (default).`)
    const trust = await aims(['host', 'trust', 'vps', '--yes'], {home})
    expect(trust.code, trust.stderr).toBe(0)
    expect(trust.stderr).toContain(`The authenticity of host '[127.0.0.1]:${b.sshPort}' can't be established.`)
    expect(existsSync(join(home, '.aims', 'known_hosts'))).toBe(true)

    const doctor = await aims(['doctor', '--host', 'vps', '--json'], {home})
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0)
    expect(doctor.stderr).toBe('')
    const report = doctor.json<{
      host: string
      ok: boolean
      checks: Array<{id: string; title: string; status: string; detail: string; fix: string | null}>
    }>()
    expect(report.host).toBe('vps')
    expect(report.checks.map((check) => check.id)).toEqual(CHECKS)
    for (const check of report.checks) {
      expect(check.status, `${check.id}: ${check.detail} (${check.fix})`).toBe('pass')
      expect(Object.keys(check).sort()).toEqual(['detail', 'fix', 'id', 'status', 'title'])
    }
    expect(report.ok).toBe(true)
    const detail = Object.fromEntries(report.checks.map((check) => [check.id, check.detail]))
    expect(detail.engine).toMatch(/^Docker \S+, API 1\.\d+ \(linux\/amd64\)$/)
    expect(detail['host-key']).toMatch(/^trusted: ED25519 SHA256:[A-Za-z0-9+/]{43} \(.*known_hosts:1\)$/)
    expect(detail.nginx).toMatch(/^nginx \d+\.\d+/)
    expect(detail.ports).toMatch(/^\d+ of 1000 free in 51000-51999 \(ss and Docker\)$/)
  })

  it('prints a plain table for people (NO_COLOR, no TTY) and exits 0', async () => {
    const b = bed()
    const home = tempHome('aims-fnd-doctor-')
    await aims(['host', 'add', 'vps', `root@127.0.0.1:${b.sshPort}`, '--identity', b.identity], {home})
    await aims(['host', 'trust', 'vps', '--yes'], {home})
    const doctor = await aims(['doctor'], {home})
    expect(doctor.code, doctor.stderr).toBe(0)
    expect(doctor.stdout).not.toMatch(/\u001b\[/)
    const lines = doctor.stdout.split('\n')
    expect(lines[0]).toBe('Doctor: vps')
    expect(lines[2]).toMatch(/^CHECK\s+STATUS\s+DETAIL$/)
    for (const title of [
      'SSH login',
      'Host key',
      'Docker engine',
      'Storage driver',
      'Free disk',
      'Memory',
      'nginx',
      'nginx conf dir',
      'State dir',
      'Port range',
      'Clock skew',
      'ACHEEVY key',
    ]) {
      expect(doctor.stdout).toMatch(new RegExp(`^${title}\\s+ok\\s+\\S`, 'm'))
    }
    expect(doctor.stdout).toContain('Host is ready: vps — 13 passed.')
  })

  it('works for the local engine too', async () => {
    const doctor = await aims(['doctor', '--host', 'local', '--json'])
    expect(doctor.code, doctor.stdout).toBe(0)
    const report = doctor.json<{ok: boolean; checks: Array<{id: string; status: string}>}>()
    expect(report.ok).toBe(true)
    expect(Object.fromEntries(report.checks.map((check) => [check.id, check.status]))).toMatchObject({
      ssh: 'skipped',
      'host-key': 'skipped',
      engine: 'pass',
      nginx: 'pass',
      ports: 'pass',
    })
  })
})
