/**
 * API keys like a desktop app (issue 19 item 4), driven through the real
 * binary: `aims login` stores the key in a REAL Secret Service
 * (gnome-keyring on a private D-Bus session, checked with secret-tool), the
 * provider sends it to a local server speaking Anthropic's wire format,
 * `aims logout` removes it; without a D-Bus session the encrypted file takes
 * it. The key (a sentinel) never appears in any output, --json, the audit
 * log, transcripts or any file under the user's aims directories.
 */
import {execFile} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, type AimsResult} from '../support/aims.js'
import type {FakeLlmServer} from '../support/fake-llm-common.js'
import {startFakeAnthropic} from '../support/fake-anthropic.js'
import {openTerminal} from '../support/terminal.js'
import {missingSecretServiceTools, startSecretService, type SecretServiceSession} from '../support/secret-service.js'

const SENTINEL = 'sk-ant-api03-KEYSSENTINEL-7f3a9c1e5b2d4f6a8c0e'
const ENV_KEY = 'sk-ant-api03-ENVKEYSENTINEL-0a1b2c3d4e5f'
const outputs: AimsResult[] = []
let server: FakeLlmServer

beforeAll(async () => {
  const missing = await missingSecretServiceTools()
  if (missing.length > 0) throw new Error(`the bed lacks ${missing.join(', ')}: run test/bed/setup.sh`)
  // Accepts only the stored key: a request with any other key gets the API's real 401.
  server = await startFakeAnthropic({
    apiKey: SENTINEL,
    script: [{text: 'Hello from the fake Claude.', times: 'always'}],
  })
})
afterAll(async () => {
  await server?.close()
})

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Every file aims wrote for this user, and every output it printed: none holds a key. */
function expectNoKeyAnywhere(home: string): void {
  const files = filesUnder(home)
  expect(files.length).toBeGreaterThan(0)
  for (const file of files) {
    const text = readFileSync(file).toString('latin1')
    expect(text, file).not.toContain(SENTINEL)
    expect(text, file).not.toContain(ENV_KEY)
    expect(text, file).not.toContain('KEYSSENTINEL')
  }
  for (const result of outputs) {
    expect(result.stdout + result.stderr).not.toContain('KEYSSENTINEL')
    expect(result.stdout + result.stderr).not.toContain('ENVKEYSENTINEL')
  }
}

function runner(home: string, extraEnv: Record<string, string | undefined> = {}) {
  return async (args: string[], options: {input?: string; env?: Record<string, string | undefined>} = {}) => {
    const result = await aims(args, {
      home,
      // A base URL alone would mean an OpenAI-compatible server: name the provider the fake speaks.
      env: {AIMS_AI_BASE_URL: server.url, AIMS_AI_PROVIDER: 'anthropic', ...extraEnv, ...options.env},
      ...(options.input === undefined ? {} : {input: options.input}),
      timeoutMs: 60_000,
    })
    outputs.push(result)
    return result
  }
}

const aimsHome = (home: string) => join(home, '.aims')

