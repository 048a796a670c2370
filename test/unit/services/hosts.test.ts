import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {resolveHostEntry, type HostEntry, type ResolvedHost} from '../../../src/core/host-target.js'
import {
  fingerprint,
  formatKnownHostLine,
  parseKnownHosts,
  type HostKey,
  type KnownHostEntry,
} from '../../../src/core/known-hosts.js'
import {addHost, listHosts, removeHost, trustHost, useHost, type HostDeps} from '../../../src/services/hosts.js'
import type {AimsConfig, ConfigStore, HostKeyScanner, KnownHostsStore, Prompter} from '../../../src/services/ports.js'

const NOW = new Date('2025-01-01T00:00:00Z')
const keyOf = (seed: string): HostKey => {
  const type = Buffer.from('ssh-ed25519')
  const blob = Buffer.alloc(4 + type.length + 4 + 32)
  blob.writeUInt32BE(type.length, 0)
  type.copy(blob, 4)
  blob.writeUInt32BE(32, 4 + type.length)
  Buffer.from(seed.padEnd(32, '.')).copy(blob, 8 + type.length)
  return {type: 'ssh-ed25519', blob}
}

/** An in-memory config that counts writes; `frozen` makes any write fail the test. */
class FakeConfig implements ConfigStore {
  writes = 0
  constructor(
    public state: AimsConfig = {version: 1, hosts: {}, preferences: {}},
    private readonly frozen = false,
  ) {}
  async read(): Promise<AimsConfig> {
    return structuredClone(this.state)
  }
  async update<T>(change: (config: AimsConfig) => T | Promise<T>): Promise<T> {
    if (this.frozen) throw new Error('unexpected config write')
    const draft = structuredClone(this.state)
    const result = await change(draft)
    this.state = draft
    this.writes++
    return result
  }
}

class FakeKnownHosts implements KnownHostsStore {
  readonly ownFile = '/aims/known_hosts'
  recorded: Array<{name: string; key: HostKey}> = []
  constructor(
    private lines: string[] = [],
    private readonly allowRecord = true,
  ) {}
  async entries(): Promise<KnownHostEntry[]> {
    return parseKnownHosts(this.lines.join('\n'), this.ownFile)
  }
  async record(name: string, key: HostKey): Promise<void> {
    if (!this.allowRecord) throw new Error('unexpected known_hosts write')
    this.recorded.push({name, key})
    this.lines = [...this.lines.filter((line) => line.split(' ')[0] !== name), formatKnownHostLine(name, key)]
  }
}

const scannerOf = (key: HostKey): HostKeyScanner => ({scan: async () => key})

class FakePrompter implements Prompter {
  asked: string[] = []
  constructor(
    readonly interactive: boolean,
    private readonly answers: boolean[] = [],
  ) {}
  async confirm(message: string): Promise<boolean> {
    const answer = this.answers.shift()
    if (answer === undefined) throw new Error(`unexpected prompt: ${message}`)
    this.asked.push(message)
    return answer
  }
  typed: string[] = []
  async input(message: string): Promise<string> {
    const answer = this.typed.shift()
    if (answer === undefined) throw new Error(`unexpected input prompt: ${message}`)
    this.asked.push(message)
    return answer
  }
}

const deps = (config: ConfigStore, readable = true): HostDeps => ({
  config,
  now: () => NOW,
  cwd: '/work',
  fileReadable: () => readable,
})
const resolve = async (entry: HostEntry): Promise<ResolvedHost> =>
  resolveHostEntry(entry, {home: '/home/me', localUser: 'me', defaultIdentityFiles: []})

async function rejection(promise: Promise<unknown>): Promise<AimsError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected a rejection')
}

