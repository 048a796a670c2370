/**
 * On a terminal, aims asks: it confirms a plan, asks for the instance name
 * before destroying, asks for missing required values, and asks for an
 * encrypted key's passphrase. Driven through a real tmux terminal.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'
import {openTerminal, type Terminal} from '../support/terminal.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = 'tty-e2e'
let home: string
const env = {AIMS_CATALOG_PATH: FIXTURES}
const terminals: Terminal[] = []
const open = (args: string[], options = {}) => {
  const terminal = openTerminal(args, {home, env, ...options})
  terminals.push(terminal)
  return terminal
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  for (const terminal of terminals) terminal.close()
  await purgeTenant(TENANT)
})

describe('prompts on a terminal', () => {
  it('plug up shows the plan and deploys once confirmed', async () => {
    const terminal = open(['plug', 'up', 'fixture-web', '--name', 'asked', '--tenant', TENANT])
    await terminal.waitFor(/Deploy fixture-web as tty-e2e\/asked on vps\?/)
    expect(terminal.screen()).toMatch(/Pre-flight gates:/)
    terminal.type('y')
    terminal.press('Enter')
    expect(await terminal.exitCode()).toBe(0)
    expect(terminal.screen()).toMatch(/tty-e2e\/asked is ready/)
  })

  it('declining changes nothing (exit 3)', async () => {
    const terminal = open(['plug', 'up', 'fixture-web', '--name', 'declined', '--tenant', TENANT])
    await terminal.waitFor(/Deploy fixture-web as tty-e2e\/declined on vps\?/)
    terminal.type('n')
    terminal.press('Enter')
    expect(await terminal.exitCode()).toBe(3)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'declined'})).containers).toEqual([])
  })

  it('plug down wants the instance name typed: a wrong name changes nothing, the right one removes it', async () => {
    const wrong = open(['plug', 'down', `${TENANT}/asked`])
    await wrong.waitFor(/Type the instance name \(asked\) to confirm/)
    wrong.type('aske')
    wrong.press('Enter')
    expect(await wrong.exitCode()).toBe(3)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'asked'})).containers).toHaveLength(1)

    const right = open(['plug', 'down', `${TENANT}/asked`])
    await right.waitFor(/Type the instance name \(asked\) to confirm/)
    right.type('asked')
    right.press('Enter')
    expect(await right.exitCode()).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'asked'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
  })

  it('a required value with no default is asked on a terminal; without one the config gate fails (exit 2)', async () => {
    const noTty = await aims(['plug', 'up', 'fixture-ask', '--tenant', TENANT, '--yes'], {home, env})
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/config complete.*missing SITE_NAME.*--env SITE_NAME=/)

    const terminal = open(['plug', 'up', 'fixture-ask', '--tenant', TENANT, '--yes'])
    await terminal.waitFor(/What is the site called\?/)
    terminal.type('Acme Docs')
    terminal.press('Enter')
    expect(await terminal.exitCode()).toBe(0)
    const ls = await aims(['plug', 'ls', '--tenant', TENANT, '--json'], {home, env})
    const port = ls.json().instances.find((row: {instance: string}) => row.instance === 'fixture-ask').port
    const {httpGet} = await import('../support/engine.js')
    expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toBe('welcome to Acme Docs\n')
    expect((await aims(['plug', 'down', `${TENANT}/fixture-ask`, '--yes'], {home, env})).code).toBe(0)
  })

  it('an encrypted key: the passphrase is asked (hidden) and the connection works', async () => {
    const b = bed()
    const keyHome = await homeWithHost('enc', [])
    const add = await aims(
      ['host', 'add', 'enc', `root@${b.sshHost}:${b.sshPort}`, '--identity', b.encryptedIdentity, '--force'],
      {home: keyHome},
    )
    expect(add.code, add.stderr).toBe(0)
    const terminal = open(['host', 'ping', 'enc'], {home: keyHome})
    await terminal.waitFor(/Passphrase for .*encrypted_ed25519/)
    terminal.type(b.encryptedPassphrase)
    terminal.press('Enter')
    expect(await terminal.exitCode()).toBe(0)
    const screen = terminal.screen()
    expect(screen).toMatch(/engine calls over 1 SSH login/)
    expect(screen).not.toContain(b.encryptedPassphrase)
  })
})
