/**
 * ACHEEVY answers in words (issue 19 item 3, issue 11 item 5) and honours
 * "as TENANT/NAME" (issue 19 item 1), on the bed with the offline provider:
 * stats, health and ps questions through `aims ask` and `aims chat` read as
 * sentences, never raw JSON; `--json` keeps the typed result; a refusal is
 * said once. The chat transcript answering a stats question is written for
 * the closing note.
 */
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {ChatDriver, PROMPT} from '../support/chat-driver.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = `ps-${randomBytes(3).toString('hex')}`
const REF = `${TENANT}/site`
const env = {AIMS_CATALOG_PATH: FIXTURES}
let home: string
const run = (args: string[]) => aims(args, {home, env})

/** A sentence with a size in binary units, a share of the limit and a CPU share. */
const STATS_SENTENCE = new RegExp(
  `${REF} uses \\d+(?:\\.\\d)? (?:B|KiB|MiB|GiB) of \\d+(?:\\.\\d)? (?:MiB|GiB|TiB) \\(\\d+ %\\) and \\d+(?:\\.\\d)? % CPU\\.`,
)

beforeAll(async () => {
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('ACHEEVY in words (offline provider, real bed)', () => {
  it('"deploy fixture-web as TENANT/NAME" lands in that tenant under that name', async () => {
    const dry = await run(['ask', `deploy fixture-web as ${REF}`, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.json()).toMatchObject({argv: ['plug', 'up', 'fixture-web', '--name', 'site', '--tenant', TENANT]})
    const up = await run(['ask', `deploy fixture-web as ${REF}`, '--yes', '--json'])
    expect(up.code, up.stdout + up.stderr).toBe(0)
    expect(up.json()).toMatchObject({status: 'ok', result: {instance: REF}})
    expect((await aimsObjects({'aims.tenant': TENANT})).containers).toEqual([`aims-${TENANT}-site-web`])
    expect((await aimsObjects({'aims.tenant': 'default', 'aims.instance': 'site'})).containers).toEqual([])
  })

  it('answers a stats question with a sentence, not JSON; --json keeps the typed result', async () => {
    const human = await run(['ask', `how much memory is ${REF} using`])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain(`→ aims stats ${REF}`)
    expect(human.stdout).toMatch(STATS_SENTENCE)
    expect(human.stdout).not.toMatch(/[{}]|"memoryBytes"/)

    const json = await run(['ask', `how much memory is ${REF} using`, '--json'])
    expect(json.code, json.stderr).toBe(0)
    const result = json.json()
    expect(result).toMatchObject({argv: ['stats', REF], status: 'ok', mutates: false})
    expect(result.summary).toBe(`Show resource usage of ${REF}`)
    expect(result.result.summary).toMatch(STATS_SENTENCE)
    expect(String(result.result.result)).toMatch(/^<<<UNTRUSTED DATA/)
  })

  it('answers health and ps questions in words', async () => {
    const health = await run(['ask', `is ${REF} healthy?`])
    expect(health.code, health.stderr).toBe(0)
    expect(health.stdout).toMatch(new RegExp(`✓ ${REF} is healthy \\(HTTP 200 on /health\\)\\.`))
    expect(health.stdout).not.toMatch(/[{}]/)

    const ps = await run(['ask', `what's running for ${TENANT}?`])
    expect(ps.code, ps.stderr).toBe(0)
    expect(ps.stdout).toContain(`✓ 1 instance on vps for tenant ${TENANT}: 1 healthy.`)
  })

  it('says a refusal once', async () => {
    const vague = await run(['ask', 'restart everything'])
    expect(vague.code).toBe(2)
    const said = (vague.stdout + vague.stderr).split('Which instance should I restart?').length - 1
    expect(said).toBe(1)
    expect(vague.stderr).toContain('its answer is above')
  })

  it('chat answers "how much memory is it using" in words, about the instance of the conversation', async () => {
    const chat = new ChatDriver([], {home, env})
    await chat.answer(PROMPT, `status of ${REF}`)
    await chat.answer(PROMPT, 'how much memory is it using?')
    const answer = await chat.answer(PROMPT, '/exit')
    expect(await chat.end()).toBe(0)
    expect(answer).toMatch(STATS_SENTENCE)
    expect(answer).not.toMatch(/[{}]|"cpuPercent"/)
    const out = join(tmpdir(), 'aims-chat-stats-in-words.txt')
    writeFileSync(out, chat.stdout)
    console.log(`chat transcript (stats in words) written to ${out}:\n${chat.stdout}`)
  })
})
