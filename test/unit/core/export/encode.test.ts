import {oneLineText} from '../../../../src/core/text/sanitize.js'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'
import {
  checkBundleValue,
  composeMemory,
  dotenvLine,
  escapeComposeDollars,
  markdownCell,
  markdownCode,
  shellWord,
  yamlKey,
  yamlString,
  yamlStringList,
} from '../../../../src/core/export/encode.js'
import {composeEnvValue} from '../../../../src/core/export/model.js'

const NASTY = [
  '',
  'plain',
  'a: b',
  '- x',
  '#c',
  "it's",
  'say "hi"',
  'back\\slash',
  'line\nbreak',
  'tab\there',
  '\u007fdel',
  '\u0085nel',
  'sep\u2028x',
  'ünïcødé ✓',
  '{{x}}',
  '${VAR}',
  'yes',
  'null',
  '0x1F',
  '1e3',
  '*alias',
  '&anchor',
  '!tag',
  '%x',
  '@x',
  '`x`',
]

describe('YAML encoding', () => {
  it.each(NASTY)('a scalar reads back as exactly %j', (value) => {
    expect(parseYaml(`k: ${yamlString(value)}`)).toEqual({k: value})
    expect(yamlString(value)).not.toMatch(/[\n\r\u007f-\u009f\u2028\u2029]/)
  })

  it('lists and keys read back, and YAML 1.1 booleans are quoted as keys', () => {
    expect(parseYaml(`k: ${yamlStringList(NASTY)}`)).toEqual({k: NASTY})
    for (const key of ['y', 'N', 'on', 'OFF', 'yes', 'null', '~']) expect(yamlKey(key)).toBe(JSON.stringify(key))
    for (const key of ['GREETING', 'database__client', 'backend-data', 'a.b']) expect(yamlKey(key)).toBe(key)
  })
})

describe('Compose interpolation', () => {
  it('doubles every dollar of a literal', () => {
    expect(escapeComposeDollars('$HOME ${X} $$')).toBe('$$HOME $${X} $$$$')
  })

  it('keeps declared references, maps built-ins, and escapes the rest', () => {
    const builtin = (name: string) =>
      name === 'AIMS_URL' ? {reference: 'PUBLIC_URL'} : name === 'AIMS_PLUG' ? {literal: 'p$1'} : undefined
    expect(composeEnvValue('pg://u:${DB}@db/$x/${AIMS_URL}/${AIMS_PLUG}/${UNKNOWN}', builtin, new Set(['DB']))).toBe(
      'pg://u:${DB}@db/$$x/${PUBLIC_URL}/p$$1/$${UNKNOWN}',
    )
    // A plug that declares a built-in name gets its own variable.
    expect(composeEnvValue('${AIMS_URL}', builtin, new Set(['AIMS_URL']))).toBe('${AIMS_URL}')
  })
})

describe('dotenv lines', () => {
  it('writes plain values bare, others single-quoted, and refuses what no Compose reads the same', () => {
    expect(dotenvLine('A', 'abc-1.2_x/y:z@w,+=%')).toBe('A=abc-1.2_x/y:z@w,+=%')
    expect(dotenvLine('A', '')).toBe('A=')
    expect(dotenvLine('A', 'hello world # not a comment $HOME "q"')).toBe(`A='hello world # not a comment $HOME "q"'`)
    for (const value of ["it's", 'back\\slash', 'two\nlines', 'nul\u0000'])
      expect(dotenvLine('A', value)).toBeUndefined()
  })
})

describe('text helpers', () => {
  it('flattens free text to one clean line', () => {
    expect(oneLineText(' a\nb\r\n c\u0007\u2028d  ')).toBe('a b c d')
  })

  it('quotes shell words and Markdown cells', () => {
    expect(shellWord('plain-word')).toBe('plain-word')
    expect(shellWord("it's $(x)\n")).toBe(`'it'\\''s $(x)'`)
    expect(markdownCell('a | b\nc')).toBe('a \\| b c')
    expect(markdownCode('x `y` z')).toBe('``x `y` z``')
  })

  it('refuses control characters in template values', () => {
    expect(() => checkBundleValue('x', 'a\nb')).toThrow(/line break or control character/)
    expect(() => checkBundleValue('x', 'ok "quoted" $x')).not.toThrow()
  })

  it('writes memory sizes as Compose reads them', () => {
    expect(composeMemory(64 * 1024 ** 2)).toBe('64m')
    expect(composeMemory(2 * 1024 ** 3)).toBe('2g')
    expect(composeMemory(1000)).toBe('1000b')
  })
})
