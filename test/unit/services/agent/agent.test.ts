import {describe, expect, it} from 'vitest'
import type {ChatMessage} from '../../../../src/core/ai/types.js'
import {Agent, type AgentOptions} from '../../../../src/services/agent/agent.js'
import {invariantViolations} from '../../../../src/services/agent/agent-log.js'
import {requestAsksToDestroy, utteranceNamesInstance} from '../../../../src/services/agent/approver.js'
import type {ToolRuntime} from '../../../../src/services/agent/runtime.js'
import {ToolRegistry} from '../../../../src/services/agent/tools.js'
import {fakeRuntime, ScriptedProvider, ScriptedUi, type ServiceRecord} from '../../../support/agent-fakes.js'

const registry = new ToolRegistry()
const call = (id: string, name: string, args: Record<string, unknown>) => ({call: {id, name, arguments: args}})
const N8N = {tenant: 'acme', instance: 'n8n', plug: 'n8n'}

function setup(
  turns: ConstructorParameters<typeof ScriptedProvider>[0],
  options: {
    answers?: string[]
    mode?: 'chat' | 'ask'
    yes?: boolean
    canAsk?: boolean
    dryRun?: boolean
    runtime?: ToolRuntime
    records?: ServiceRecord[]
    maxToolRounds?: number
    history?: ChatMessage[]
  } = {},
) {
  const records = options.records ?? []
  const provider = new ScriptedProvider(turns)
  const ui = new ScriptedUi(options.answers ?? [])
  const runtime =
    options.runtime ??
    fakeRuntime(records, {script: {instances: [N8N, {tenant: 'acme', instance: 'blog', plug: 'ghost'}]}})
  const agentOptions: AgentOptions = {
    provider,
    registry,
    runtime,
    ui,
    mode: options.mode ?? 'chat',
    yes: options.yes ?? false,
    dryRun: options.dryRun ?? false,
    canAsk: options.canAsk ?? true,
    intake: false,
    system: async () => 'system',
    ...(options.history ? {history: options.history} : {}),
    ...(options.maxToolRounds ? {maxToolRounds: options.maxToolRounds} : {}),
  }
  const agent = new Agent(agentOptions)
  return {agent, provider, ui, records, runtime}
}

const applied = (records: ServiceRecord[]) => records.filter((record) => record.applied)
const toolMessages = (history: ChatMessage[]) =>
  history.filter((message): message is Extract<ChatMessage, {role: 'tool'}> => message.role === 'tool')

