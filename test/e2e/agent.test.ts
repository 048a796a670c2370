/**
 * ACHEEVY on the bed, with the offline provider (no key, no model): `aims
 * ask` read, dry-run contract (with and without a reachable host), refusal
 * without --yes, deploy and decommission with --yes; and a whole `aims chat`
 * driven through stdin — deploy a fixture plug with the intake and a
 * confirmation, read its logs, restart it, take it down typing its name —
 * whose transcript is kept for the closing note.
 */
import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT, tempHome} from '../support/aims.js'
import {ChatDriver, CONFIRM, PROMPT, TYPE_NAME} from '../support/chat-driver.js'
import {aimsObjects, containerEnv, docker, httpGet, purgeTenant} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const SUFFIX = randomBytes(3).toString('hex')
const ASK = `agt-ask-${SUFFIX}`
const CHAT = `agt-chat-${SUFFIX}`
const env = {AIMS_CATALOG_PATH: FIXTURES}
let home: string
const run = (args: string[]) => aims(args, {home, env})

beforeAll(async () => {
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(ASK)
  await purgeTenant(CHAT)
})

describe('aims ask (offline)', () => {
  it('--dry-run --json prints the contract, and the argv is accepted by the CLI', async () => {
    const ask = await run(['ask', `spin up fixture-web for ${ASK}`, '--dry-run', '--json'])
    expect(ask.code, ask.stderr).toBe(0)
    const contract = ask.json()
    expect(contract).toMatchObject({
      argv: ['plug', 'up', 'fixture-web', '--tenant', ASK],
      summary: `Deploy fixture-web for tenant ${ASK}`,
      mutates: true,
      destructive: false,
    })
    const planned = await run([...contract.argv, '--dry-run', '--json'])
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.json()).toMatchObject({status: 'dry-run', instance: `${ASK}/fixture-web`})
    expect(await aimsObjects({'aims.tenant': ASK})).toEqual({containers: [], volumes: [], networks: []})
  })

  it('--dry-run works with a host that cannot be reached (names are taken as written)', async () => {
    const offlineHome = tempHome()
    const add = await aims(['host', 'add', 'gone', 'root@127.0.0.1:1', '--default'], {home: offlineHome})
    expect(add.code, add.stderr).toBe(0)
    const started = Date.now()
    const ask = await aims(['ask', 'restart web of acme', '--dry-run', '--json'], {home: offlineHome, env})
    expect(ask.code, ask.stderr).toBe(0)
    expect(ask.json()).toMatchObject({argv: ['plug', 'restart', 'acme/web'], mutates: true})
    expect(Date.now() - started).toBeLessThan(6000)
    const down = await aims(['ask', 'decommission the gitea instance', '--dry-run', '--json'], {home: offlineHome, env})
    expect(down.json()).toMatchObject({argv: ['plug', 'down', 'gitea'], mutates: true, destructive: true})
  })

  it('changes nothing without --yes (no TTY): exit 3, the plan in the result', async () => {
    const ask = await run(['ask', `spin up fixture-web for ${ASK}`, '--json'])
    expect(ask.code, ask.stdout).toBe(3)
    const result = ask.json()
    expect(result).toMatchObject({
      argv: ['plug', 'up', 'fixture-web', '--tenant', ASK],
      status: 'declined',
      error: {kind: 'not-confirmed', exitCode: 3},
    })
    expect(result.actions[0].plan.summary).toMatch(new RegExp(`Deploy fixture-web as ${ASK}/fixture-web`))
    expect(await aimsObjects({'aims.tenant': ASK})).toEqual({containers: [], volumes: [], networks: []})
  })

  it('--yes deploys; "what\'s running?" sees it; a destroy needs --yes and the name; audit has the utterances', async () => {
    const up = await run(['ask', `spin up fixture-web for ${ASK}`, '--yes', '--json'])
    expect(up.code, up.stdout + up.stderr).toBe(0)
    const deployed = up.json()
    expect(deployed).toMatchObject({argv: ['plug', 'up', 'fixture-web', '--tenant', ASK], status: 'ok', mutates: true})
    const url = deployed.actions[0].result.localUrl as string
    expect((await httpGet(url)).status).toBe(200)

    const ls = await run(['ask', "what's running?", '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.json()).toMatchObject({argv: ['plug', 'ls'], mutates: false, status: 'ok'})
    expect(ls.json().result.instances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({instance: `${ASK}/fixture-web`, plug: 'fixture-web', status: 'running'}),
      ]),
    )

    const human = await run(['ask', `show me the last 5 lines of logs for ${ASK}/fixture-web`])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain(`→ aims plug logs ${ASK}/fixture-web --tail 5`)
    expect(human.stdout).toMatch(/web \| /)

    const noYes = await run(['ask', `take down ${ASK}/fixture-web`, '--json'])
    expect(noYes.code).toBe(3)
    const vague = await run(['ask', 'take it down', '--yes', '--json'])
    expect(vague.code).toBe(2)
    expect((await aimsObjects({'aims.tenant': ASK})).containers).toEqual([`aims-${ASK}-fixture-web-web`])

    const down = await run(['ask', `take down ${ASK}/fixture-web`, '--yes', '--json'])
    expect(down.code, down.stdout).toBe(0)
    expect(down.json()).toMatchObject({argv: ['plug', 'down', `${ASK}/fixture-web`], destructive: true, status: 'ok'})
    expect(await aimsObjects({'aims.tenant': ASK})).toEqual({containers: [], volumes: [], networks: []})

    const audit = (await run(['audit', '--json']))
      .json()
      .records.filter((record: {target: string}) => record.target === `${ASK}/fixture-web`)
    expect(
      audit.map((record: {action: string; origin: string; utterance: string; outcome: string; command: string}) => [
        record.action,
        record.origin,
        record.utterance,
        record.outcome,
        record.command,
      ]),
    ).toEqual([
      ['plug up', 'ask', `spin up fixture-web for ${ASK}`, 'applied', `plug up fixture-web --tenant ${ASK}`],
      ['plug down', 'ask', `take down ${ASK}/fixture-web`, 'applied', `plug down ${ASK}/fixture-web`],
    ])
  })

  it('stats, health and events run through the same services as their commands', async () => {
    const stats = await run(['ask', 'show me resource usage', '--json'])
    expect(stats.code, stats.stderr).toBe(0)
    expect(stats.json().actions[0]).toMatchObject({tool: 'stats', status: 'ok'})
    const health = await run(['ask', 'is anything down?', '--json'])
    expect(health.json().actions[0]).toMatchObject({tool: 'health', status: 'ok'})
    const events = await run(['ask', 'what happened recently?', '--json'])
    expect(events.json().actions[0]).toMatchObject({tool: 'events', status: 'ok'})
  })
})

