import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../../src/core/errors.js'
import {
  MASK,
  maskEnv,
  looksSecret,
  MAX_ENV_VALUE,
  parseEnvAssignment,
  parseEnvFile,
  resolveEnvSpec,
  secretKeysOf,
  serviceEnv,
  type ResolvedVariable,
} from '../../../../src/core/plan/env.js'
import {testPlug} from '../../../support/catalog-fakes.js'
import {fixturePlug} from '../../../support/lifecycle-fakes.js'

function thrown(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected an AimsError')
}

/** A generator that must not be called. */
const noGenerate = () => {
  throw new Error('generate was called')
}

describe('parseEnvAssignment', () => {
  it('keeps the value byte for byte: shell syntax, quotes, spaces and "=" are data', () => {
    const value = `$(touch /tmp/x) "quoted" 'single' \`id\` a=b==c ; rm -rf / \\n`
    expect(parseEnvAssignment(`GREETING=${value}`)).toEqual(['GREETING', value])
  })

  it('splits at the first "=" only', () => {
    expect(parseEnvAssignment('URL=postgres://u:p@h/db?sslmode=require')).toEqual([
      'URL',
      'postgres://u:p@h/db?sslmode=require',
    ])
  })

  it('accepts an empty value and unicode', () => {
    expect(parseEnvAssignment('EMPTY=')).toEqual(['EMPTY', ''])
    expect(parseEnvAssignment('NAME=Grüße ✓')).toEqual(['NAME', 'Grüße ✓'])
  })

  it.each([
    ['no "="', 'JUSTKEY', /invalid --env "JUSTKEY"/],
    ['empty key', '=value', /invalid --env/],
    ['key starting with a digit', '1KEY=v', /invalid environment variable name "1KEY"/],
    ['key with a dash', 'MY-KEY=v', /invalid environment variable name/],
    ['key with a newline', 'A\nB=v', /invalid environment variable name/],
    ['key with a shell metacharacter', 'A;B=v', /invalid environment variable name/],
    ['key of 200 characters', `${'K'.repeat(200)}=v`, /invalid environment variable name/],
  ])('refuses %s with exit 2', (_case, text, message) => {
    const error = thrown(() => parseEnvAssignment(text))
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('\n')
  })

  it('refuses NUL bytes and oversized values', () => {
    expect(thrown(() => parseEnvAssignment('A=x\u0000y')).message).toMatch(/NUL/)
    expect(thrown(() => parseEnvAssignment(`A=${'x'.repeat(MAX_ENV_VALUE + 1)}`)).hint).toMatch(/under 32768/)
    expect(parseEnvAssignment(`A=${'x'.repeat(MAX_ENV_VALUE)}`)[1]).toHaveLength(MAX_ENV_VALUE)
  })
})

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, skipping blank lines and # comments, with optional export', () => {
    const text = ['# settings', '', 'A=1', '   # indented comment', 'export B=two', 'C = spaced ', '\tD=tab'].join('\n')
    expect(parseEnvFile(text, 'app.env')).toEqual({A: '1', B: 'two', C: 'spaced', D: 'tab'})
  })

  it('takes single-quoted values literally and unescapes \\n, \\" and \\\\ in double quotes', () => {
    const text = [`S='a\\nb $(x) "q"'`, `D="line1\\nline2 \\"q\\" back\\\\slash \\t"`, `E=""`, `F=''`].join('\n')
    expect(parseEnvFile(text, 'f.env')).toEqual({
      S: 'a\\nb $(x) "q"',
      D: 'line1\nline2 "q" back\\slash \\t',
      E: '',
      F: '',
    })
  })

  it('keeps "#" inside values and quoted values; strips a trailing " # comment" from unquoted ones', () => {
    const text = ['A=abc#def', 'B=value # a comment', `C='x # not a comment'`, 'D="y # neither"'].join('\n')
    expect(parseEnvFile(text, 'f.env')).toEqual({A: 'abc#def', B: 'value', C: 'x # not a comment', D: 'y # neither'})
  })

  it('keeps "=" in values and handles CRLF line ends', () => {
    expect(parseEnvFile('A=b=c\r\nB=2\r\n', 'win.env')).toEqual({A: 'b=c', B: '2'})
  })

  it('the last of repeated keys wins', () => {
    expect(parseEnvFile('A=1\nA=2', 'f.env')).toEqual({A: '2'})
  })

  it('names the file and line of a line that is not KEY=VALUE', () => {
    const error = thrown(() => parseEnvFile('A=1\n# ok\nthis is not an assignment\n', 'conf/app.env'))
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe('conf/app.env:3: not a KEY=VALUE line')
    expect(error.hint).toMatch(/comment it out/)
  })

  it('names the file and line of an invalid variable name', () => {
    const error = thrown(() => parseEnvFile('A=1\n2BAD=x', 'app.env'))
    expect(error.message).toBe('app.env:2: invalid variable name "2BAD"')
    expect(thrown(() => parseEnvFile('MY.KEY=x', 'app.env')).message).toMatch(
      /app\.env:1: invalid variable name "MY\.KEY"/,
    )
  })

  it('refuses NUL bytes in values', () => {
    expect(thrown(() => parseEnvFile('A=x\u0000', 'app.env')).message).toMatch(/NUL/)
  })

  // BUG (src/core/plan/env.ts:57-59): a quoted value followed by an inline comment keeps its quotes,
  // because the quote test needs the closing quote at the very end of the line. Docker Compose and
  // dotenv read `KEY="value" # comment` as `value`.
  it('reads a quoted value followed by an inline comment without the quotes', () => {
    expect(parseEnvFile('A="value" # comment', 'app.env')).toEqual({A: 'value'})
  })
})

