import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {
  checkPreferenceKey,
  flattenPreferences,
  getPreference,
  parsePreference,
  PREFERENCE_KEYS,
  readPreferences,
  setPreference,
} from '../../../src/core/preferences.js'

function refusal(key: string, value?: string): AimsError {
  try {
    if (value === undefined) checkPreferenceKey(key)
    else parsePreference(key, value)
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    expect((error as AimsError).exitCode).toBe(2)
    return error as AimsError
  }
  throw new Error(`expected ${key}=${String(value)} to be refused`)
}

describe('parsePreference: accepted values', () => {
  it.each([
    ['default-tenant', 'acme', 'acme'],
    ['ai.provider', 'anthropic', 'anthropic'],
    ['ai.provider', 'llama.cpp', 'llama.cpp'],
    ['ai.model', '  claude-sonnet  ', 'claude-sonnet'],
    ['ai.base-url', 'http://127.0.0.1:11434/v1/', 'http://127.0.0.1:11434/v1'],
    ['ai.base-url', 'https://llm.example.com', 'https://llm.example.com'],
    ['ai.tools', 'on', true],
    ['ai.tools', 'yes', true],
    ['ai.tools', 'false', false],
    ['ai.timeout', '5', 5],
    ['ai.timeout', '3600', 3600],
    ['catalog.paths', '/a:/b::/c', ['/a', '/b', '/c']],
    ['catalog.paths', '["/dir"]', ['/dir']],
    ['catalog.paths', '[" /a ", "/b:c"]', ['/a', '/b:c']],
    ['tenants.acme.tier', 'pro', 'pro'],
    ['tenants.acme.spending-limit', '25', 25],
    ['tenants.acme.spending-limit', '4.5', 4.5],
    ['tiers.free.instances', '0', 0],
    ['tiers.pro.cpus', '8', 8],
    ['tiers.starter.memory', '4g', 4 * 1024 ** 3],
    ['prices.currency', 'EUR', 'EUR'],
    ['prices.cpu-monthly', '3.5', 3.5],
    ['prices.memory-gib-monthly', '2', 2],
    ['prices.disk-gib-monthly', '0.1', 0.1],
    ['network.pool', '10.210.0.0/16', '10.210.0.0/16'],
    ['network.tenant-prefix', '24', 24],
    ['network.instance-prefix', '29', 29],
  ])('%s = %j', (key, value, parsed) => {
    expect(parsePreference(key, value)).toEqual(parsed)
  })

  it('every known key has a test above', () => {
    expect(PREFERENCE_KEYS.map((spec) => spec.pattern)).toEqual([
      'default-tenant',
      'ai.provider',
      'ai.model',
      'ai.base-url',
      'ai.tools',
      'ai.timeout',
      'catalog.paths',
      'tenants.*.tier',
      'tenants.*.spending-limit',
      'tiers.*.instances',
      'tiers.*.cpus',
      'tiers.*.memory',
      'prices.currency',
      'prices.cpu-monthly',
      'prices.memory-gib-monthly',
      'prices.disk-gib-monthly',
      'network.pool',
      'network.tenant-prefix',
      'network.instance-prefix',
    ])
  })
})

describe('parsePreference: refused values (exit 2, nothing stored)', () => {
  it.each([
    ['default-tenant', 'Acme Corp', /invalid tenant name/],
    ['ai.provider', 'gpt', /invalid value for ai.provider: "gpt"/],
    ['ai.model', '   ', /invalid value for ai.model/],
    ['ai.model', 'a\nb', /invalid value for ai.model/],
    ['ai.base-url', 'ftp://example.com', /invalid value for ai.base-url/],
    ['ai.base-url', 'not a url', /invalid value for ai.base-url/],
    ['ai.tools', 'maybe', /invalid value for ai.tools/],
    ['ai.timeout', '4', /invalid value for ai.timeout/],
    ['ai.timeout', '3601', /invalid value for ai.timeout/],
    ['ai.timeout', '10.5', /invalid value for ai.timeout/],
    ['catalog.paths', '', /invalid value for catalog.paths/],
    ['catalog.paths', '["/dir"', /invalid value for catalog.paths: .* is not a JSON list/],
    ['catalog.paths', '[1, 2]', /must be a list of directory strings/],
    ['catalog.paths', '[]', /invalid value for catalog.paths/],
    ['catalog.paths', '{"a": "/b"}', /invalid value for catalog.paths/],
    ['tenants.acme.tier', 'gold', /invalid value for tenants.acme.tier/],
    ['tenants.acme.spending-limit', '-5', /invalid value/],
    ['tenants.acme.spending-limit', '1e3', /invalid value/],
    ['tenants.acme.spending-limit', 'lots', /invalid value/],
    ['tiers.free.instances', '-1', /invalid value/],
    ['tiers.free.instances', '100001', /invalid value/],
    ['tiers.pro.cpus', 'many', /invalid value/],
    ['tiers.starter.memory', 'lots', /invalid memory size/],
    ['prices.currency', 'eur', /invalid value for prices.currency/],
    ['prices.currency', 'EURO', /invalid value for prices.currency/],
    ['prices.cpu-monthly', '$4', /invalid value/],
    ['network.pool', '10.210.0.0', /./],
    ['network.tenant-prefix', '29', /invalid value/],
    ['network.instance-prefix', '15', /invalid value/],
  ])('%s = %j', (key, value, message) => {
    expect(refusal(key, value).message).toMatch(message)
  })

  it('refuses a bad tenant segment in tenants.*.KEY', () => {
    expect(refusal('tenants.ACME.tier', 'pro').message).toMatch(/invalid tenant name "ACME"/)
    expect(refusal('tenants.a_b.spending-limit', '5').message).toMatch(/invalid tenant name/)
  })

  it('refuses an unknown tier segment in tiers.*.KEY', () => {
    const error = refusal('tiers.gold.cpus', '4')
    expect(error.message).toBe('unknown tier "gold"')
    expect(error.hint).toBe('tiers are free, starter, pro, business')
  })

  it('names the allowed values in the hint', () => {
    expect(refusal('ai.provider', 'gpt').hint).toMatch(/offline, anthropic, openai/)
    expect(refusal('ai.timeout', '1').hint).toBe('give a whole number from 5 to 3600')
    expect(refusal('ai.tools', 'maybe').hint).toBe('use on or off')
  })

  // BUG (src/core/preferences.ts:73, the prices.currency parser): a bad currency is refused through
  // oneOf([]), so the hint reads "use one of" and names nothing. Expected a hint with the format (e.g. USD, EUR).
  it('the hint for a bad currency says what a currency looks like', () => {
    expect(refusal('prices.currency', 'eur').hint).toMatch(/USD|EUR|three/)
  })
})

