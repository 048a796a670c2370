import {describe, expect, it} from 'vitest'
import {
  checkIntakeAnswer,
  envFromConversation,
  parseSizeAnswer,
  planIntake,
  type IntakeMemory,
} from '../../../../src/core/agent/intake.js'
import {testPlug} from '../../../support/catalog-fakes.js'
import {fixturePlug} from '../../../support/agent-fakes.js'

const n8nLike = testPlug('automate', {
  env: {
    N8N_HOST: {description: 'public host name', question: 'Which host name will people use?', required: true},
    ADMIN_PASSWORD: {description: 'admin password', secret: true, required: true},
    TZ: {description: 'time zone', question: 'Which time zone?', default: 'UTC'},
    LOG_LEVEL: {description: 'log level', default: 'info'},
    ENCRYPTION_KEY: {description: 'encryption key', secret: true, generate: {length: 32}},
  },
})

const ids = (plan: ReturnType<typeof planIntake>) => plan.questions.map((question) => question.id)

describe('planIntake (needs analysis before a deploy)', () => {
  it('asks required settings, optional ones with a question, tenant, domain and size; never generated or plain-default ones', () => {
    const plan = planIntake(
      n8nLike,
      {plug: 'automate', env: []},
      {conversation: [], memory: new Map(), defaultTenant: 'default', hostDomain: 'vps.example.com'},
    )
    expect(ids(plan)).toEqual(['env:N8N_HOST', 'env:ADMIN_PASSWORD', 'env:TZ', 'tenant', 'domain', 'size'])
    expect(plan.questions.find((question) => question.id === 'env:ADMIN_PASSWORD')).toMatchObject({
      required: true,
      secret: true,
    })
    expect(plan.questions.find((question) => question.id === 'env:TZ')).toMatchObject({
      required: false,
      fallback: '"UTC"',
    })
    expect(plan.questions.find((question) => question.id === 'domain')?.fallback).toBe(
      'automate.default.vps.example.com',
    )
    expect(plan.skipped).toEqual(
      expect.arrayContaining([
        {id: 'env:LOG_LEVEL', why: 'default'},
        {id: 'env:ENCRYPTION_KEY', why: 'generated'},
      ]),
    )
  })

  it('skips what the tool call, the conversation or an earlier answer already says', () => {
    const memory: IntakeMemory = new Map([
      ['automate:env:TZ', 'Europe/Paris'],
      ['automate:size', ''],
    ])
    const plan = planIntake(
      n8nLike,
      {plug: 'automate', tenant: 'acme', domain: 'flows.acme.com', env: [['N8N_HOST', 'flows.acme.com']]},
      {
        conversation: ['deploy automate for acme with ADMIN_PASSWORD=hunter22 please'],
        memory,
        defaultTenant: 'default',
      },
    )
    expect(ids(plan)).toEqual([])
    expect(plan.filled).toEqual({'env:ADMIN_PASSWORD': 'hunter22', 'env:TZ': 'Europe/Paris'})
    expect(plan.skipped).toEqual([
      {id: 'env:N8N_HOST', why: 'given'},
      {id: 'env:ADMIN_PASSWORD', why: 'conversation'},
      {id: 'env:TZ', why: 'answered'},
      {id: 'env:LOG_LEVEL', why: 'default'},
      {id: 'env:ENCRYPTION_KEY', why: 'generated'},
      {id: 'tenant', why: 'given'},
      {id: 'domain', why: 'given'},
      {id: 'size', why: 'answered'},
    ])
  })

  it('for the fixture plug: the greeting (optional, with a question), tenant, domain, size', () => {
    const plan = planIntake(
      fixturePlug(),
      {plug: 'fixture-web', env: []},
      {conversation: [], memory: new Map(), defaultTenant: 'default'},
    )
    expect(plan.questions.map((question) => [question.id, question.fallback])).toEqual([
      ['env:GREETING', '"hello from the aims fixture"'],
      ['tenant', 'default'],
      ['domain', "none: reachable on the host's 127.0.0.1 port"],
      ['size', '0.25 CPU, 64 MiB'],
    ])
  })

  it('reads KEY=VALUE from the conversation only for keys the plug declares, quotes removed, last wins', () => {
    expect(envFromConversation(['set TZ=UTC and FOO=1', 'no wait, TZ="Europe/Paris"'], ['TZ'])).toEqual({
      TZ: 'Europe/Paris',
    })
  })
})

describe('checking answers', () => {
  const question = (id: string) =>
    planIntake(
      n8nLike,
      {plug: 'automate', env: []},
      {conversation: [], memory: new Map(), defaultTenant: 'default'},
    ).questions.find((item) => item.id === id)!
  it('an empty answer takes the fallback, unless the setting is required', () => {
    expect(checkIntakeAnswer(question('env:TZ'), '', n8nLike)).toBe('')
    expect(() => checkIntakeAnswer(question('env:N8N_HOST'), '  ', n8nLike)).toThrow(/N8N_HOST is required/)
  })
  it('tenants and domains are checked as the CLI checks them', () => {
    expect(checkIntakeAnswer(question('tenant'), 'Acme', n8nLike)).toBe('acme')
    expect(() => checkIntakeAnswer(question('tenant'), 'acme corp', n8nLike)).toThrow(/tenant/)
    expect(checkIntakeAnswer(question('domain'), 'https://flows.acme.com/', n8nLike)).toBe('flows.acme.com')
    expect(checkIntakeAnswer(question('domain'), 'none', n8nLike)).toBe('')
    expect(() => checkIntakeAnswer(question('domain'), 'not a domain', n8nLike)).toThrow()
  })
  it('sizes: memory and/or CPUs in a few phrasings', () => {
    expect(parseSizeAnswer('512m')).toEqual({memory: '512m'})
    expect(parseSizeAnswer('0.5 cpu')).toEqual({cpus: '0.5'})
    expect(parseSizeAnswer('2 cpus, 1g')).toEqual({cpus: '2', memory: '1g'})
    expect(parseSizeAnswer('1 gig memory and 2cores')).toEqual({cpus: '2', memory: '1g'})
    expect(() => parseSizeAnswer('huge')).toThrow(/could not read "huge"/)
  })
})