describe('resolveEnvSpec', () => {
  const plug = testPlug('envy', {
    services: {
      web: {image: 'example/envy:1.0.0', entry: {port: 8080}, health: {type: 'http', path: '/'}, env: {VALUE: '${V}'}},
    },
    env: {
      V: {description: 'a value', default: 'from-default', generate: undefined},
      REQ: {description: 'required one', required: true, question: 'What is REQ?'},
      OPT: {description: 'optional, no default'},
      SECRET: {description: 'a generated secret', secret: true, generate: {length: 16}},
      PIN: {description: 'a 4-digit pin', secret: true, pattern: '^[0-9]{4}$'},
      CODE: {description: 'a code', pattern: '^[a-z]+$', example: 'abc'},
    },
  })

  const byKey = (variables: ResolvedVariable[]) =>
    Object.fromEntries(variables.map((variable) => [variable.key, variable]))

  it('takes flags over answers over the env file over existing values over defaults over generated values', () => {
    const layer = (layers: string[], name: string): Record<string, string> =>
      layers.includes(name) ? {V: name, SECRET: name} : {}
    const resolve = (layers: string[]) =>
      byKey(
        resolveEnvSpec(
          plug,
          {
            flags: {...layer(layers, 'flag'), REQ: 'r'},
            asked: layer(layers, 'asked'),
            file: layer(layers, 'file'),
            existing: layer(layers, 'existing'),
          },
          () => 'generated',
        ).variables,
      )
    expect(resolve(['flag', 'asked', 'file', 'existing']).V).toMatchObject({value: 'flag', source: 'flag'})
    expect(resolve(['asked', 'file', 'existing']).V).toMatchObject({value: 'asked', source: 'asked'})
    expect(resolve(['file', 'existing']).V).toMatchObject({value: 'file', source: 'env-file'})
    expect(resolve(['existing']).V).toMatchObject({value: 'existing', source: 'existing'})
    expect(resolve([]).V).toMatchObject({value: 'from-default', source: 'default'})
    expect(resolve(['existing']).SECRET).toMatchObject({value: 'existing', source: 'existing', secret: true})
    expect(resolve([]).SECRET).toMatchObject({value: 'generated', source: 'generated', secret: true})
  })

  it('generates a secret only when no value was given, with the spec of the variable', () => {
    const specs: unknown[] = []
    resolveEnvSpec(plug, {flags: {REQ: 'r', SECRET: 'given'}, file: {}}, noGenerate)
    resolveEnvSpec(plug, {flags: {REQ: 'r'}, file: {}}, (spec) => {
      specs.push(spec)
      return 'g'
    })
    expect(specs).toEqual([{length: 16, charset: 'alnum'}])
  })

  it('returns missing required variables instead of throwing, and leaves optional ones out', () => {
    const result = resolveEnvSpec(plug, {flags: {}, file: {}}, () => 'g')
    expect(result.missing.map((item) => item.key)).toEqual(['REQ'])
    expect(result.missing[0]?.spec.question).toBe('What is REQ?')
    expect(byKey(result.variables).OPT).toBeUndefined()
    expect(byKey(result.variables).REQ).toBeUndefined()
  })

  it('counts an empty value as given', () => {
    const result = resolveEnvSpec(plug, {flags: {REQ: ''}, file: {}}, () => 'g')
    expect(result.missing).toEqual([])
    expect(byKey(result.variables).REQ).toMatchObject({value: '', source: 'flag'})
  })

  it('refuses a value that breaks the pattern, with the example as the hint', () => {
    const error = thrown(() => resolveEnvSpec(plug, {flags: {REQ: 'r', CODE: 'ABC1'}, file: {}}, () => 'g'))
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe('CODE "ABC1" does not match ^[a-z]+$')
    expect(error.hint).toBe('e.g. abc')
  })

  it('never shows a secret value that breaks the pattern', () => {
    const error = thrown(() => resolveEnvSpec(plug, {flags: {REQ: 'r'}, file: {PIN: 'hunter2-secret'}}, () => 'g'))
    expect(error.message).toBe('PIN (secret) does not match ^[0-9]{4}$')
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2')
    expect(error.hint).toBe('a 4-digit pin')
  })

  it('passes undeclared variables through, flags over the file, secret when the name looks secret', () => {
    const result = resolveEnvSpec(
      plug,
      {flags: {REQ: 'r', EXTRA: 'from-flag', API_TOKEN: 't0k'}, file: {EXTRA: 'from-file', ONLY_FILE: 'f'}},
      () => 'g',
    )
    expect(result.extra.sort()).toEqual(['API_TOKEN', 'EXTRA', 'ONLY_FILE'])
    const variables = byKey(result.variables)
    expect(variables.EXTRA).toEqual({key: 'EXTRA', value: 'from-flag', source: 'flag', secret: false})
    expect(variables.ONLY_FILE).toEqual({key: 'ONLY_FILE', value: 'f', source: 'env-file', secret: false})
    expect(variables.API_TOKEN).toMatchObject({secret: true})
  })

  it('flags declared secrets and generated values as secret, and nothing else', () => {
    const variables = byKey(
      resolveEnvSpec(plug, {flags: {REQ: 'r', PIN: '1234', CODE: 'abc'}, file: {}}, () => 'g').variables,
    )
    expect(variables.PIN?.secret).toBe(true)
    expect(variables.SECRET?.secret).toBe(true)
    expect(variables.V?.secret).toBe(false)
    expect(variables.CODE?.secret).toBe(false)
    expect(variables.REQ?.secret).toBe(false)
  })
})

