/**
 * Hostile input never reaches a shell, a file or the config: host names, SSH
 * targets and identity paths with shell syntax, quotes, newlines, `..` or
 * 200 characters are refused with exit 2 and one line, and nothing is written.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, tempHome} from '../support/aims.js'

const marker = join(tmpdir(), `aims-fnd-injected-${process.pid}`)
afterAll(() => rmSync(marker, {force: true}))

const hostile = (base: string) => [
  `${base};touch ${marker}`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `"${base}"`,
  `'${base}'`,
  `${base}\ntouch ${marker}`,
  `../${base}`,
  base.slice(0, 1).repeat(200),
]

const cases: Array<{what: string; argv: string[]}> = [
  ...hostile('vps').map((name) => ({
    what: `host name ${JSON.stringify(name)}`,
    argv: ['host', 'add', name, 'root@127.0.0.1:2222'],
  })),
  ...hostile('root@127.0.0.1').map((target) => ({
    what: `target ${JSON.stringify(target)}`,
    argv: ['host', 'add', 'vps', target],
  })),
  ...hostile('.bed/id_ed25519').map((identity) => ({
    what: `identity ${JSON.stringify(identity)}`,
    argv: ['host', 'add', 'vps', 'root@127.0.0.1:2222', '--identity', identity],
  })),
  {
    what: 'identity climbing out with ../',
    argv: ['host', 'add', 'vps', 'root@127.0.0.1:2222', '--identity', '../../etc/shadow'],
  },
  {what: 'target with a leading dash (ssh option injection)', argv: ['host', 'add', 'vps', '-oProxyCommand=touch']},
]

describe('bad input to host add', () => {
  it.each(cases)('$what → exit 2, one line, nothing written', async ({argv}) => {
    const home = tempHome('aims-fnd-bad-')
    const result = await aims(argv, {home})
    const context = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`
    expect(result.code, context).toBe(2)
    expect(result.stdout, context).toBe('')
    const lines = result.stderr.replace(/\n$/, '').split('\n')
    expect(lines, context).toHaveLength(1)
    expect(lines[0]).toMatch(/^Error: .+ — .+/)
    // No config (nor anything else) under AIMS_HOME, and no command ran.
    expect(existsSync(join(home, '.aims', 'config.json'))).toBe(false)
    expect(existsSync(join(home, '.aims')) ? readdirSync(join(home, '.aims')) : []).toEqual([])
    expect(existsSync(marker)).toBe(false)
  })

  it('also refuses the same input as --json with the error as data', async () => {
    const home = tempHome('aims-fnd-bad-')
    const result = await aims(['host', 'add', `$(touch ${marker})`, 'root@127.0.0.1', '--json'], {home})
    expect(result.code).toBe(2)
    expect(result.json()).toMatchObject({error: {kind: 'usage', exitCode: 2}})
    expect(existsSync(join(home, '.aims', 'config.json'))).toBe(false)
    expect(existsSync(marker)).toBe(false)
  })
})

describe('unknown commands in scripts', () => {
  it('exit 2 with one line naming the closest command', async () => {
    const {aims: run} = await import('../support/aims.js')
    const typo = await run(['plgu', 'up', 'n8n'])
    expect(typo.code).toBe(2)
    expect(typo.stderr.trim()).toBe(
      'Error: "plgu up" is not an aims command — did you mean "plug up"? (aims help lists the commands)',
    )
    const json = await run(['dcotor', '--json'])
    expect(json.code).toBe(2)
    expect(json.json().error).toMatchObject({kind: 'usage', hint: expect.stringContaining('"doctor"')})
  })

  it('parse errors are one line too', async () => {
    const {aims: run} = await import('../support/aims.js')
    const missing = await run(['plug', 'up'])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/Missing 1 required arg: plug/)
  })
})