describe('without a D-Bus session: the encrypted file', () => {
  let home: string
  let run: ReturnType<typeof runner>
  beforeAll(async () => {
    home = await homeWithHost()
    run = runner(home)
  })

  it('refuses a key on the command line, without repeating it, and stores nothing', async () => {
    for (const args of [
      ['login', 'anthropic', SENTINEL],
      ['login', SENTINEL],
      ['login', 'anthropic', `--key=${SENTINEL}`],
      ['login', 'anthropic', '--api-key', SENTINEL],
      ['login', 'anthropic', `--apikey=${SENTINEL}`],
      ['login', 'openai-compatible', 'http://127.0.0.1:9/v1', SENTINEL],
      ['logout', 'anthropic', SENTINEL],
    ]) {
      const result = await run(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).not.toContain('KEYSSENTINEL')
    }
    const noTty = await run(['login', 'anthropic'])
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toContain('no terminal to ask for the key, and --with-key-stdin was not given')
    for (const input of ['', '\n', `${SENTINEL}\nsecond line`, `Bearer ${SENTINEL}`, `${SENTINEL}\u001b[2J`]) {
      const bad = await run(['login', 'anthropic', '--with-key-stdin'], {input})
      expect(bad.code, JSON.stringify(input)).toBe(2)
      expect(bad.stderr).not.toContain('KEYSSENTINEL')
    }
    const unknown = await run(['login', 'antropic', '--with-key-stdin'], {input: SENTINEL})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('did you mean "anthropic"')
    expect(existsSync(join(aimsHome(home), 'data', 'secrets.enc'))).toBe(false)
    expect(existsSync(join(aimsHome(home), 'data', 'secrets-index.json'))).toBe(false)
  })

  it('on a terminal the key is asked for hidden (masked, never echoed); Ctrl-C stores nothing', async () => {
    const cancelled = openTerminal(['login', 'openai'], {home})
    try {
      await cancelled.waitFor(/openai API key \(hidden\):/)
      cancelled.type('sk-partial')
      cancelled.press('C-c')
      expect(await cancelled.exitCode()).toBe(3)
    } finally {
      cancelled.close()
    }
    expect((await run(['login', '--status', '--json'])).json().keys[1]).toMatchObject({
      name: 'ai:openai',
      source: 'none',
    })

    const terminal = openTerminal(['login', 'openai'], {home})
    try {
      await terminal.waitFor(/openai API key \(hidden\):/)
      terminal.type(SENTINEL)
      await terminal.waitFor(/•{8,}/)
      terminal.press('Enter')
      expect(await terminal.exitCode()).toBe(0)
      const screen = terminal.screen()
      expect(screen).toContain('Stored the openai key in the encrypted file')
      expect(screen).not.toContain('KEYSSENTINEL')
      expect(screen).not.toContain('sk-ant')
    } finally {
      terminal.close()
    }
    const status = (await run(['login', '--status', '--json'])).json()
    expect(status.keys[1]).toMatchObject({name: 'ai:openai', source: 'stored'})
    expect((await run(['logout', 'openai'])).code).toBe(0)
    expectNoKeyAnywhere(home)
  })

  it('--dry-run says where the key would go and reads nothing', async () => {
    // Earlier tests of this home may have left a (now empty) encrypted file: the dry run must not touch it.
    const file = join(aimsHome(home), 'data', 'secrets.enc')
    const before = existsSync(file) ? readFileSync(file) : undefined
    const dry = await run(['login', 'anthropic', '--dry-run', '--json'], {input: SENTINEL})
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.json()).toMatchObject({store: 'file', dryRun: true, note: expect.stringContaining('no D-Bus session')})
    expect(existsSync(file) ? readFileSync(file) : undefined).toEqual(before)
    expectNoKeyAnywhere(home)
  })

  it('login stores it in the sealed file (0600), the provider uses it, env wins, logout removes it', async () => {
    const login = await run(['login', 'anthropic', '--with-key-stdin'], {input: `${SENTINEL}\n`})
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain(
      `Stored the anthropic key in the encrypted file ${join(aimsHome(home), 'data', 'secrets.enc')}`,
    )
    expect(login.stdout).toContain('Not in the keychain: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)')
    expect(login.stdout).toContain('ACHEEVY uses it now')
    const sealed = join(aimsHome(home), 'data', 'secrets.enc')
    expect(statSync(sealed).mode & 0o777).toBe(0o600)
    expect(statSync(join(aimsHome(home), 'state', 'secrets.key')).mode & 0o777).toBe(0o600)

    const status = await run(['login', '--status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    expect(status.json().keys[0]).toMatchObject({
      name: 'ai:anthropic',
      source: 'stored',
      stored: {store: 'file', location: sealed},
    })
    expect(status.json().acheevy).toContain('ACHEEVY uses anthropic')
    // With nothing configured, the stored key alone picks its provider.
    const plain = await run(['login', '--status', '--json'], {
      env: {AIMS_AI_BASE_URL: undefined, AIMS_AI_PROVIDER: undefined},
    })
    expect(plain.json().acheevy).toBe(
      `ACHEEVY uses anthropic (claude-sonnet-5-5) with the key from the encrypted file ${sealed}.`,
    )

    const before = server.requests.length
    const ask = await run(['ask', 'say hello', '--json'])
    expect(ask.code, ask.stdout + ask.stderr).toBe(0)
    expect(ask.stdout).toContain('Hello from the fake Claude.')
    expect(server.requests.slice(before).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${SENTINEL}`,
    ])

    // The env var wins over the stored key: the fake only knows the stored one and says 401.
    const withEnv = await run(['ask', 'say hello', '--json'], {env: {ANTHROPIC_API_KEY: ENV_KEY}})
    expect(withEnv.code).toBe(1)
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ENV_KEY}`)
    expect(withEnv.stdout).toContain('ANTHROPIC_API_KEY')
    const envStatus = await run(['login', '--status'], {env: {ANTHROPIC_API_KEY: ENV_KEY}})
    expect(envStatus.stdout).toMatch(
      /anthropic\s+env ANTHROPIC_API_KEY\s+also stored in the encrypted file; the env var wins/,
    )

    const doctor = await run(['doctor', '--json'])
    expect(doctor.json().checks.find((check: {id: string}) => check.id === 'ai')).toMatchObject({
      status: 'pass',
      detail: `anthropic at ${server.url.replace(/\/$/, '')} (claude-sonnet-5-5), key from the encrypted file ${sealed}`,
    })

    const logout = await run(['logout', 'anthropic'])
    expect(logout.code, logout.stderr).toBe(0)
    expect(logout.stdout).toContain(`Removed the anthropic key from the encrypted file ${sealed}`)
    const again = await run(['logout', 'anthropic', '--json'])
    expect(again.code).toBe(0)
    expect(again.json()).toMatchObject({removed: []})
    expect((await run(['login', '--status', '--json'])).json().keys[0]).toMatchObject({source: 'none'})
    const audit = await run(['audit', '--json'])
    expect(
      audit.json().records.map((record: {action: string; target: string}) => `${record.action} ${record.target}`),
    ).toEqual(expect.arrayContaining(['login ai:anthropic', 'logout ai:anthropic']))
    expectNoKeyAnywhere(home)
  })

  it('concurrent logins from separate processes lose nothing', async () => {
    const urls = Array.from({length: 6}, (_, index) => `http://127.0.0.1:${9100 + index}/v1`)
    const results = await Promise.all(
      urls.map((url, index) =>
        run(['login', 'openai-compatible', url, '--with-key-stdin'], {input: `${SENTINEL}-${index}`}),
      ),
    )
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const status = (await run(['login', '--status', '--json'])).json()
    for (const url of urls)
      expect(status.keys).toContainEqual(
        expect.objectContaining({
          name: `ai:openai-compatible:${url}`,
          source: 'stored',
          stored: expect.objectContaining({store: 'file'}),
        }),
      )
    await Promise.all(urls.map((url) => run(['logout', 'openai-compatible', url])))
    expect((await run(['login', '--status', '--json'])).json().keys).toHaveLength(2)
  })

  it('with AIMS_SECRETS_PASSPHRASE: sealed with scrypt; a wrong or missing passphrase is a clear error', async () => {
    const phrase = {AIMS_SECRETS_PASSPHRASE: 'correct horse battery staple'}
    const login = await run(['login', 'anthropic', '--with-key-stdin'], {input: SENTINEL, env: phrase})
    expect(login.code, login.stderr).toBe(0)
    const sealed = join(aimsHome(home), 'data', 'secrets.enc')
    expect(JSON.parse(readFileSync(sealed, 'utf8')).kdf).toMatchObject({name: 'scrypt', N: 131072, r: 8, p: 1})
    const before = server.requests.length
    const ask = await run(['ask', 'say hello', '--json'], {env: phrase})
    expect(ask.code, ask.stdout + ask.stderr).toBe(0)
    expect(server.requests.slice(before).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${SENTINEL}`,
    ])

    const wrong = await run(['ask', 'say hello'], {env: {AIMS_SECRETS_PASSPHRASE: 'wrong'}})
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain(`AIMS_SECRETS_PASSPHRASE does not open ${sealed}`)
    const missing = await run(['ask', 'say hello'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`${sealed} is sealed with a passphrase`)
    const doctor = await run(['doctor', '--json'])
    expect(doctor.json().checks.find((check: {id: string}) => check.id === 'ai')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('is sealed with a passphrase'),
    })
    expect((await run(['logout', 'anthropic'], {env: phrase})).code).toBe(0)
    expectNoKeyAnywhere(home)
  })

  it('a damaged file: a clear one-line error naming the file and the fix; status still answers', async () => {
    const sealed = join(aimsHome(home), 'data', 'secrets.enc')
    // The previous test left the file sealed with its passphrase: without it, nothing is written.
    const locked = await run(['login', 'anthropic', '--with-key-stdin'], {input: SENTINEL})
    expect(locked.code, locked.stdout + locked.stderr).toBe(1)
    expect(locked.stderr).toContain(`${sealed} is sealed with a passphrase`)
    rmSync(sealed)
    expect((await run(['login', 'anthropic', '--with-key-stdin'], {input: SENTINEL})).code).toBe(0)
    const content = JSON.parse(readFileSync(sealed, 'utf8'))
    content.data = `A${content.data.slice(1)}`
    writeFileSync(sealed, JSON.stringify(content), {mode: 0o600})
    const ask = await run(['ask', 'say hello'])
    // A damaged local file is wrong content, like a broken config: exit 2.
    expect(ask.code, ask.stderr).toBe(2)
    expect(ask.stderr.trim().split('\n')).toHaveLength(1)
    expect(ask.stderr).toContain(`${sealed} does not open with its key file`)
    const status = await run(['login', '--status', '--json'])
    expect(status.code).toBe(0)
    expect(status.json().keys[0].stored.unverified).toContain('does not open with its key file')
  })
})

describe('with a real Secret Service (gnome-keyring on a private D-Bus session)', () => {
  let keyring: SecretServiceSession
  let home: string
  let run: ReturnType<typeof runner>
  beforeAll(async () => {
    keyring = await startSecretService()
    home = await homeWithHost()
    run = runner(home, {DBUS_SESSION_BUS_ADDRESS: keyring.address, XDG_RUNTIME_DIR: keyring.env.XDG_RUNTIME_DIR})
  })
  afterAll(async () => {
    await keyring?.stop()
  })

  it('login stores the key in the Secret Service (secret-tool sees it), the provider uses it, logout removes it', async () => {
    const login = await run(['login', 'anthropic', '--with-key-stdin', '--json'], {input: `${SENTINEL}\n`})
    expect(login.code, login.stderr).toBe(0)
    expect(login.json()).toEqual({
      name: 'ai:anthropic',
      provider: 'anthropic',
      label: 'anthropic',
      store: 'keychain',
      location: 'Secret Service',
      replaced: false,
      dryRun: false,
    })
    expect(await keyring.lookup({service: 'aims', username: 'ai:anthropic'})).toBe(SENTINEL)
    expect(existsSync(join(aimsHome(home), 'data', 'secrets.enc'))).toBe(false)

    const status = await run(['login', '--status'])
    expect(status.stdout).toMatch(/anthropic\s+keychain \(Secret Service\)/)
    expect(status.stdout).toContain('New keys go to the keychain (Secret Service).')

    const before = server.requests.length
    const ask = await run(['ask', 'say hello', '--json'])
    expect(ask.code, ask.stdout + ask.stderr).toBe(0)
    expect(server.requests.slice(before).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${SENTINEL}`,
    ])

    const doctor = await run(['doctor'])
    expect(doctor.stdout).toMatch(
      /ACHEEVY key\s+ok\s+anthropic at \S+ \(claude-sonnet-5-5\), key from the keychain \(Secret Service\)/,
    )

    const logout = await run(['logout', 'anthropic'])
    expect(logout.code, logout.stderr).toBe(0)
    expect(logout.stdout).toContain('Removed the anthropic key from the keychain (Secret Service).')
    expect(await keyring.lookup({service: 'aims', username: 'ai:anthropic'})).toBeUndefined()
    expectNoKeyAnywhere(home)
  })

  it('a key removed from the keychain by another tool is reported, not guessed', async () => {
    expect((await run(['login', 'openai', '--with-key-stdin'], {input: SENTINEL})).code).toBe(0)
    await promisify(execFile)('secret-tool', ['clear', 'service', 'aims', 'username', 'ai:openai'], {env: keyring.env})
    const ask = await run(['ask', 'say hello'], {env: {AIMS_AI_PROVIDER: 'openai'}})
    expect(ask.code, ask.stderr).toBe(1)
    expect(ask.stderr).toContain('ai:openai is no longer in the keychain (Secret Service) (removed outside aims)')
    const status = await run(['login', '--status', '--json'])
    expect(status.json().keys[1]).toMatchObject({name: 'ai:openai', source: 'none', stored: {missing: true}})
    expect((await run(['logout', 'openai'])).code).toBe(0)
  })

  it('the same key read over SSH without the desktop session says where it is', async () => {
    expect((await run(['login', 'anthropic', '--with-key-stdin'], {input: SENTINEL})).code).toBe(0)
    const headless = await run(['ask', 'say hello'], {
      env: {DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: undefined},
    })
    expect(headless.code).toBe(1)
    expect(headless.stderr).toContain('ai:anthropic is stored in the keychain, which cannot be reached from here')
    expect((await run(['logout', 'anthropic'])).code).toBe(0)
    expectNoKeyAnywhere(home)
  })
})