describe('host add', () => {
  it('adds the first host as the default, with an absolute identity path', async () => {
    const config = new FakeConfig()
    const result = await addHost(deps(config), {name: 'vps', target: 'root@203.0.113.7:2222', identity: 'keys/id'})
    expect(result).toMatchObject({default: true, replaced: false, dryRun: false})
    expect(config.state.defaultHost).toBe('vps')
    expect(config.state.hosts.vps).toEqual({
      name: 'vps',
      target: {user: 'root', host: '203.0.113.7', port: 2222},
      identityFile: '/work/keys/id',
      addedAt: NOW.toISOString(),
    })
  })

  it('keeps the existing default unless --default', async () => {
    const config = new FakeConfig()
    await addHost(deps(config), {name: 'one', target: 'root@h1'})
    await addHost(deps(config), {name: 'two', target: 'root@h2'})
    expect(config.state.defaultHost).toBe('one')
    await addHost(deps(config), {name: 'three', target: 'root@h3', makeDefault: true})
    expect(config.state.defaultHost).toBe('three')
  })

  it('refuses to replace a host without --force, and replaces with it', async () => {
    const config = new FakeConfig()
    await addHost(deps(config), {name: 'vps', target: 'root@h1'})
    const conflict = await rejection(addHost(deps(config), {name: 'vps', target: 'root@h2'}))
    expect(conflict.kind).toBe('conflict')
    expect(conflict.exitCode).toBe(2)
    expect(conflict.message).toContain('root@h1')
    const replaced = await addHost(deps(config), {name: 'vps', target: 'root@h2', force: true})
    expect(replaced.replaced).toBe(true)
    expect(config.state.hosts.vps?.target).toEqual({user: 'root', host: 'h2'})
  })

  it('writes nothing on a dry run', async () => {
    const config = new FakeConfig(undefined, true)
    const result = await addHost(deps(config), {name: 'vps', target: 'root@h', dryRun: true})
    expect(result).toMatchObject({dryRun: true, default: true})
  })

  it.each([
    {name: 'vps;rm', target: 'root@h'},
    {name: '$(touch /tmp/x)', target: 'root@h'},
    {name: 'vps', target: 'root@h;id'},
    {name: 'vps', target: 'root@`id`'},
    {name: 'vps', target: 'root@h', identity: '../id'},
    {name: 'vps', target: 'root@h', identity: "/k/'id'"},
    {name: 'vps', target: 'root@h', identity: '/k/id\n'},
    {name: 'v'.repeat(200), target: 'root@h'},
    {name: 'vps', target: 'root@h', domain: 'x'},
  ])('refuses bad input without touching the config: %j', async (input) => {
    const config = new FakeConfig(undefined, true)
    const failure = await rejection(addHost(deps(config), input))
    expect(failure.exitCode).toBe(2)
    expect(failure.line).not.toMatch(/[\n\r]/)
  })

  it('refuses an identity file that cannot be read', async () => {
    const failure = await rejection(
      addHost(deps(new FakeConfig(undefined, true), false), {name: 'vps', target: 'root@h', identity: '/nope/id'}),
    )
    expect(failure.message).toContain('/nope/id')
    expect(failure.exitCode).toBe(2)
  })
})

describe('host ls / use / rm', () => {
  const seeded = () =>
    new FakeConfig({
      version: 1,
      defaultHost: 'vps',
      preferences: {},
      hosts: {
        vps: {name: 'vps', target: {user: 'root', host: '127.0.0.1', port: 2222}},
        box: {name: 'box', target: 'local'},
        new: {name: 'new', target: {user: 'root', host: '203.0.113.9'}, domain: 'apps.example.com'},
      },
    })

  it('lists hosts sorted, with the default and host key state', async () => {
    const known = new FakeKnownHosts([formatKnownHostLine('[127.0.0.1]:2222', keyOf('vps'))])
    const rows = await listHosts(seeded(), known, resolve)
    expect(rows.map((row) => [row.name, row.default, row.hostKey])).toEqual([
      ['box', false, 'local'],
      ['new', false, 'unknown'],
      ['vps', true, 'trusted'],
    ])
    expect(rows[2]?.fingerprint).toMatch(/^ED25519 SHA256:/)
    expect(rows[1]?.domain).toBe('apps.example.com')
  })

  it('selects a default, suggesting names for typos', async () => {
    const config = seeded()
    await useHost(config, 'new')
    expect(config.state.defaultHost).toBe('new')
    const typo = await rejection(useHost(seeded(), 'vsp'))
    expect(typo.kind).toBe('not-found')
    expect(typo.hint).toBe('did you mean "vps"?')
  })

  it('can select local even when it is not configured', async () => {
    const config = new FakeConfig()
    await useHost(config, 'local')
    expect(config.state.defaultHost).toBe('local')
    expect(config.state.hosts.local?.target).toBe('local')
  })

  it('does not write on use --dry-run', async () => {
    const config = new FakeConfig(seeded().state, true)
    expect(await useHost(config, 'new', true)).toEqual({name: 'new', dryRun: true})
  })

  it('removes a host and picks the only one left as the default', async () => {
    const config = new FakeConfig({
      version: 1,
      defaultHost: 'a',
      preferences: {},
      hosts: {a: {name: 'a', target: 'local'}, b: {name: 'b', target: {host: 'h'}}},
    })
    const result = await removeHost(config, 'a')
    expect(result.newDefault).toBe('b')
    expect(config.state.defaultHost).toBe('b')
    expect(Object.keys(config.state.hosts)).toEqual(['b'])
  })

  it('leaves no default when several hosts remain', async () => {
    const config = seeded()
    const result = await removeHost(config, 'vps')
    expect(result.newDefault).toBeUndefined()
    expect(config.state.defaultHost).toBeUndefined()
  })

  it('refuses to remove an unknown host and writes nothing on --dry-run', async () => {
    expect((await rejection(removeHost(new FakeConfig(seeded().state, true), 'nope'))).kind).toBe('not-found')
    expect((await removeHost(new FakeConfig(seeded().state, true), 'vps', true)).dryRun).toBe(true)
  })
})

