import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {keychainFailure, OsKeychain, sessionBusAbsence} from '../../../../src/adapters/secrets/keychain.js'

const recorded = JSON.parse(
  readFileSync(new URL('../../../fixtures/recorded/keychain-errors.json', import.meta.url), 'utf8'),
) as {cases: Array<{situation: string; message: string; reason: string}>}

describe('keychainFailure (messages recorded from @napi-rs/keyring on the bed)', () => {
  for (const item of recorded.cases)
    it(item.situation, () => {
      expect(keychainFailure(item.message)).toBe(item.reason)
    })

  it('keeps an unknown message, on one line and clipped', () => {
    const reason = keychainFailure(`weird\nfailure ${'x'.repeat(400)}`)
    expect(reason).toMatch(/^the keychain said: weird\b.*failure x+$/)
    expect(reason).not.toContain('\n')
    expect(keychainFailure('x'.repeat(400)).length).toBeLessThan(230)
  })
})

describe('sessionBusAbsence', () => {
  let dir: string | undefined
  let server: Server | undefined
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = undefined
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('no address and no runtime bus: absent, with the reason', () => {
    expect(sessionBusAbsence({})).toBe('no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)')
    expect(sessionBusAbsence({XDG_RUNTIME_DIR: '/nonexistent-runtime'})).toBe(
      'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)',
    )
  })

  it('a unix path that is not there: absent; an escaped path is unescaped', () => {
    expect(sessionBusAbsence({DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/no%20such-bus,guid=abc'})).toBe(
      'no D-Bus session bus at /tmp/no such-bus',
    )
  })

  it('a socket that is there (by address or $XDG_RUNTIME_DIR/bus), an abstract or TCP address: maybe', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aims-bus-'))
    const socket = join(dir, 'bus')
    server = createServer()
    await new Promise<void>((resolve) => server!.listen(socket, resolve))
    expect(sessionBusAbsence({DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`})).toBeUndefined()
    expect(sessionBusAbsence({XDG_RUNTIME_DIR: dir})).toBeUndefined()
    expect(sessionBusAbsence({DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x'})).toBeUndefined()
    expect(sessionBusAbsence({DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=1'})).toBeUndefined()
    expect(sessionBusAbsence({DBUS_SESSION_BUS_ADDRESS: `unix:path=/tmp/nope-bus;unix:path=${socket}`})).toBeUndefined()
  })
})

describe('OsKeychain', () => {
  let dir: string | undefined
  let server: Server | undefined
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = undefined
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('on a headless Linux machine says "no keychain" at once, without starting anything', async () => {
    const keychain = new OsKeychain({env: {}, platform: 'linux'})
    const started = performance.now()
    expect(await keychain.probe()).toEqual({
      ok: false,
      reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)',
    })
    expect(performance.now() - started).toBeLessThan(50)
    expect(keychain.location).toEqual({store: 'keychain', detail: 'Secret Service'})
  })

  it('bounds a bus that accepts the connection and never says a word (the hang a D-Bus peer can cause)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aims-mute-bus-'))
    const socket = join(dir, 'bus')
    server = createServer((connection) => sockets.push(connection))
    await new Promise<void>((resolve) => server!.listen(socket, resolve))
    const keychain = new OsKeychain({
      env: {PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`},
      platform: 'linux',
      timeoutMs: 1500,
      probeTimeoutMs: 1500,
    })
    const started = performance.now()
    const probe = await keychain.probe()
    const elapsed = performance.now() - started
    expect(probe).toEqual({ok: false, reason: 'Secret Service did not answer within 1.5 s'})
    expect(elapsed).toBeGreaterThanOrEqual(1400)
    expect(elapsed).toBeLessThan(4000)
    await expect(keychain.get('ai:openai')).rejects.toThrow(
      'the keychain could not be used: Secret Service did not answer within 1.5 s',
    )
  })
})
