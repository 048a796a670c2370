/**
 * The offline command recognizer on the 44 frozen spoken requests (issue 20):
 * each spoken by espeak-ng in two voices at two speeds, decoded by the real
 * pocketsphinx against the grammar of the corpus' live names, then read by
 * the same parser `aims ask` uses. Scored as the corpus README says: right
 * (the expected argv, or a question where a question is right), miss (a
 * question or nothing where a command was expected), wrong change (any
 * mutating command other than the expected one).
 */
import {describe, expect, it} from 'vitest'
import {join} from 'node:path'
import {tmpdir} from 'node:os'
import {recognizeCommand} from '../../src/adapters/voice/pocketsphinx.js'
import {COMMAND_EFFECTS, isCommandPath} from '../../src/core/commands/index.js'
import {commandPathOf} from '../../src/core/commands/argv.js'
import {parseUtterance, type IntentContext} from '../../src/core/intents/index.js'
import {speak, spokenRequests, VOICES} from '../support/voice-corpus.js'

const root = join(import.meta.dirname, '../..')
const {live, items} = spokenRequests(root)
const names = {
  catalog: live.catalog,
  instances: live.instances.map((i) => i.name),
  tenants: live.tenants,
  hosts: live.hosts,
  other: [...live.sites, ...live.sandboxes, ...live.clusters.map((c) => c.name)],
}
const context: IntentContext = {
  catalog: live.catalog.map((id) => ({id, name: id, tags: [], category: 'other'})),
  instances: live.instances.map((i) => ({tenant: i.tenant, instance: i.name, plug: i.plug})),
  defaultTenant: live.default_tenant,
}
const mutating = (argv: string[]) => {
  const path = commandPathOf(argv)
  return path !== undefined && isCommandPath(path) && COMMAND_EFFECTS[path].mutates
}

describe('offline recognizer on the frozen spoken requests', () => {
  it('≥ 90 % exact commands and no wrong change, over 2 voices × 2 speeds', {timeout: 600_000}, async () => {
    const cache = join(tmpdir(), 'aims-voice-corpus')
    let right = 0
    let wrong = 0
    let total = 0
    const lines: string[] = []
    for (const {voice, speed} of VOICES.slice(0, Number(process.env.AIMS_VOICE_VOICES ?? VOICES.length)))
      for (const item of items) {
        const wav = speak(cache, item.say, voice, speed)
        const heard = await recognizeCommand(wav, names)
        const result = heard.unheard
          ? ({kind: 'clarify', question: '', options: []} as const)
          : parseUtterance(heard.text, context)
        const argv = result.kind === 'command' ? result.argv : undefined
        total++
        const expected = item.argv
        const ok = expected
          ? JSON.stringify(argv) === JSON.stringify(expected)
          : result.kind !== 'command' || !result.mutates
        const isWrong = !ok && argv !== undefined && mutating(argv)
        if (ok) right++
        if (isWrong) wrong++
        if (!ok)
          lines.push(
            `${isWrong ? 'WRONG' : 'miss '} ${item.id} ${voice}@${speed} heard "${heard.text}" → ${argv?.join(' ') ?? result.kind}`,
          )
      }
    const score = right / total
    console.log(
      `recognizer: ${right}/${total} right (${(score * 100).toFixed(1)} %), ${wrong} wrong changes\n${lines.join('\n')}`,
    )
    expect(wrong).toBe(0)
    expect(score).toBeGreaterThanOrEqual(0.9)
  })
})