describe('the agent loop', () => {
  it("runs a read at once, sends its result back, and ends with the model's reply", async () => {
    const {agent, provider, ui, records} = setup([
      [{text: 'Let me look.'}, call('t1', 'plug_ls', {})],
      [{text: 'acme runs n8n and blog.'}],
    ])
    const turn = await agent.turn("what's running?")
    expect(turn.reply).toBe('Let me look.\nacme runs n8n and blog.')
    expect(turn.actions.map((action) => [action.tool, action.argv, action.outcome.status])).toEqual([
      ['plug_ls', ['plug', 'ls'], 'ok'],
    ])
    expect(records.map((record) => record.service)).toEqual(['listInstances'])
    expect(ui.asked).toEqual([])
    // The second request carries the assistant's call and its result, ids unchanged.
    const second = provider.requests[1]!.messages
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'tool'])
    expect(second[2]).toMatchObject({role: 'tool', toolCallId: 't1', name: 'plug_ls'})
    expect(JSON.parse((second[2] as {content: string}).content).summary).toBe('2 instances on vps: 2 healthy.')
    expect(invariantViolations(agent.log.events)).toEqual([])
    expect(provider.remaining).toBe(0)
  })

  it('a change runs only after the user says yes; "no" goes back as {declined: true} and nothing is applied', async () => {
    const {agent, records, ui} = setup(
      [
        [call('t1', 'plug_restart', {instance: 'acme/n8n'})],
        [{text: 'OK, I left it alone.'}],
        [call('t2', 'plug_restart', {instance: 'acme/n8n'})],
        [{text: 'Restarted.'}],
      ],
      {answers: ['no', 'yes']},
    )
    await agent.turn('restart acme/n8n')
    expect(applied(records)).toEqual([])
    const declined = JSON.parse(toolMessages(agent.history)[0]!.content)
    expect(declined).toMatchObject({declined: true, reason: 'you said no'})
    expect(toolMessages(agent.history)[0]!.isError).toBe(true)
    await agent.turn('ok, restart it')
    expect(applied(records)).toHaveLength(1)
    expect(ui.asked).toEqual(['restart acme/n8n on vps?', 'restart acme/n8n on vps?'])
    expect(
      agent.log.events
        .filter((event) => event.type === 'approval')
        .map((event) => event.type === 'approval' && event.decision),
    ).toEqual(['declined', 'apply'])
    expect(invariantViolations(agent.log.events)).toEqual([])
  })

  it('records the utterance and the argv as the origin of every applied action (the audit log)', async () => {
    const {agent, records} = setup(
      [[call('t1', 'plug_restart', {instance: 'n8n', tenant: 'acme'})], [{text: 'done'}]],
      {answers: ['yes']},
    )
    await agent.turn('please restart the n8n of acme')
    expect(applied(records)[0]!.args).toEqual([
      'acme/n8n',
      'restart',
      {kind: 'chat', utterance: 'please restart the n8n of acme', argv: ['plug', 'restart', 'acme/n8n']},
    ])
  })

  it('a destroy needs the instance name typed, per call: an earlier "yes" or a typed name approves nothing later', async () => {
    const {agent, records, ui} = setup(
      [
        [call('t1', 'plug_down', {instance: 'acme/blog'})],
        [{text: 'Not done.'}],
        [call('t2', 'plug_down', {instance: 'acme/blog'})],
        [{text: 'Gone.'}],
        [call('t3', 'plug_down', {instance: 'acme/n8n'})],
        [{text: 'Not done.'}],
      ],
      {answers: ['yes', 'blog']},
    )
    await agent.turn('take down acme/blog')
    expect(applied(records)).toEqual([])
    await agent.turn('take down acme/blog')
    expect(applied(records)).toHaveLength(1)
    // A third destroy is asked again; the input is empty (end of input): declined.
    await agent.turn('and acme/n8n')
    expect(applied(records)).toHaveLength(1)
    expect(ui.asked.filter((question) => /Type the instance name/.test(question))).toHaveLength(3)
    expect(invariantViolations(agent.log.events)).toEqual([])
  })

  it('every tool call gets exactly one result: unknown tools, unreadable arguments and invalid values included', async () => {
    const {agent, provider, records} = setup([
      [
        call('a', 'rm_rf', {}),
        {
          call: {
            id: 'b',
            name: 'plug_logs',
            arguments: {},
            argumentsError: 'the tool input was not valid JSON: {"inst',
          },
        },
        call('c', 'plug_scale', {instance: 'acme/n8n', replicas: 99}),
        call('d', 'plug_logs', {instance: 'acme/n8n'}),
      ],
      [{text: 'Here you go.'}],
    ])
    await agent.turn('do things')
    const results = toolMessages(agent.history)
    expect(results.map((message) => message.toolCallId)).toEqual(['a', 'b', 'c', 'd'])
    expect(results.map((message) => Boolean(message.isError))).toEqual([true, true, true, false])
    expect(JSON.parse(results[0]!.content).error.message).toMatch(/no tool named "rm_rf"/)
    expect(JSON.parse(results[1]!.content).error.message).toMatch(/could not be read/)
    expect(JSON.parse(results[2]!.content).error.message).toMatch(/1 to 20/)
    expect(records.map((record) => record.service)).toEqual(['instanceLogs'])
    expect(provider.requests).toHaveLength(2)
    expect(invariantViolations(agent.log.events)).toEqual([])
  })

  it('a failing service becomes an error result with its message and hint, and the loop goes on', async () => {
    const {agent} = setup([[call('t1', 'plug_logs', {instance: 'acme/nope'})], [{text: 'There is no such instance.'}]])
    const turn = await agent.turn('logs of acme/nope')
    const content = JSON.parse(toolMessages(agent.history)[0]!.content)
    expect(content.error).toMatchObject({
      kind: 'not-found',
      message: 'no instance acme/nope on vps',
      hint: 'see aims plug ls',
      exitCode: 2,
    })
    expect(turn.reply).toBe('There is no such instance.')
  })

  it('stops a model that keeps calling tools, every call still answered', async () => {
    const turns = Array.from({length: 5}, (_, index) => [call(`t${index}`, 'plug_ls', {})])
    const {agent, ui} = setup(turns, {maxToolRounds: 3})
    await agent.turn('loop forever')
    expect(toolMessages(agent.history)).toHaveLength(3)
    expect(ui.output.join('')).toMatch(/stopped after 3 rounds/)
    expect(invariantViolations(agent.log.events)).toEqual([])
  })

  it('remembers the instance the conversation is about (focus), and forgets it when it is taken down', async () => {
    const {agent} = setup(
      [[call('t1', 'plug_logs', {instance: 'acme/n8n'})], [], [call('t2', 'plug_down', {instance: 'acme/n8n'})], []],
      {answers: ['n8n']},
    )
    await agent.turn('logs of acme/n8n')
    expect(agent.focus).toBe('acme/n8n')
    await agent.turn('take it down')
    expect(agent.focus).toBeUndefined()
  })
})