describe('serviceEnv', () => {
  const plug = testPlug('subst', {
    services: {
      web: {
        image: 'example/subst:1.0.0',
        entry: {port: 8080},
        health: {type: 'http', path: '/'},
        env: {
          URL: '${AIMS_URL}/app',
          WHO: '${AIMS_TENANT}/${AIMS_INSTANCE} (${AIMS_PLUG})',
          GREETING: 'hello ${NAME}!',
          UNSET: '[${OPTIONAL}]',
          SHELL_STYLE: '$NAME and $HOME stay',
          LITERAL: 'plain',
          BOTH: '${NAME}-${NAME}',
        },
      },
    },
    env: {NAME: {description: 'a name', default: 'n'}, OPTIONAL: {description: 'optional'}},
  })
  const builtins = {
    AIMS_URL: 'https://web.acme.example.com',
    AIMS_TENANT: 'acme',
    AIMS_INSTANCE: 'web',
    AIMS_PLUG: 'subst',
  }
  const vars = (entries: Record<string, string>, secret = false): ResolvedVariable[] =>
    Object.entries(entries).map(([key, value]) => ({key, value, source: 'flag', secret}))

  it('substitutes ${VAR} from variables and built-ins', () => {
    const env = serviceEnv(plug, 'web', vars({NAME: 'world'}), builtins)
    expect(env.URL).toBe('https://web.acme.example.com/app')
    expect(env.WHO).toBe('acme/web (subst)')
    expect(env.GREETING).toBe('hello world!')
    expect(env.BOTH).toBe('world-world')
    expect(env.LITERAL).toBe('plain')
  })

  it('turns an unset optional variable into an empty string, never a literal ${NAME}', () => {
    expect(serviceEnv(plug, 'web', vars({NAME: 'x'}), builtins).UNSET).toBe('[]')
  })

  it('leaves $NAME without braces to the container', () => {
    expect(serviceEnv(plug, 'web', vars({NAME: 'x'}), builtins).SHELL_STYLE).toBe('$NAME and $HOME stay')
  })

  it('inserts values byte for byte: no second expansion, no replacement patterns', () => {
    const value = '${AIMS_URL} $& $1 $(touch /tmp/x) "q" \'s\''
    expect(serviceEnv(plug, 'web', vars({NAME: value}), builtins).GREETING).toBe(`hello ${value}!`)
  })

  it('gives undeclared user variables to the service, as they are', () => {
    const env = serviceEnv(plug, 'web', vars({NAME: 'x', EXTRA_FLAG: 'on'}), builtins)
    expect(env.EXTRA_FLAG).toBe('on')
    // Declared variables reach the container only through the service's env.
    expect(env.NAME).toBeUndefined()
  })

  it('fails on an unknown service (a programming error)', () => {
    expect(thrown(() => serviceEnv(plug, 'nope', [], builtins)).kind).toBe('internal')
  })
})

