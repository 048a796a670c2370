import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import type {GateCheck, Plan} from '../../../src/core/plan/plan.js'
import {cliApprover, gateFailure, passGate} from '../../../src/services/gate.js'
import type {Prompter} from '../../../src/services/ports.js'
import {FakeApprover, rejection} from '../../support/lifecycle-fakes.js'

const pass = (id: GateCheck['id'], title: string): GateCheck => ({id, title, status: 'pass', detail: 'ok'})

function plan(overrides: Partial<Plan> = {}): Plan {
  return {
    action: 'plug-up',
    summary: 'Deploy n8n as acme/n8n on vps',
    host: 'vps',
    target: 'acme/n8n',
    destructive: false,
    facts: [],
    changes: [{action: 'create', kind: 'container', name: 'aims-acme-n8n-n8n'}],
    gates: [pass('catalog', 'catalog entry valid'), pass('names', 'names valid and free')],
    ...overrides,
  }
}

const quotaFail: GateCheck = {
  id: 'quota',
  title: 'tenant quota',
  status: 'fail',
  detail: 'tier free: 2 of 2 instances used',
  fix: 'raise the tier',
  exitCode: 1,
}
const costFail: GateCheck = {
  id: 'cost',
  title: 'estimated cost within limit',
  status: 'fail',
  detail: 'USD 9/month > limit USD 5',
  fix: 'raise it',
  exitCode: 1,
}
const namesFail: GateCheck = {
  id: 'names',
  title: 'names valid and free',
  status: 'fail',
  detail: 'acme/n8n already exists',
  fix: 'choose another name with --name',
  exitCode: 2,
}

/** A prompter that answers as scripted and records the questions; unscripted questions fail the test. */
class ScriptedPrompter implements Prompter {
  readonly questions: string[] = []
  constructor(
    readonly interactive: boolean,
    private readonly answers: {confirm?: boolean; input?: string} = {},
  ) {}
  async confirm(message: string): Promise<boolean> {
    this.questions.push(message)
    if (this.answers.confirm === undefined) throw new Error(`unexpected confirm: ${message}`)
    return this.answers.confirm
  }
  async input(message: string): Promise<string> {
    this.questions.push(message)
    if (this.answers.input === undefined) throw new Error(`unexpected input: ${message}`)
    return this.answers.input
  }
}

describe('passGate', () => {
  it('shows the plan, then asks', async () => {
    const approver = new FakeApprover('apply')
    expect(await passGate(plan(), approver)).toBe('apply')
    expect(approver.events).toEqual(['show', 'decide'])
  })

  it('returns a dry-run decision as it is', async () => {
    expect(await passGate(plan(), new FakeApprover('dry-run'))).toBe('dry-run')
  })

  it('passes a refusal through', async () => {
    const error = await rejection(passGate(plan(), new FakeApprover(new AimsError('not-confirmed', 'not confirmed'))))
    expect(error.exitCode).toBe(3)
  })

  it('shows a plan whose gates failed, never asks, and fails with the first gate and its fix (exit 1)', async () => {
    const approver = new FakeApprover('unexpected')
    const failing = plan({gates: [pass('catalog', 'catalog entry valid'), quotaFail, costFail]})
    const error = await rejection(passGate(failing, approver))
    expect(approver.events).toEqual(['show'])
    expect(error).toMatchObject({kind: 'quota', exitCode: 1, hint: 'raise the tier'})
    expect(error.message).toBe(
      'pre-flight gate "tenant quota" failed: tier free: 2 of 2 instances used (and estimated cost within limit)',
    )
    expect(error.details?.gates).toEqual(failing.gates)
  })

  it('exits 2 when any failed gate is bad input, even when it is not the first', async () => {
    const error = await rejection(passGate(plan({gates: [quotaFail, namesFail]}), new FakeApprover('unexpected')))
    expect(error).toMatchObject({kind: 'usage', exitCode: 2, hint: 'raise the tier'})
  })

  it('ignores warnings', () => {
    expect(
      gateFailure(plan({gates: [{id: 'capacity', title: 'host capacity', status: 'warn', detail: 'tight'}]})),
    ).toBeUndefined()
  })
})

