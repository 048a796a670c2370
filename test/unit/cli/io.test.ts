import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import ConfigGet from '../../../commands/config/get.js'
import ConfigSet from '../../../commands/config/set.js'
import {IO} from '../../../src/cli/io.js'
import {AimsContext} from '../../../src/context.js'
import {runCommand} from '../../support/run-command.js'

const homes: string[] = []
afterAll(() => homes.forEach((home) => rmSync(home, {recursive: true, force: true})))

/** A context over a fresh AIMS_HOME: commands read and write only there. */
function context(io = IO.test()): AimsContext {
  const home = mkdtempSync(join(tmpdir(), 'aims-io-'))
  homes.push(home)
  return new AimsContext({env: {...io.env, AIMS_HOME: home, HOME: home}})
}

describe('IO', () => {
  it('knows when a person can be asked: stdin and stderr are terminals, and this is not CI', () => {
    expect(IO.test().canPrompt).toBe(false)
    expect(IO.test({tty: true}).canPrompt).toBe(true)
    expect(IO.test({tty: true, env: {CI: 'true'}}).canPrompt).toBe(false)
  })

  it('colours a terminal unless NO_COLOR or TERM=dumb; never a pipe', () => {
    expect(IO.test({tty: true}).colorOn('stdout')).toBe(false) // IO.test sets NO_COLOR by default
    expect(IO.test({tty: true, env: {NO_COLOR: ''}}).colorOn('stdout')).toBe(true)
    expect(IO.test({tty: true, env: {NO_COLOR: '', TERM: 'dumb'}}).colorOn('stderr')).toBe(false)
    expect(IO.test({env: {NO_COLOR: ''}}).colorOn('stdout')).toBe(false)
  })

  it('captures what is written, separately for stdout and stderr', () => {
    const io = IO.test()
    io.stdout.write('out\n')
    io.stderr.write('err\n')
    expect([io.out(), io.err()]).toEqual(['out\n', 'err\n'])
  })
})

describe('a command run with IO.test()', () => {
  it('writes its human output to the IO, and the same result as --json', async () => {
    const io = IO.test()
    const ctx = context(io)
    const set = await runCommand(ConfigSet, ['default-tenant', 'acme'], {io, context: ctx})
    expect(set.code).toBe(0)
    const human = await runCommand(ConfigGet, ['default-tenant'], {context: ctx})
    expect(human).toMatchObject({code: 0, stdout: 'acme\n', stderr: ''})
    const json = await runCommand(ConfigGet, ['default-tenant', '--json'], {context: ctx})
    expect(JSON.parse(json.stdout)).toEqual({key: 'default-tenant', value: 'acme', source: 'set'})
  })

  it('reports bad input on its stderr as one line with exit 2, or as a JSON error under --json', async () => {
    const bad = await runCommand(ConfigGet, ['no.such.key'], {context: context()})
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toMatch(/^Error: .*no\.such\.key.*\n$/)
    const json = await runCommand(ConfigGet, ['no.such.key', '--json'], {context: context()})
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({kind: 'usage', exitCode: 2})
  })

  it('colours its output only on a terminal that allows it', async () => {
    const plain = await runCommand(ConfigGet, ['no.such.key'], {context: context()})
    expect(plain.stderr).not.toContain('\u001b[')
    const io = IO.test({tty: true, env: {NO_COLOR: ''}})
    const coloured = await runCommand(ConfigGet, ['no.such.key'], {io, context: context(io)})
    expect(coloured.stderr).toContain('\u001b[31mError:\u001b[39m')
  })
})
