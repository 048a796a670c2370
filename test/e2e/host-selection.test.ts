/**
 * How aims finds its host without flags: ~/.ssh/config aliases, AIMS_HOST,
 * DOCKER_HOST=ssh://… (CI, no config at all); and concurrent aims processes
 * writing the config at once.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {aims, bed, tempHome} from '../support/aims.js'

const b = bed()

describe('host selection', () => {
  it('an alias from ~/.ssh/config (HostName, User, Port, IdentityFile) works as a target, with known_hosts honoured', async () => {
    const home = tempHome()
    mkdirSync(join(home, '.ssh'), {mode: 0o700})
    writeFileSync(
      join(home, '.ssh', 'config'),
      `Host bedbox\n  HostName ${b.sshHost}\n  User root\n  Port ${b.sshPort}\n  IdentityFile ${b.identity}\n`,
    )
    // The user's own known_hosts already trusts the bed: no aims host trust needed.
    writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(b.knownHosts))
    expect((await aims(['host', 'add', 'box', 'bedbox'], {home})).code).toBe(0)
    const ping = await aims(['host', 'ping', 'box', '--json'], {home})
    expect(ping.code, ping.stderr).toBe(0)
    expect(ping.json()).toMatchObject({host: 'box', sshLogins: 1})
  })

  it('AIMS_HOST picks a configured host; DOCKER_HOST=ssh://… needs no config at all', async () => {
    const home = tempHome()
    mkdirSync(join(home, '.ssh'), {mode: 0o700})
    writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(b.knownHosts))
    writeFileSync(join(home, '.ssh', 'config'), `Host ${b.sshHost}\n  IdentityFile ${b.identity}\n`)
    const viaDockerHost = await aims(['host', 'ping', '--json'], {
      home,
      env: {DOCKER_HOST: `ssh://root@${b.sshHost}:${b.sshPort}`},
    })
    expect(viaDockerHost.code, viaDockerHost.stderr).toBe(0)
    expect(viaDockerHost.json().sshLogins).toBe(1)

    expect(
      (await aims(['host', 'add', 'one', `root@${b.sshHost}:${b.sshPort}`, '--identity', b.identity], {home})).code,
    ).toBe(0)
    expect((await aims(['host', 'add', 'two', 'local'], {home})).code).toBe(0)
    const viaAimsHost = await aims(['host', 'ping', '--json'], {home, env: {AIMS_HOST: 'one'}})
    expect(viaAimsHost.code, viaAimsHost.stderr).toBe(0)
    expect(viaAimsHost.json()).toMatchObject({host: 'one', sshLogins: 1})
    const unknown = await aims(['host', 'ping'], {home, env: {AIMS_HOST: 'onw'}})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no host named "onw".*did you mean "one"/)
  })
})

describe('the local config under concurrency', () => {
  it('20 aims processes adding hosts at once: none is lost', async () => {
    const home = tempHome()
    const names = Array.from({length: 20}, (_, index) => `h${index}`)
    const results = await Promise.all(
      names.map((name, index) => aims(['host', 'add', name, `root@10.0.0.${index + 1}`], {home})),
    )
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const ls = await aims(['host', 'ls', '--json'], {home})
    expect(
      ls
        .json()
        .hosts.map((host: {name: string}) => host.name)
        .sort(),
    ).toEqual([...names].sort())
  })
})

describe('aims init', () => {
  it('non-interactive with flags: adds and trusts the host, sets tenant and provider, and checks the host', async () => {
    const home = tempHome()
    const result = await aims(
      [
        'init',
        '--target',
        `root@${b.sshHost}:${b.sshPort}`,
        '--identity',
        b.identity,
        '--tenant',
        'acme',
        '--ai-provider',
        'ollama',
        '--yes',
        '--json',
      ],
      {home},
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.json()).toMatchObject({host: 'vps', tenant: 'acme', ai: {provider: 'ollama'}, doctorOk: true})
    const config = await aims(['config', 'get', '--json'], {home})
    expect(config.json().preferences).toMatchObject({'default-tenant': 'acme', 'ai.provider': 'ollama'})
    expect((await aims(['host', 'ping', '--json'], {home})).code).toBe(0)
  })

  it('without a terminal and without --target it explains what to pass (exit 2)', async () => {
    const result = await aims(['init'], {home: tempHome()})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/needs a terminal to ask, or the answers as flags/)
  })
})