describe('secretKeysOf', () => {
  it('lists service keys whose values reference a secret variable, on the service that uses them', () => {
    const plug = fixturePlug('fixture-stack')
    const variables: ResolvedVariable[] = [{key: 'DB_PASSWORD', value: 'p', source: 'generated', secret: true}]
    expect(secretKeysOf(plug, 'backend', variables)).toEqual(['DB_PASSWORD'])
    expect(secretKeysOf(plug, 'front', variables)).toEqual([])
  })

  it('includes keys that look secret even with a literal value, and undeclared secret variables, sorted', () => {
    const plug = testPlug('keys', {
      services: {
        web: {
          image: 'example/keys:1.0.0',
          entry: {port: 8080},
          health: {type: 'http', path: '/'},
          env: {ADMIN_PASSWORD: 'changeme', TOKEN_REF: 'x${T}y', PLAIN: '${P}'},
        },
      },
      env: {T: {description: 'token', secret: true}, P: {description: 'plain'}},
    })
    const variables: ResolvedVariable[] = [
      {key: 'T', value: 't', source: 'flag', secret: true},
      {key: 'P', value: 'p', source: 'flag', secret: false},
      {key: 'MY_API_KEY', value: 'k', source: 'flag', secret: true},
      {key: 'COLOR', value: 'blue', source: 'flag', secret: false},
    ]
    expect(secretKeysOf(plug, 'web', variables)).toEqual(['ADMIN_PASSWORD', 'MY_API_KEY', 'TOKEN_REF'])
  })
})

describe('maskEnv and looksSecret', () => {
  it('masks listed keys and secret-looking names, and nothing else', () => {
    expect(maskEnv({A: '1', DB_PASSWORD: 'p', CUSTOM: 'c', API_TOKEN: 't'}, ['CUSTOM'])).toEqual({
      A: '1',
      DB_PASSWORD: MASK,
      CUSTOM: MASK,
      API_TOKEN: MASK,
    })
    expect(maskEnv({}, [])).toEqual({})
  })

  it.each([
    'PASSWORD',
    'db_pass',
    'MYSQL_ROOT_PASSWORD',
    'APP_SECRET',
    'GITHUB_TOKEN',
    'API_KEY',
    'OPENAI_APIKEY',
    'PRIVATE_KEY_PEM',
    'AWS_CREDENTIALS',
    'N8N_ENCRYPTION_KEY',
    'SIGNING_KEY',
    'KEY',
    'key',
  ])('%s looks secret', (key) => {
    expect(looksSecret(key)).toBe(true)
  })

  it.each(['GREETING', 'PORT', 'KEYBOARD', 'MONKEY', 'TZ', 'NODE_ENV', 'SERVICE_NAME', 'KEY_ID_PREFIX_NAME'])(
    '%s does not look secret',
    (key) => {
      expect(looksSecret(key)).toBe(false)
    },
  )
})