describe('a Secret Service that cannot take the key', () => {
  it('no login keyring: the keychain refuses and the encrypted file takes it, saying why', async () => {
    const keyring = await startSecretService({unlock: false})
    try {
      const home = await homeWithHost()
      const run = runner(home, {DBUS_SESSION_BUS_ADDRESS: keyring.address})
      const login = await run(['login', 'anthropic', '--with-key-stdin', '--json'], {input: SENTINEL})
      expect(login.code, login.stderr).toBe(0)
      expect(login.json()).toMatchObject({
        store: 'file',
        note: 'the keychain refused it (the keychain has no default collection (no login keyring))',
      })
      expect(await keyring.lookup({service: 'aims', username: 'ai:anthropic'})).toBeUndefined()
      const strict = await run(['login', 'openai', '--with-key-stdin', '--store', 'keychain'], {input: SENTINEL})
      expect(strict.code).toBe(1)
      expect(strict.stderr).toContain('the keychain has no default collection')
      expectNoKeyAnywhere(home)
    } finally {
      await keyring.stop()
    }
  })

  it('a Secret Service that never answers: bounded, then the file (no hang)', async () => {
    const keyring = await startSecretService({blackHole: true})
    try {
      const home = await homeWithHost()
      const run = runner(home, {DBUS_SESSION_BUS_ADDRESS: keyring.address})
      const started = Date.now()
      const login = await run(['login', 'anthropic', '--with-key-stdin', '--json'], {input: SENTINEL})
      const elapsed = Date.now() - started
      expect(login.code, login.stderr).toBe(0)
      expect(login.json()).toMatchObject({store: 'file', note: expect.stringMatching(/did not answer/)})
      // The probe's deadline is 3 s (the binding itself gives up after 2 s); start-up and the file write on top.
      expect(elapsed).toBeLessThan(8000)
    } finally {
      await keyring.stop()
    }
  })
})
