/**
 * The same chat as agent.test.ts, but ACHEEVY talks to a model: a local
 * server speaking OpenAI's chat completions wire format (SSE streaming,
 * native tool calls), reached through AIMS_AI_BASE_URL as an
 * OpenAI-compatible server would be. The scripted model proposes each tool
 * call; aims runs reads, asks before changes, needs the name typed for the
 * destroy, and sends every result back.
 */
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {ChatDriver, CONFIRM, PROMPT, TYPE_NAME} from '../support/chat-driver.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'
import type {FakeLlmServer} from '../support/fake-llm-common.js'
import {startFakeOpenAI} from '../support/fake-openai.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = `agt-oai-${randomBytes(3).toString('hex')}`
const INSTANCE = `${TENANT}/fixture-web`
let home: string
let server: FakeLlmServer

beforeAll(async () => {
  home = await homeWithHost()
  server = await startFakeOpenAI({
    textChunkChars: 7,
    script: [
      {toolCalls: [{id: 'call_ls', name: 'plug_ls', arguments: {tenant: TENANT}}]},
      {text: `Nothing is deployed for ${TENANT} yet.`},
      {
        text: 'I will deploy fixture-web.',
        toolCalls: [{id: 'call_up', name: 'plug_up', arguments: {plug: 'fixture-web', tenant: TENANT}}],
      },
      {text: `${INSTANCE} is ready.`},
      {toolCalls: [{id: 'call_logs', name: 'plug_logs', arguments: {instance: INSTANCE, tail: 20}}]},
      {text: 'It is listening on :8080 and answering its health checks.'},
      {toolCalls: [{id: 'call_restart', name: 'plug_restart', arguments: {instance: INSTANCE}}]},
      {text: 'Restarted, and healthy again.'},
      {toolCalls: [{id: 'call_down_1', name: 'plug_down', arguments: {instance: INSTANCE}}]},
      {text: 'Not done: the name was not typed.'},
      {toolCalls: [{id: 'call_down_2', name: 'plug_down', arguments: {instance: INSTANCE}}]},
      {text: `${INSTANCE} is gone.`},
    ],
  })
})
afterAll(async () => {
  await server?.close()
  await purgeTenant(TENANT)
})

/** The tool messages of one recorded request, by call id. */
const toolResults = (index: number): Record<string, any> =>
  Object.fromEntries(
    server.requests[index]!.body.messages.filter((message: any) => message.role === 'tool').map((message: any) => [
      message.tool_call_id,
      JSON.parse(message.content),
    ]),
  )

describe('aims chat over an OpenAI-compatible server (AIMS_AI_BASE_URL)', () => {
  it("runs the model's tool calls through the same gate, every result going back to it", async () => {
    const chat = new ChatDriver([], {
      home,
      env: {AIMS_CATALOG_PATH: FIXTURES, AIMS_AI_BASE_URL: server.url, AIMS_AI_MODEL: 'fake-gpt'},
    })
    const banner = await chat.answer(PROMPT, `what's running for ${TENANT}?`)
    expect(banner).toMatch(/ACHEEVY · openai-compatible fake-gpt · host vps/)
    await chat.answer(PROMPT, `spin up fixture-web for ${TENANT}`)
    await chat.answer(/What should the home page say\? \[.*\] $/, '')
    await chat.answer(/Which domain should it answer on\? \[.*\] $/, '')
    await chat.answer(/How big\? .*\] $/, '')
    await chat.answer(CONFIRM, 'yes')
    expect(await chat.waitFor(PROMPT)).toContain(`acheevy › ${INSTANCE} is ready.`)
    expect((await aimsObjects({'aims.tenant': TENANT})).containers).toEqual([`aims-${TENANT}-fixture-web-web`])

    chat.child.stdin!.write('show me its logs\n')
    expect(await chat.waitFor(PROMPT)).toContain('web | fixture web: listening on :8080')
    chat.child.stdin!.write('restart it\n')
    await chat.answer(CONFIRM, 'yes')
    expect(await chat.waitFor(PROMPT)).toMatch(/✓ restarted .*\n.*acheevy › Restarted, and healthy again\./)
    chat.child.stdin!.write('take it down\n')
    await chat.answer(TYPE_NAME('fixture-web'), 'no')
    await chat.waitFor(PROMPT)
    expect((await aimsObjects({'aims.tenant': TENANT})).containers).toHaveLength(1)
    chat.child.stdin!.write('take it down\n')
    await chat.answer(TYPE_NAME('fixture-web'), 'fixture-web')
    expect(await chat.waitFor(PROMPT)).toContain(`acheevy › ${INSTANCE} is gone.`)
    chat.child.stdin!.write('/exit\n')
    expect(await chat.end()).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})

    const out = join(tmpdir(), 'aims-agent-chat-openai.txt')
    writeFileSync(out, chat.stdout)
    console.log(`chat transcript (fake OpenAI server) written to ${out}`)

    // The model saw every result: 12 requests, each tool call answered in the next one.
    expect(server.unexpected).toEqual([])
    expect(server.remaining()).toBe(0)
    expect(server.requests).toHaveLength(12)
    expect(server.requests[0]!.body.tools.map((tool: any) => tool.function.name)).toContain('plug_down')
    expect(toolResults(1).call_ls).toMatchObject({summary: `Nothing is deployed on vps for tenant ${TENANT}.`})
    expect(toolResults(3).call_up).toMatchObject({status: 'ready', instance: INSTANCE})
    expect(String(toolResults(5).call_logs.logs)).toMatch(
      /^<<<UNTRUSTED DATA id=\w+ source="logs of [^"]+">>>[\s\S]*fixture web: listening on :8080[\s\S]*<<<END UNTRUSTED DATA id=\w+>>>$/,
    )
    expect(toolResults(7).call_restart).toMatchObject({status: 'applied'})
    expect(toolResults(9).call_down_1).toMatchObject({declined: true, reason: 'you typed "no", not "fixture-web"'})
    expect(toolResults(11).call_down_2).toMatchObject({status: 'applied'})

    const audit = (await aims(['audit', '--json'], {home}))
      .json()
      .records.filter((record: {target: string}) => record.target === INSTANCE)
    expect(
      audit.map((record: {action: string; origin: string; utterance: string}) => [
        record.action,
        record.origin,
        record.utterance,
      ]),
    ).toEqual([
      ['plug up', 'chat', `spin up fixture-web for ${TENANT}`],
      ['plug restart', 'chat', 'restart it'],
      ['plug down', 'chat', 'take it down'],
    ])
  })

  it('aims ask --dry-run --json with a model: the first change it proposes is the contract, and nothing runs', async () => {
    const before = server.requests.length
    server.enqueue({
      text: 'Deploying.',
      toolCalls: [{id: 'call_dry', name: 'plug_up', arguments: {plug: 'fixture-web', tenant: TENANT, memory: '256M'}}],
    })
    const ask = await aims(['ask', `put a fixture web with 256 megs on ${TENANT}`, '--dry-run', '--json'], {
      home,
      env: {AIMS_CATALOG_PATH: FIXTURES, AIMS_AI_BASE_URL: server.url},
    })
    expect(ask.code, ask.stderr).toBe(0)
    expect(ask.json()).toMatchObject({
      argv: ['plug', 'up', 'fixture-web', '--tenant', TENANT, '--memory', '256m'],
      mutates: true,
      destructive: false,
      status: 'proposed',
      provider: 'openai-compatible',
    })
    // The proposal ends the turn: no second request, nothing deployed.
    expect(server.requests.length - before).toBe(1)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    expect(server.unexpected).toEqual([])
  })
})
