/**
 * The chat REPL driven by scripted input, with the offline provider: intake
 * before a deploy (answered questions skipped the second time), the gate's
 * questions answered from the same input, /help and /exit, transcripts kept
 * on disk without secret values, and a resumed session that remembers the
 * conversation and what it is about.
 */
import {validatePlugUpOptions} from '../../../../src/core/plan/requests.js'
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {FileTranscriptStore} from '../../../../src/adapters/chat-transcripts.js'
import {maskRecord, newChatId, parseTranscript, TRANSCRIPT_VERSION} from '../../../../src/core/agent/transcript.js'
import {Agent} from '../../../../src/services/agent/agent.js'
import {invariantViolations} from '../../../../src/services/agent/agent-log.js'
import {CHAT_HELP, runChat, type ChatIo} from '../../../../src/services/agent/chat.js'
import {OfflineChatProvider} from '../../../../src/services/agent/offline-provider.js'
import type {ToolRuntime} from '../../../../src/services/agent/runtime.js'
import {ToolRegistry} from '../../../../src/services/agent/tools.js'
import {loadTranscript, TranscriptWriter} from '../../../../src/services/agent/transcript-store.js'
import {AgentView} from '../../../../src/ui/agent-view.js'
import {makeStyle} from '../../../../src/ui/style.js'
import {fakeRuntime, fixturePlug, type ServiceRecord} from '../../../support/agent-fakes.js'
import {MemoryCatalog, testPlug} from '../../../support/catalog-fakes.js'

const TOKEN = 'S3cret-Admin-T0ken-4242'
const vault = testPlug('vault', {
  env: {
    ADMIN_TOKEN: {
      description: 'the admin token',
      question: 'Which admin token should it use?',
      secret: true,
      required: true,
    },
    SIGNUPS: {description: 'allow sign-ups', default: 'false'},
  },
})