describe('checkPreferenceKey', () => {
  it('suggests the closest keys for a typo', () => {
    const error = refusal('ai.provder')
    expect(error.message).toBe('unknown config key "ai.provder"')
    expect(error.hint).toMatch(/^did you mean "ai\.provider"/)
  })

  it('suggests with the tenant name filled in', () => {
    expect(refusal('tenants.acme.teir').hint).toMatch(/did you mean "tenants\.acme\.tier"/)
  })

  it('points at the key list when nothing is close', () => {
    expect(refusal('completely.unrelated.thing.here').hint).toBe('aims config get lists the keys')
  })

  it('refuses keys with the wrong number of segments', () => {
    expect(refusal('tenants.acme').message).toMatch(/unknown config key/)
    expect(refusal('ai.provider.extra').message).toMatch(/unknown config key/)
  })
})

describe('getPreference, setPreference, flattenPreferences', () => {
  it('stores dotted keys nested and reads them back', () => {
    const preferences: Record<string, unknown> = {}
    setPreference(preferences, 'ai.provider', 'openai')
    setPreference(preferences, 'ai.model', 'gpt-4o')
    setPreference(preferences, 'tenants.acme.tier', 'pro')
    expect(preferences).toEqual({ai: {provider: 'openai', model: 'gpt-4o'}, tenants: {acme: {tier: 'pro'}}})
    expect(getPreference(preferences, 'ai.provider')).toBe('openai')
    expect(getPreference(preferences, 'tenants.acme')).toEqual({tier: 'pro'})
    expect(getPreference(preferences, 'tenants.other.tier')).toBeUndefined()
  })

  it('unsets a key and leaves its siblings', () => {
    const preferences: Record<string, unknown> = {ai: {provider: 'openai', model: 'm'}}
    setPreference(preferences, 'ai.model', undefined)
    expect(preferences).toEqual({ai: {provider: 'openai'}})
    expect(getPreference(preferences, 'ai.model')).toBeUndefined()
  })

  it('replaces a scalar or list that sits where an object is needed', () => {
    const preferences: Record<string, unknown> = {ai: 'offline', catalog: ['x']}
    setPreference(preferences, 'ai.provider', 'openai')
    setPreference(preferences, 'catalog.paths', ['/p'])
    expect(preferences).toEqual({ai: {provider: 'openai'}, catalog: {paths: ['/p']}})
  })

  it('reads a flat legacy key, and setting the key moves it to the nested form', () => {
    const preferences: Record<string, unknown> = {'ai.provider': 'anthropic'}
    expect(getPreference(preferences, 'ai.provider')).toBe('anthropic')
    setPreference(preferences, 'ai.provider', 'openai')
    expect(preferences).toEqual({ai: {provider: 'openai'}})
  })

  it('does not walk into scalars', () => {
    expect(getPreference({ai: 'offline'}, 'ai.provider')).toBeUndefined()
    expect(getPreference({ai: null}, 'ai.provider')).toBeUndefined()
  })

  it('flattens to dotted keys, keeping lists as values', () => {
    expect(
      flattenPreferences({
        defaultTenant: 'acme',
        ai: {provider: 'openai', tools: false},
        catalog: {paths: ['/a', '/b']},
        tenants: {acme: {tier: 'pro', 'spending-limit': 20}},
      }),
    ).toEqual([
      ['defaultTenant', 'acme'],
      ['ai.provider', 'openai'],
      ['ai.tools', false],
      ['catalog.paths', ['/a', '/b']],
      ['tenants.acme.tier', 'pro'],
      ['tenants.acme.spending-limit', 20],
    ])
    expect(flattenPreferences({})).toEqual([])
  })
})

describe('readPreferences', () => {
  const read = readPreferences({
    'ai.provider': 'openai',
    ai: {timeout: 30, tools: false, model: 7},
    tenants: {acme: {'spending-limit': 50}},
    'catalog.paths': ['/a', 3, '/b'],
  })

  it('reads flat and nested keys, typed', () => {
    expect(read.string('ai.provider')).toBe('openai')
    expect(read.number('ai.timeout')).toBe(30)
    expect(read.boolean('ai.tools')).toBe(false)
    expect(read.number('tenants.acme.spending-limit')).toBe(50)
  })

  it('reads a value of the wrong type as unset, never casts it', () => {
    expect(read.string('ai.model')).toBeUndefined()
    expect(read.number('ai.provider')).toBeUndefined()
    expect(read.boolean('ai.timeout')).toBeUndefined()
    expect(read.string('no.such.key')).toBeUndefined()
  })

  it('keeps the strings of a list', () => {
    expect(read.strings('catalog.paths')).toEqual(['/a', '/b'])
    expect(read.strings('ai.provider')).toBeUndefined()
  })
})