describe('cliApprover', () => {
  const shownPlans: Plan[] = []
  const approver = (options: {yes?: boolean; dryRun?: boolean; prompter: Prompter}) =>
    cliApprover({yes: false, dryRun: false, show: (shown) => shownPlans.push(shown), ...options})

  it('shows through the given function', () => {
    approver({prompter: new ScriptedPrompter(false)}).show(plan())
    expect(shownPlans.at(-1)?.target).toBe('acme/n8n')
  })

  it('--dry-run decides dry-run without asking, even with --yes', async () => {
    expect(await approver({dryRun: true, yes: true, prompter: new ScriptedPrompter(true)}).decide(plan())).toBe(
      'dry-run',
    )
  })

  it('--yes applies without asking, destructive plans included', async () => {
    const prompter = new ScriptedPrompter(false)
    expect(await approver({yes: true, prompter}).decide(plan({destructive: true, confirmWord: 'n8n'}))).toBe('apply')
    expect(prompter.questions).toEqual([])
  })

  it('refuses with exit 3 when there is no TTY and no --yes', async () => {
    const error = await rejection(approver({prompter: new ScriptedPrompter(false)}).decide(plan()))
    expect(error).toMatchObject({
      kind: 'not-confirmed',
      exitCode: 3,
      message: 'not confirmed: Deploy n8n as acme/n8n on vps',
    })
    expect(error.hint).toMatch(/--yes/)
  })

  it('asks on a TTY and applies on yes', async () => {
    const prompter = new ScriptedPrompter(true, {confirm: true})
    expect(await approver({prompter}).decide(plan())).toBe('apply')
    expect(prompter.questions).toEqual(['Deploy n8n as acme/n8n on vps?'])
  })

  it('refuses on no, with exit 3', async () => {
    const error = await rejection(approver({prompter: new ScriptedPrompter(true, {confirm: false})}).decide(plan()))
    expect(error).toMatchObject({kind: 'not-confirmed', exitCode: 3, hint: 'nothing was changed'})
  })

  it('makes the user type the instance name for a destructive plan, and mentions the data when volumes go', async () => {
    const prompter = new ScriptedPrompter(true, {input: '  n8n '})
    const destructive = plan({
      destructive: true,
      confirmWord: 'n8n',
      changes: [{action: 'remove', kind: 'volume', name: 'aims-acme-n8n-data'}],
    })
    expect(await approver({prompter}).decide(destructive)).toBe('apply')
    expect(prompter.questions).toEqual([
      'This destroys acme/n8n and its data. Type the instance name (n8n) to confirm:',
    ])
  })

  it('does not mention data when the volumes are kept', async () => {
    const prompter = new ScriptedPrompter(true, {input: 'n8n'})
    await approver({prompter}).decide(
      plan({destructive: true, confirmWord: 'n8n', changes: [{action: 'keep', kind: 'volume', name: 'v'}]}),
    )
    expect(prompter.questions[0]).toBe('This destroys acme/n8n. Type the instance name (n8n) to confirm:')
  })

  it.each(['N8N', 'n8', 'yes', '', 'acme/n8n'])(
    'refuses a destructive plan when %j is typed instead of the name',
    async (typed) => {
      const error = await rejection(
        approver({prompter: new ScriptedPrompter(true, {input: typed})}).decide(
          plan({destructive: true, confirmWord: 'n8n'}),
        ),
      )
      expect(error).toMatchObject({kind: 'not-confirmed', exitCode: 3, hint: 'nothing was changed'})
      expect(error.message).toBe(`not confirmed: you typed ${JSON.stringify(typed.trim())}, not "n8n"`)
    },
  )
})