class ScriptedIo implements ChatIo {
  readonly interactive = false
  readonly transcript: string[] = []
  constructor(private readonly lines: string[]) {}
  write(text: string): void {
    this.transcript.push(text)
  }
  async readLine(prompt: string, options: {secret?: boolean} = {}): Promise<string | undefined> {
    const line = this.lines.shift()
    this.transcript.push(`${prompt}${line === undefined ? '(end of input)' : options.secret ? '••••••••' : line}\n`)
    return line
  }
  onInterrupt(): void {}
  close(): void {}
  get text(): string {
    return this.transcript.join('')
  }
  get left(): string[] {
    return [...this.lines]
  }
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

const registry = new ToolRegistry()

function session(
  runtime: ToolRuntime,
  io: ScriptedIo,
  store: FileTranscriptStore,
  id: string,
  resumed?: Awaited<ReturnType<typeof loadTranscript>>,
) {
  let agent: Agent | undefined
  const provider = new OfflineChatProvider({
    registry,
    context: async () => ({
      catalog: [
        {id: 'vault', name: 'Vault', tags: ['secrets'], category: 'security'},
        {id: 'fixture-web', name: 'Fixture web', tags: ['fixture'], category: 'testing'},
      ],
      instances: [{tenant: 'acme', instance: 'vault', plug: 'vault'}],
      defaultTenant: 'default',
      ...(agent?.focus ? {focus: agent.focus} : {}),
    }),
    hostName: () => 'vps',
  })
  const transcript = new TranscriptWriter(id, store, () => runtime.secrets)
  if (!resumed)
    transcript.write({
      type: 'meta',
      version: TRANSCRIPT_VERSION,
      id,
      createdAt: '2025-06-01T12:00:00.000Z',
      provider: 'offline',
      model: 'offline-parser',
    })
  const view = new AgentView(
    {write: (text) => io.write(text), readLine: (prompt, options) => io.readLine(prompt, options)},
    makeStyle(false),
    () => undefined,
  )
  agent = new Agent({
    provider,
    registry,
    runtime,
    ui: view,
    mode: 'chat',
    canAsk: true,
    intake: true,
    system: async () => '',
    ...(resumed ? {history: resumed.messages, ...(resumed.focus ? {focus: resumed.focus} : {})} : {}),
    onMessage: (message) => transcript.write({type: 'message', at: '2025-06-01T12:00:00.000Z', message}),
  })
  agent.log.onEvent((event) => {
    if (event.type === 'plan' || event.type === 'approval' || event.type === 'intake')
      transcript.write({type: 'event', at: '2025-06-01T12:00:00.000Z', event})
  })
  return {
    agent,
    run: () =>
      runChat({
        agent: agent!,
        io,
        transcript,
        banner: 'ACHEEVY (test)',
        prompt: 'you › ',
        now: () => new Date('2025-06-01T12:00:00Z'),
      }),
  }
}

describe('aims chat with scripted input', () => {
  it('a taken name is said before any intake question, and a free one (NAME-2) is offered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-chat-test-'))
    dirs.push(dir)
    const store = new FileTranscriptStore(join(dir, 'chats'))
    const records: ServiceRecord[] = []
    const runtime = fakeRuntime(records, {
      catalog: MemoryCatalog.of(vault, fixturePlug()),
      // The host has umbrella/vault (a model, unlike the offline parser's context, does not know it).
      script: {instances: [{tenant: 'umbrella', instance: 'vault', plug: 'vault'}]},
    })
    const io = new ScriptedIo(['deploy vault for umbrella', '', TOKEN, 'none', '256m', 'yes', '/exit'])
    const {run} = session(runtime, io, store, 'chat-name')
    await run()
    const text = io.text
    const exists = text.indexOf('umbrella/vault already exists (vault): the new instance needs another name.')
    expect(exists).toBeGreaterThan(-1)
    expect(text).toContain('Name for the new instance [vault-2] \n')
    expect(exists).toBeLessThan(text.indexOf('Which admin token should it use?'))
    const deploys = records.filter((record) => record.service === 'plugUp' && record.applied)
    expect(deploys).toHaveLength(1)
    expect(deploys[0]!.args[0]).toBe('umbrella/vault-2')
  })

  it('deploys with an intake, skips answered questions the second time, and keeps no secret in its transcript', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-chat-test-'))
    dirs.push(dir)
    const store = new FileTranscriptStore(join(dir, 'chats'))
    const records: ServiceRecord[] = []
    const runtime = fakeRuntime(records, {
      catalog: MemoryCatalog.of(vault, fixturePlug()),
      script: {instances: [{tenant: 'acme', instance: 'vault', plug: 'vault'}]},
    })
    const io = new ScriptedIo([
      '/help',
      'deploy vault for umbrella',
      '', // ADMIN_TOKEN is required: an empty answer is asked again
      TOKEN,
      'none', // domain
      '256m', // size
      'yes',
      'deploy vault for umbrella', // the same again: nothing to ask but the confirmation
      'no',
      `my token is ADMIN_TOKEN=${TOKEN}`,
      '/id',
      '/exit',
      'never read',
    ])
    const {agent, run} = session(runtime, io, store, 'chat-1')
    const result = await run()

    expect(result).toEqual({turns: 3, id: 'chat-1'})
    expect(io.left).toEqual(['never read'])
    const text = io.text
    expect(text).toContain(CHAT_HELP)
    expect(text).toContain('Which admin token should it use? (required) ••••••••')
    expect(text).toMatch(/ADMIN_TOKEN is required/)
    expect(text).toContain('This chat is chat-1: continue it later with aims chat --resume chat-1')
    // The first deploy asked three questions (token twice); the second only confirmed.
    const intakes = agent.log.events.filter((event) => event.type === 'intake')
    expect(intakes.map((event) => event.type === 'intake' && event.asked)).toEqual([
      ['env:ADMIN_TOKEN', 'domain', 'size'],
      [],
    ])
    const deploys = records
      .filter((record) => record.service === 'plugUp' && !record.applied)
      .map((record) => record.args[0])
    // The service gets the checked request of what the intake gathered.
    const asked = {
      plug: 'vault',
      tenant: 'umbrella',
      env: [`ADMIN_TOKEN=${TOKEN}`],
      memory: '256m',
      expose: false,
      links: [],
    }
    expect(deploys).toEqual([validatePlugUpOptions(asked), validatePlugUpOptions(asked)])
    expect(records.filter((record) => record.applied)).toHaveLength(1)
    expect(invariantViolations(agent.log.events)).toEqual([])

    // The transcript: every message and the confirmations, never the token.
    const files = readdirSync(join(dir, 'chats'))
    expect(files).toEqual(['chat-1.jsonl'])
    const raw = readFileSync(join(dir, 'chats', 'chat-1.jsonl'), 'utf8')
    expect(raw).not.toContain(TOKEN)
    expect(raw).toContain('ADMIN_TOKEN=***')
    const parsed = parseTranscript(raw)
    expect(parsed.damaged).toBe(0)
    expect(parsed.meta?.id).toBe('chat-1')
    expect(parsed.messages.filter((message) => message.role === 'user').map((message) => message.content)).toEqual([
      'deploy vault for umbrella',
      'deploy vault for umbrella',
      'my token is ADMIN_TOKEN=***',
    ])
    expect(
      raw
        .split('\n')
        .filter((line) => line.includes('"approval"'))
        .map((line) => JSON.parse(line).event.decision),
    ).toEqual(['apply', 'declined'])
    // The chat's own output never shows the token: the one occurrence is the echo of the line the user typed.
    expect(text.split(TOKEN)).toHaveLength(2)
    expect(text).toContain(`you › my token is ADMIN_TOKEN=${TOKEN}\n`)
  })

  it('resumes the latest chat with its history and focus', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-chat-test-'))
    dirs.push(dir)
    const store = new FileTranscriptStore(join(dir, 'chats'))
    const records: ServiceRecord[] = []
    const runtime = fakeRuntime(records, {
      script: {
        instances: [{tenant: 'acme', instance: 'vault', plug: 'vault'}],
        logs: {'acme/vault': [{text: 'vault started'}]},
      },
    })
    await session(runtime, new ScriptedIo(['show the logs of acme/vault', '/exit']), store, 'older').run()
    // Newer file wins for --resume without an id.
    await new Promise((resolve) => setTimeout(resolve, 20))
    await session(runtime, new ScriptedIo(['show the logs of acme/vault', '/exit']), store, 'newer').run()

    const resumed = await loadTranscript(store)
    expect(resumed.id).toBe('newer')
    expect(resumed.focus).toBe('acme/vault')
    expect(resumed.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool'])

    const io = new ScriptedIo(['restart it', 'yes', '/exit'])
    const {agent, run} = session(runtime, io, store, resumed.id, resumed)
    await run()
    expect(records.filter((record) => record.applied).map((record) => record.args[0])).toEqual(['acme/vault'])
    expect(agent.history).toHaveLength(6)
    const after = await loadTranscript(store, 'newer')
    expect(after.messages).toHaveLength(6)
    expect(after.meta?.id).toBe('newer')
    await expect(loadTranscript(store, '../etc/passwd')).rejects.toThrow(/invalid chat id/)
    await expect(loadTranscript(store, 'missing')).rejects.toThrow(/no chat missing/)
  })

  it('end of input in the middle of the intake declines the deploy and ends the chat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-chat-test-'))
    dirs.push(dir)
    const records: ServiceRecord[] = []
    const runtime = fakeRuntime(records, {catalog: MemoryCatalog.of(vault)})
    const io = new ScriptedIo(['deploy vault for umbrella'])
    const {agent, run} = session(runtime, io, new FileTranscriptStore(join(dir, 'chats')), 'c')
    await run()
    // Only the read that checks the name is free: nothing was deployed.
    expect(records.map((record) => record.service)).toEqual(['listInstances'])
    expect(io.text).toMatch(/not done: the questions were not answered \(end of input\)/)
    expect(invariantViolations(agent.log.events)).toEqual([])
  })
})

describe('transcript records', () => {
  it('mask known secret values and secret shapes in every string, keeping JSON intact', () => {
    const masked = maskRecord(
      {
        type: 'message',
        at: 'x',
        message: {role: 'user', content: `token ${TOKEN} and DB_PASSWORD="pa ss" and Bearer abcdefghijklmnop`},
      },
      [TOKEN],
    )
    expect(JSON.stringify(masked)).not.toContain(TOKEN)
    expect(masked.message.content).toBe('token *** and DB_PASSWORD="***" and Bearer ***')
  })

  it('a damaged last line (a crash mid-write) loses only that line', () => {
    const parsed = parseTranscript(
      '{"type":"meta","version":1,"id":"a","createdAt":"x","provider":"offline","model":"m"}\n{"type":"message","at":"x","message":{"role":"user","content":"hi"}}\n{"type":"message","at":"x","mess',
    )
    expect(parsed.messages).toEqual([{role: 'user', content: 'hi'}])
    expect(parsed.damaged).toBe(1)
  })

  it('ids sort by time', () => {
    expect(newChatId(new Date('2025-06-01T12:34:56.789Z'), 'A1b2C3d4')).toBe('20250601-123456-a1b2c3')
  })
})