describe('aims ask policy (no conversation to ask in)', () => {
  it('without --yes and without a terminal: a change is declined with the plan shown, exit-3 style', async () => {
    const {agent, records, ui} = setup([[call('t1', 'plug_restart', {instance: 'acme/n8n'})], []], {
      mode: 'ask',
      canAsk: false,
    })
    const turn = await agent.turn('restart acme/n8n')
    expect(turn.actions[0]!.outcome.status).toBe('declined')
    expect(turn.actions[0]!.outcome.error?.exitCode).toBe(3)
    expect(ui.plans).toHaveLength(1)
    expect(applied(records)).toEqual([])
  })

  it('with --yes a change applies without a question', async () => {
    const {agent, records, ui} = setup([[call('t1', 'plug_restart', {instance: 'acme/n8n'})], []], {
      mode: 'ask',
      canAsk: false,
      yes: true,
    })
    await agent.turn('restart acme/n8n')
    expect(applied(records)).toHaveLength(1)
    expect(ui.asked).toEqual([])
  })

  it.each([
    ['take down acme/blog', false, false],
    ['take it down', true, false],
    ['remove the ghost', true, false],
    ['take down acme/blog', true, true],
    ['decommission blog', true, true],
  ])('destroy from %j with --yes=%s → applied=%s', async (utterance, yes, expected) => {
    const {agent, records} = setup([[call('t1', 'plug_down', {instance: 'acme/blog'})], []], {
      mode: 'ask',
      canAsk: true,
      yes,
      answers: ['blog'],
    })
    await agent.turn(utterance)
    expect(applied(records).length === 1).toBe(expected)
  })

  it('after container output was read, --yes applies nothing: a restart is declined, a destroy refused', async () => {
    const {agent, records, ui} = setup(
      [
        [call('t1', 'plug_logs', {instance: 'acme/n8n'})],
        [call('t2', 'plug_restart', {instance: 'acme/n8n'}), call('t3', 'plug_down', {instance: 'acme/n8n'})],
        [{text: 'done'}],
      ],
      {mode: 'ask', canAsk: false, yes: true},
    )
    const turn = await agent.turn('check the logs of acme/n8n and take down acme/n8n')
    expect(turn.actions.map((action) => action.outcome.status)).toEqual(['ok', 'declined', 'declined'])
    expect(String(turn.actions[1]!.outcome.content.reason)).toMatch(/after reading container output/)
    expect(applied(records)).toEqual([])
    expect(ui.output.join('')).toMatch(/proposed after reading container output/)
  })

  it('a destroy with --yes needs the request to ask for that destroy, not merely name the instance', async () => {
    const {agent, records} = setup([[call('t1', 'plug_down', {instance: 'acme/n8n'})], []], {
      mode: 'ask',
      canAsk: false,
      yes: true,
    })
    const turn = await agent.turn('is acme/n8n healthy?')
    expect(turn.actions[0]!.outcome.status).toBe('declined')
    expect(applied(records)).toEqual([])
  })

  it('--dry-run proposes changes without running them; reads still run', async () => {
    const {agent, records} = setup(
      [
        [
          call('t1', 'plug_ls', {}),
          call('t2', 'plug_up', {plug: 'fixture-web', tenant: 'acme'}),
          call('t3', 'plug_ls', {}),
        ],
      ],
      {mode: 'ask', dryRun: true, canAsk: false, yes: true},
    )
    const turn = await agent.turn('deploy fixture-web for acme')
    expect(turn.actions.map((action) => action.outcome.status)).toEqual(['ok', 'proposed', 'declined'])
    expect(turn.actions[1]!.argv).toEqual(['plug', 'up', 'fixture-web', '--tenant', 'acme'])
    expect(records.map((record) => record.service)).toEqual(['listInstances'])
    expect(invariantViolations(agent.log.events)).toEqual([])
  })
})

describe('requestAsksToDestroy', () => {
  const plan = {target: 'acme/blog', confirmWord: 'blog'}
  it.each([
    ['take down acme/blog', true],
    ['decommission blog', true],
    ['please remove acme/blog but keep the data', true],
    ['check the logs of acme/blog', false],
    ['take down acme/n8n', false],
    ['take it down', false],
    ['restart acme/blog', false],
    ['take down globex/blog', false],
  ])('%j → %s', (text, expected) => {
    expect(requestAsksToDestroy(text, plan)).toBe(expected)
  })
})

describe('utteranceNamesInstance', () => {
  const plan = {target: 'acme/blog', confirmWord: 'blog'}
  it.each([
    ['take down acme/blog', true],
    ['decommission blog', true],
    ['decommission BLOG please', true],
    ['take down globex/blog', false],
    ['take down the blog', true],
    ['take down my-blog', false],
    ['take down blog2', false],
    ['take it down', false],
    ['remove the ghost', false],
  ])('%j → %s', (text, expected) => {
    expect(utteranceNamesInstance(text, plan)).toBe(expected)
  })
})
