import {describe, expect, it} from 'vitest'
import {pairToolResults} from '../../../../src/core/ai/history.js'
import {isSecretLookingKey, maskSecretShapes, maskSecretValues, redactSecrets} from '../../../../src/core/ai/redact.js'
import type {ChatMessage} from '../../../../src/core/ai/types.js'

describe('secret masking', () => {
  it('masks known values, longest first, and ignores values too short to be secrets', () => {
    expect(maskSecretValues('a=abcdef12 b=abcdef1234 c=ab', ['abcdef12', 'abcdef1234', 'ab', undefined])).toBe(
      'a=*** b=*** c=ab',
    )
  })

  const shapes: Array<[string, string]> = [
    ['OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234', 'OPENAI_API_KEY=***'],
    ['key sk-ant-api03-abcdefghijklmnopqrstu in text', 'key *** in text'],
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=***'],
    ['dbPassword: "hunter2"', 'dbPassword: "***"'],
    ['{"api_key": "abc123", "user": "bob"}', '{"api_key": "***", "user": "bob"}'],
    ["SECRET_KEY_BASE='f00ba4'", "SECRET_KEY_BASE='***'"],
    ['N8N_ENCRYPTION_KEY=zzzz', 'N8N_ENCRYPTION_KEY=***'],
    ['token=abc, next=1', 'token=***, next=1'],
    ['Authorization: Bearer abcdefghijkl', 'Authorization: Bearer ***'],
    ['mysql://root:rootpw@db/app', 'mysql://root:***@db/app'],
    ['aws AKIAABCDEFGHIJKLMNOP here', 'aws *** here'],
    ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'gh ***'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----', '***'],
  ]
  it.each(shapes)('masks %j', (input, expected) => {
    expect(maskSecretShapes(input)).toBe(expected)
  })

  const harmless = [
    'author: bob',
    'passed: 3 tests',
    'keyboard=us',
    'monkey=1',
    'primary key: id',
    'tokens=512',
    'http://example.com:8080/path',
    'status: ok',
    'ERROR: disk full',
  ]
  it.each(harmless)('leaves %j alone', (input) => {
    expect(maskSecretShapes(input)).toBe(input)
  })

  it('classifies keys by their words', () => {
    for (const key of [
      'PASSWORD',
      'db_pass',
      'apiKey',
      'X-Api-Key',
      'client_secret',
      'GITEA__security__SECRET_KEY',
      'auth.token',
    ])
      expect(isSecretLookingKey(key), key).toBe(true)
    for (const key of ['key', 'passenger', 'author', 'tokens', 'hotkey', 'USER'])
      expect(isSecretLookingKey(key), key).toBe(false)
  })

  it('stays linear on long unbroken text', () => {
    const text = `${'A'.repeat(200_000)} ${'b=1 '.repeat(20_000)}`
    const started = performance.now()
    redactSecrets(text, ['zzzzzz'])
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('pairToolResults', () => {
  const call = (id: string) => ({id, name: 'plug_ls', arguments: {}})

  it('leaves a well-formed history unchanged', () => {
    const history: ChatMessage[] = [
      {role: 'user', content: 'hi'},
      {role: 'assistant', content: '', toolCalls: [call('a'), call('b')]},
      {role: 'tool', toolCallId: 'b', name: 'plug_ls', content: '{}'},
      {role: 'tool', toolCallId: 'a', name: 'plug_ls', content: '{}'},
      {role: 'assistant', content: 'done'},
    ]
    expect(pairToolResults(history)).toEqual(history)
  })

  it('answers a call left without result and drops results that answer nothing', () => {
    const paired = pairToolResults([
      {role: 'user', content: 'hi'},
      {role: 'tool', toolCallId: 'early', name: 'plug_ls', content: '{}'},
      {role: 'assistant', content: '', toolCalls: [call('a'), call('b')]},
      {role: 'tool', toolCallId: 'a', name: 'plug_ls', content: '{"ok":1}'},
      {role: 'tool', toolCallId: 'a', name: 'plug_ls', content: '{"dup":1}'},
      {role: 'user', content: 'and?'},
      {role: 'assistant', content: '', toolCalls: [call('c')]},
    ])
    expect(
      paired.map((message) =>
        message.role === 'tool' ? `tool:${message.toolCallId}${message.isError ? '!' : ''}` : message.role,
      ),
    ).toEqual(['user', 'assistant', 'tool:a', 'tool:b!', 'user', 'assistant', 'tool:c!'])
  })
})