describe('host trust', () => {
  const host = resolveHostEntry(
    {name: 'vps', target: {user: 'root', host: '127.0.0.1', port: 2222}},
    {home: '/h', localUser: 'me', defaultIdentityFiles: []},
  )
  const name = '[127.0.0.1]:2222'

  it('records an unknown key with --yes, after showing its fingerprint as ssh does', async () => {
    const known = new FakeKnownHosts()
    const shown: string[] = []
    const result = await trustHost(
      {
        knownHosts: known,
        scanner: scannerOf(keyOf('vps')),
        prompter: new FakePrompter(false),
        show: (line) => shown.push(line),
      },
      host,
      {yes: true, dryRun: false},
    )
    expect(result).toMatchObject({previous: 'unknown', recorded: true, keyType: 'ssh-ed25519'})
    expect(known.recorded).toEqual([{name, key: keyOf('vps')}])
    expect(shown).toEqual([
      `The authenticity of host '${name}' can't be established.`,
      `ED25519 key fingerprint is ${result.fingerprint}.`,
    ])
  })

  it('asks on a terminal and records only on yes', async () => {
    const known = new FakeKnownHosts()
    const yes = new FakePrompter(true, [true])
    await trustHost({knownHosts: known, scanner: scannerOf(keyOf('vps')), prompter: yes, show: () => undefined}, host, {
      yes: false,
      dryRun: false,
    })
    expect(yes.asked).toEqual(['Trust this host key?'])
    expect(known.recorded).toHaveLength(1)

    const declined = await rejection(
      trustHost(
        {
          knownHosts: new FakeKnownHosts([], false),
          scanner: scannerOf(keyOf('vps')),
          prompter: new FakePrompter(true, [false]),
          show: () => undefined,
        },
        host,
        {yes: false, dryRun: false},
      ),
    )
    expect(declined.kind).toBe('not-confirmed')
    expect(declined.exitCode).toBe(3)
  })

  it('never prompts without a terminal: refuses with exit 3 and a hint', async () => {
    const failure = await rejection(
      trustHost(
        {
          knownHosts: new FakeKnownHosts([], false),
          scanner: scannerOf(keyOf('vps')),
          prompter: new FakePrompter(false),
          show: () => undefined,
        },
        host,
        {yes: false, dryRun: false},
      ),
    )
    expect(failure.exitCode).toBe(3)
    expect(failure.hint).toContain('aims host trust vps --yes')
  })

  it('does nothing for an already trusted key', async () => {
    const known = new FakeKnownHosts([formatKnownHostLine(name, keyOf('vps'))], false)
    const result = await trustHost(
      {knownHosts: known, scanner: scannerOf(keyOf('vps')), prompter: new FakePrompter(false), show: () => undefined},
      host,
      {yes: true, dryRun: false},
    )
    expect(result).toMatchObject({previous: 'trusted', recorded: false})
  })

  describe('a changed key', () => {
    const changed = () => new FakeKnownHosts([formatKnownHostLine(name, keyOf('old'))])
    const run = (
      known: FakeKnownHosts,
      options: {yes: boolean; replaceKey?: string},
      prompter = new FakePrompter(false),
    ) => {
      const shown: string[] = []
      const result = trustHost(
        {knownHosts: known, scanner: scannerOf(keyOf('new')), prompter, show: (line) => shown.push(line)},
        host,
        {dryRun: false, ...options},
      )
      return {result, shown}
    }
    const newPrint = fingerprint(keyOf('new').blob)
    const oldPrint = fingerprint(keyOf('old').blob)

    it('is not replaced by --yes: exit 2, both fingerprints shown, the fix names --replace-key', async () => {
      const known = changed()
      const {result, shown} = run(known, {yes: true})
      const failure = await rejection(result)
      expect(failure.exitCode).toBe(2)
      expect(failure.message).toBe('the host key of vps changed: --yes does not replace a changed key')
      expect(failure.hint).toMatch(/--replace-key SHA256:/)
      expect(shown[0]).toContain('has CHANGED')
      expect(shown.join('\n')).toContain(oldPrint)
      expect(shown.join('\n')).toContain(newPrint)
      expect(known.recorded).toEqual([])
    })

    it('is replaced by --replace-key naming the new fingerprint exactly', async () => {
      const known = changed()
      const result = await run(known, {yes: false, replaceKey: newPrint}).result
      expect(result).toMatchObject({previous: 'changed', previousFingerprints: [oldPrint], recorded: true})
      expect((await known.entries()).map((entry) => entry.key.blob.equals(keyOf('new').blob))).toEqual([true])
    })

    it.each([
      ['the old fingerprint', oldPrint, /does not match the key vps offers/],
      ['not a fingerprint', 'yes', /invalid --replace-key "yes": not a SHA256 fingerprint/],
      ['empty', '', /--replace-key is empty/],
    ])('refuses --replace-key with %s (exit 2), writing nothing', async (_what, given, message) => {
      const known = changed()
      const failure = await rejection(run(known, {yes: true, replaceKey: given}).result)
      expect(failure.exitCode).toBe(2)
      expect(failure.message).toMatch(message)
      expect(known.recorded).toEqual([])
    })

    it('at a terminal, is replaced only when the user types the new fingerprint', async () => {
      const typedRight = new FakePrompter(true)
      typedRight.typed.push(newPrint)
      const known = changed()
      expect((await run(known, {yes: false}, typedRight).result).recorded).toBe(true)
      const typedWrong = new FakePrompter(true)
      typedWrong.typed.push(oldPrint)
      const untouched = changed()
      expect((await rejection(run(untouched, {yes: false}, typedWrong).result)).exitCode).toBe(2)
      expect(untouched.recorded).toEqual([])
    })
  })

  it('refuses a revoked key', async () => {
    const known = new FakeKnownHosts(
      [`@revoked * ${formatKnownHostLine('x', keyOf('vps')).split(' ').slice(1).join(' ')}`],
      false,
    )
    const failure = await rejection(
      trustHost(
        {knownHosts: known, scanner: scannerOf(keyOf('vps')), prompter: new FakePrompter(false), show: () => undefined},
        host,
        {yes: true, dryRun: false},
      ),
    )
    expect(failure.kind).toBe('host-key')
  })

  it('writes nothing on --dry-run and refuses the local engine', async () => {
    const result = await trustHost(
      {
        knownHosts: new FakeKnownHosts([], false),
        scanner: scannerOf(keyOf('vps')),
        prompter: new FakePrompter(false),
        show: () => undefined,
      },
      host,
      {yes: true, dryRun: true},
    )
    expect(result.recorded).toBe(false)
    const local = resolveHostEntry(
      {name: 'local', target: 'local'},
      {home: '/h', localUser: 'me', defaultIdentityFiles: []},
    )
    const scanner: HostKeyScanner = {scan: async () => Promise.reject(new Error('unexpected scan'))}
    expect(
      (
        await rejection(
          trustHost(
            {
              knownHosts: new FakeKnownHosts([], false),
              scanner,
              prompter: new FakePrompter(false),
              show: () => undefined,
            },
            local,
            {yes: true, dryRun: false},
          ),
        )
      ).exitCode,
    ).toBe(2)
  })
})
