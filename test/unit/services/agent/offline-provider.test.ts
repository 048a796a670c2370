import {describe, expect, it} from 'vitest'
import type {ChatMessage, ProviderEvent} from '../../../../src/core/ai/types.js'
import type {IntentContext} from '../../../../src/core/intents/index.js'
import {Agent} from '../../../../src/services/agent/agent.js'
import {invariantViolations} from '../../../../src/services/agent/agent-log.js'
import {OfflineChatProvider} from '../../../../src/services/agent/offline-provider.js'
import {ToolRegistry} from '../../../../src/services/agent/tools.js'
import {fakeRuntime, ScriptedUi, type ServiceRecord} from '../../../support/agent-fakes.js'
import {collect, textDeltas, toolCalls} from '../../../support/provider-events.js'
import {catalog, instances} from '../../core/intents/fixture.js'

const registry = new ToolRegistry()

function provider(context: Partial<IntentContext> = {}, host = 'vps') {
  return new OfflineChatProvider({
    registry,
    context: async () => ({catalog, instances, defaultTenant: 'default', ...context}),
    hostName: () => host,
  })
}

const say = (...texts: string[]): ChatMessage[] =>
  texts.map((content, index) => (index % 2 === 0 ? {role: 'user', content} : {role: 'assistant', content}))

async function events(messages: ChatMessage[], context: Partial<IntentContext> = {}): Promise<ProviderEvent[]> {
  const collected = await collect(provider(context).stream({system: '', messages, tools: registry.specs}))
  if (collected.error) throw collected.error
  return collected.events
}

describe('the offline provider', () => {
  it.each([
    ['spin up n8n for hooli', 'plug_up', {plug: 'n8n', tenant: 'hooli'}],
    ["what's running?", 'plug_ls', {}],
    ['show me the last 100 lines of logs for acme/n8n', 'plug_logs', {instance: 'acme/n8n', tail: '100'}],
    ["scale acme's n8n to 3 replicas", 'plug_scale', {instance: 'acme/n8n', replicas: '3'}],
    ['decommission the gitea instance', 'plug_down', {instance: 'gitea'}],
    ['export uptime kuma so the client can self host', 'export', {target: 'uptime-kuma'}],
    ['find me something for monitoring', 'catalog_search', {query: 'monitoring'}],
  ])('%j → one %s call whose arguments the tool accepts', async (text, tool, args) => {
    const emitted = await events(say(text))
    expect(emitted.map((event) => event.type)).toEqual(['tool-call', 'done'])
    const [call] = toolCalls(emitted)
    expect(call).toMatchObject({name: tool, arguments: args})
    expect(() => registry.get(tool)!.parse(call!.arguments)).not.toThrow()
  })

  it('asks one question when a name is ambiguous, and the next message answers it (by number or by value)', async () => {
    const question = await events(say('restart n8n'))
    const text = textDeltas(question).join('')
    expect(text).toMatch(
      /^Which n8n should I restart: acme\/n8n or globex\/n8n\?\n {2}1\. acme\/n8n\n {2}2\. globex\/n8n$/,
    )
    const byNumber = await events(say('restart n8n', text, '2'))
    expect(toolCalls(byNumber)[0]).toMatchObject({name: 'plug_restart', arguments: {instance: 'globex/n8n'}})
    const byValue = await events(say('restart n8n', text, 'acme/n8n'))
    expect(toolCalls(byValue)[0]).toMatchObject({name: 'plug_restart', arguments: {instance: 'acme/n8n'}})
    // Something that is not an option is a new request.
    const other = await events(say('restart n8n', text, "what's running?"))
    expect(toolCalls(other)[0]).toMatchObject({name: 'plug_ls'})
  })

  it('understands "it" through the focus the agent keeps', async () => {
    expect(toolCalls(await events(say('restart it'), {focus: 'acme/blog'}))[0]).toMatchObject({
      name: 'plug_restart',
      arguments: {instance: 'acme/blog'},
    })
  })

  it('answers in words what it cannot or will not run here', async () => {
    expect(textDeltas(await events(say('hello'))).join('')).toMatch(/^Hi, I am ACHEEVY\. I can:/)
    expect(textDeltas(await events(say('open the dock'))).join('')).toMatch(
      /^That is `aims dock`: run it in your terminal/,
    )
    expect(textDeltas(await events(say('restart acme/n8n on host prod'))).join('')).toMatch(
      /This chat works on vps\. For host prod, run `aims plug restart acme\/n8n --host prod`/,
    )
    expect(textDeltas(await events(say('take everything down'))).join('')).toMatch(/one at a time/)
  })

  it('after results, speaks only of what did not happen', async () => {
    const history: ChatMessage[] = [
      {role: 'user', content: 'x'},
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          {id: 'a', name: 'plug_ls', arguments: {}},
          {id: 'b', name: 'plug_down', arguments: {}},
          {id: 'c', name: 'stats', arguments: {}},
        ],
      },
      {role: 'tool', toolCallId: 'a', name: 'plug_ls', content: JSON.stringify({summary: '2 instances'})},
      {
        role: 'tool',
        toolCallId: 'b',
        name: 'plug_down',
        content: JSON.stringify({summary: 'declined', declined: true, reason: 'you said no'}),
        isError: true,
      },
      {
        role: 'tool',
        toolCallId: 'c',
        name: 'stats',
        content: JSON.stringify({summary: 'stats is not available in this build of aims', available: false}),
      },
    ]
    expect(textDeltas(await events(history)).join('')).toBe(
      'Nothing was changed (you said no). Tell me what you would like instead.\nstats is not available in this build of aims.',
    )
  })
})

describe('the agent with the offline provider', () => {
  it('runs a chat: a read, a declined change, a confirmed one; every call answered, nothing applied without approval', async () => {
    const records: ServiceRecord[] = []
    const runtime = fakeRuntime(records, {script: {instances: [{tenant: 'acme', instance: 'n8n', plug: 'n8n'}]}})
    const ui = new ScriptedUi(['no', 'yes'])
    let agent: Agent | undefined
    const offline = new OfflineChatProvider({
      registry,
      context: async () => ({
        catalog,
        instances: [{tenant: 'acme', instance: 'n8n', plug: 'n8n'}],
        defaultTenant: 'default',
        ...(agent?.focus ? {focus: agent.focus} : {}),
      }),
    })
    agent = new Agent({
      provider: offline,
      registry,
      runtime,
      ui,
      mode: 'chat',
      canAsk: true,
      intake: false,
      system: async () => '',
    })
    await agent.turn('show me the logs of acme/n8n')
    await agent.turn('restart it')
    await agent.turn('restart it')
    expect(records.filter((record) => record.applied).map((record) => record.args[0])).toEqual(['acme/n8n'])
    expect(ui.output.join('')).toContain('Nothing was changed (you said no)')
    expect(invariantViolations(agent.log.events)).toEqual([])
    expect(agent.history.filter((message) => message.role === 'tool')).toHaveLength(3)
  })
})