describe('aims chat (offline provider, scripted stdin)', () => {
  it('deploys fixture-web with the intake and a confirmation, reads its logs, restarts it, and takes it down when the name is typed', async () => {
    const chat = new ChatDriver([], {home, env})
    await chat.answer(PROMPT, `what's running for ${CHAT}?`)
    await chat.answer(PROMPT, `spin up fixture-web for ${CHAT}`)
    await chat.answer(/What should the home page say\? \[.*\] $/, 'hello from ACHEEVY')
    await chat.answer(/Which domain should it answer on\? \[.*\] $/, '')
    await chat.answer(/How big\? .*\] $/, '128m')
    const plan = await chat.answer(CONFIRM, 'yes')
    expect(plan).toMatch(new RegExp(`Plan: Deploy fixture-web as ${CHAT}/fixture-web on vps`))
    expect(plan).toContain('GREETING=hello from ACHEEVY APP_SECRET=••••••')

    // Deployed: check it with the test's own eyes before going on.
    const ready = await chat.waitFor(PROMPT)
    expect(ready).toMatch(new RegExp(`✓ ${CHAT}/fixture-web is ready at http://127.0.0.1:\\d+/`))
    const container = `aims-${CHAT}-fixture-web-web`
    const secret = (await containerEnv(container)).APP_SECRET!
    expect(secret.length).toBeGreaterThanOrEqual(24)
    const port = (await docker(['inspect', '-f', '{{index .Config.Labels "aims.port"}}', container])).trim()
    expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toContain('hello from ACHEEVY')
    expect((await docker(['inspect', '-f', '{{.HostConfig.Memory}}', container])).trim()).toBe(
      String(128 * 1024 * 1024),
    )
    const startedAt = (await docker(['inspect', '-f', '{{.State.StartedAt}}', container])).trim()

    chat.child.stdin!.write('show me its logs\n')
    const logs = await chat.waitFor(PROMPT)
    expect(logs).toContain(`→ aims plug logs ${CHAT}/fixture-web`)
    expect(logs).toContain('web | fixture web: listening on :8080')

    chat.child.stdin!.write('restart it\n')
    await chat.answer(CONFIRM, 'yes')
    expect(await chat.waitFor(PROMPT)).toMatch(new RegExp(`✓ restarted ${CHAT}/fixture-web \\(HTTP 200 on /health\\)`))
    expect((await docker(['inspect', '-f', '{{.State.StartedAt}}', container])).trim()).not.toBe(startedAt)

    chat.child.stdin!.write('take it down\n')
    await chat.answer(TYPE_NAME('fixture-web'), 'yes')
    expect(await chat.waitFor(PROMPT)).toContain('✗ not done: you typed "yes", not "fixture-web"')
    expect((await aimsObjects({'aims.tenant': CHAT})).containers).toEqual([container])

    chat.child.stdin!.write('take it down\n')
    await chat.answer(TYPE_NAME('fixture-web'), 'fixture-web')
    expect(await chat.waitFor(PROMPT)).toMatch(
      new RegExp(`✓ ${CHAT}/fixture-web is gone: 1 container, 1 volume removed`),
    )
    expect(await aimsObjects({'aims.tenant': CHAT})).toEqual({containers: [], volumes: [], networks: []})

    chat.child.stdin!.write(`what's running for ${CHAT}?\n`)
    await chat.answer(PROMPT, '/exit')
    expect(await chat.end()).toBe(0)

    const transcript = chat.stdout
    const out = join(tmpdir(), 'aims-agent-chat-offline.txt')
    writeFileSync(out, transcript)
    console.log(`chat transcript (offline provider) written to ${out}`)

    // Secrets: never in what the chat printed, never in the saved session.
    const chats = join(home, '.aims', 'state', 'chats')
    const [file] = readdirSync(chats).filter((name) => transcript.includes(name.replace('.jsonl', '')))
    expect(file).toBeDefined()
    const saved = readFileSync(join(chats, file!), 'utf8')
    expect(transcript).not.toContain(secret)
    expect(saved).not.toContain(secret)
    expect(
      saved
        .split('\n')
        .filter((line) => line.includes('"approval"'))
        .map((line) => JSON.parse(line).event.decision),
    ).toEqual(['apply', 'apply', 'declined', 'apply'])

    const audit = (await run(['audit', '--json']))
      .json()
      .records.filter((record: {target: string}) => record.target === `${CHAT}/fixture-web`)
    expect(
      audit.map((record: {action: string; origin: string; utterance: string; outcome: string}) => [
        record.action,
        record.origin,
        record.utterance,
        record.outcome,
      ]),
    ).toEqual([
      ['plug up', 'chat', `spin up fixture-web for ${CHAT}`, 'applied'],
      ['plug restart', 'chat', 'restart it', 'applied'],
      ['plug down', 'chat', 'take it down', 'applied'],
    ])
  })
})
