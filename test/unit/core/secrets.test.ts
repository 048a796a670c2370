import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {
  checkSecretName,
  checkSecretValue,
  envVarsForSecret,
  loginTargetForName,
  looksLikeKey,
  parseLoginTarget,
} from '../../../src/core/secrets.js'

const KEY = 'sk-ant-api03-SENTINELsentinel0123456789'

function failure(work: () => unknown): AimsError {
  try {
    work()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected a failure')
}

describe('parseLoginTarget', () => {
  it('names the secret, the env var that wins, and how to name it again', () => {
    expect(parseLoginTarget('anthropic', undefined, 'login')).toEqual({
      name: 'ai:anthropic',
      provider: 'anthropic',
      envVar: 'ANTHROPIC_API_KEY',
      label: 'anthropic',
      argv: ['anthropic'],
    })
    expect(parseLoginTarget('Claude', undefined, 'login').name).toBe('ai:anthropic')
    expect(parseLoginTarget('openai', undefined, 'logout')).toMatchObject({name: 'ai:openai', envVar: 'OPENAI_API_KEY'})
    expect(parseLoginTarget('openai-compatible', 'http://127.0.0.1:8000/', 'login')).toEqual({
      name: 'ai:openai-compatible:http://127.0.0.1:8000/v1',
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000/v1',
      envVar: 'AIMS_AI_API_KEY',
      label: 'openai-compatible http://127.0.0.1:8000/v1',
      argv: ['openai-compatible', 'http://127.0.0.1:8000/v1'],
    })
    // The same server however it is written: one secret.
    expect(parseLoginTarget('compatible', 'http://127.0.0.1:8000/v1/?x=1#y', 'login').name).toBe(
      'ai:openai-compatible:http://127.0.0.1:8000/v1',
    )
  })

  it('refuses a key given as an argument, without repeating it', () => {
    for (const [provider, url] of [
      [KEY, undefined],
      ['anthropic', KEY],
      ['openai', 'sk-proj-abcdefghijklmnopqrstuvwxyz'],
      ['openai-compatible', 'sk-local-0123456789abcdefghij'],
    ] as Array<[string, string | undefined]>) {
      const error = failure(() => parseLoginTarget(provider, url, 'login'))
      expect(error.message).toBe(
        'refusing a key given on the command line (it would stay in your shell history and the process list)',
      )
      expect(error.hint).toContain('--with-key-stdin')
      expect(error.line).not.toContain(KEY)
      expect(error.line).not.toContain('abcdefghij')
      expect(error.exitCode).toBe(2)
    }
  })

  it('bad input: one line, exit 2, the fix', () => {
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['antropic', undefined, /does not know the provider "antropic".*anthropic/],
      ['ollama', undefined, /does not know the provider "ollama"/],
      ['openai-compatible', undefined, /needs the server's URL/],
      ['openai-compatible', '', /needs the server's URL/],
      ['openai-compatible', 'ftp://x', /must be http or https/],
      ['openai-compatible', 'http://user:pw@127.0.0.1:8000', /must not carry credentials/],
      ['openai-compatible', '../etc/passwd', /is not a URL/],
      ['openai-compatible', '$(reboot)', /is not a URL/],
      ['anthropic', 'http://127.0.0.1:8000/v1', /takes no URL.*openai-compatible/],
      ['a;b', undefined, /does not know the provider/],
      ['`id`', undefined, /does not know the provider/],
      ['new\nline', undefined, /does not know the provider/],
      ['x'.repeat(5000), undefined, /does not know the provider|refusing a key/],
    ]
    for (const [provider, url, pattern] of cases) {
      const error = failure(() => parseLoginTarget(provider, url, 'login'))
      expect(error.line, `${provider} ${url}`).toMatch(pattern)
      expect(error.line).not.toContain('\n')
      expect(error.line).not.toContain(':pw@')
      expect(error.line.length).toBeLessThan(400)
      expect(error.exitCode).toBe(2)
    }
  })
})

describe('checkSecretValue', () => {
  it('drops the newline of echo and surrounding blanks', () => {
    expect(checkSecretValue(`  ${KEY}\r\n`)).toBe(KEY)
    expect(checkSecretValue(`\uFEFF${KEY}\n`)).toBe(KEY)
  })

  it('refuses empty, multi-line, spaced, control characters and huge input, never echoing it', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['  \n', /is empty/],
      [`${KEY}\n${KEY}`, /spaces, line breaks or control characters/],
      [`Bearer ${KEY}`, /spaces, line breaks or control characters/],
      [`${KEY}\u0007`, /control characters/],
      [`${KEY}\u001b[2J`, /control characters/],
      ['x'.repeat(20_000), /characters long, more than 16384/],
    ]
    for (const [value, pattern] of cases) {
      const error = failure(() => checkSecretValue(value))
      expect(error.line).toMatch(pattern)
      expect(error.line).not.toContain('SENTINEL')
      expect(error.line).not.toContain('xxxxxxxxxx')
    }
  })
})

describe('secret names', () => {
  it('accepts the kinds aims uses and refuses anything else', () => {
    for (const name of [
      'ai:anthropic',
      'registry:registry.example.com:5000',
      'stt:openai',
      'ai:openai-compatible:http://h:1/v1',
    ])
      expect(checkSecretName(name)).toBe(name)
    for (const name of ['', 'ai', ':x', 'Ai:x', 'ai:a b', 'ai:a\nb', 'ai:é', `ai:${'x'.repeat(513)}`])
      expect(() => checkSecretName(name)).toThrow('is not a secret name')
  })

  it('maps names back to login targets and to the env vars that win', () => {
    expect(loginTargetForName('ai:openai')?.argv).toEqual(['openai'])
    expect(loginTargetForName('ai:openai-compatible:http://127.0.0.1:8000/v1')?.label).toBe(
      'openai-compatible http://127.0.0.1:8000/v1',
    )
    expect(loginTargetForName('registry:example.com')).toBeUndefined()
    expect(envVarsForSecret('ai:anthropic')).toEqual(['ANTHROPIC_API_KEY'])
    expect(envVarsForSecret('ai:openai-compatible:http://127.0.0.1:8000/v1')).toEqual(['AIMS_AI_API_KEY'])
    expect(envVarsForSecret('registry:example.com')).toEqual([])
  })

  it('tells pasted keys from words and URLs', () => {
    expect(looksLikeKey(KEY)).toBe(true)
    expect(looksLikeKey('ghp_abcdefghijklmnop')).toBe(true)
    expect(looksLikeKey('anthropic')).toBe(false)
    expect(looksLikeKey('http://127.0.0.1:8000/v1')).toBe(false)
  })
})
