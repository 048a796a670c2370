import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildGrammar, dictionaryLines} from '../../../../src/core/voice/grammar.js'
import {heardWords, parseDecoderOutput} from '../../../../src/core/voice/decoder-output.js'
import {espeakToArpabet} from '../../../../src/core/voice/phonemes.js'
import {nameParts, partReadings} from '../../../../src/core/voice/vocabulary.js'

const recorded = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/recorded/voice', name), 'utf8')
const DICT = new Set('deploy stop the for of up time vault warden open web next cloud a n u i e s'.split(' '))
const known = (word: string) => DICT.has(word)

describe('the recognizer grammar', () => {
  it('says names as people do', () => {
    expect(nameParts('n8n')).toEqual(['n', 'eight', 'n'])
    expect(nameParts('uptime-kuma')).toEqual(['uptime', 'kuma'])
    expect(nameParts('k3s')).toEqual(['k', 'three', 's'])
    expect(nameParts('app42')).toEqual(['app', 'forty', 'two'])
    expect(partReadings('vaultwarden', known)).toContainEqual(['vault', 'warden'])
    expect(partReadings('uptime', known)).toContainEqual(['up', 'time'])
    expect(partReadings('webui', known)).toContainEqual(['web', 'u', 'i'])
    expect(partReadings('kuma', known)).toEqual([['kuma']]) // sounded out whole
  })

  it('holds each live name as one token with its readings, and leaves out sentences with no names to fill', () => {
    const grammar = buildGrammar(
      {catalog: ['uptime-kuma', 'n8n'], instances: ['blog'], tenants: ['acme'], hosts: []},
      known,
    )
    expect(grammar.tokens.get('uptime-kuma')).toContainEqual(['up', 'time', 'kuma'])
    expect(grammar.tokens.get('n8n')).toEqual([['n', 'eight', 'n']])
    expect(grammar.tokens.get("acme's")).toEqual([['acme', "'s"]])
    expect(grammar.jsgf).toContain('<plug> = uptime_kuma | n8n;')
    expect(grammar.jsgf).not.toContain('<host>')
    expect(grammar.jsgf).not.toContain('drain <node>')
    expect(grammar.soundOut).toEqual(expect.arrayContaining(['kuma', 'acme', 'blog']))
    const lines = dictionaryLines(grammar, (word) =>
      word === 'kuma' ? [['K', 'UW', 'M', 'AH']] : [[word.toUpperCase()]],
    )
    expect(lines.filter((line) => line.startsWith('uptime_kuma'))).toEqual([
      'uptime_kuma UPTIME K UW M AH',
      'uptime_kuma(2) UP TIME K UW M AH',
    ])
  })

  it("maps espeak-ng's phonemes (recorded) to the acoustic model's phones", () => {
    const rows = Object.fromEntries(
      recorded('espeak-x.tsv')
        .trim()
        .split('\n')
        .map((line) => line.split('\t')),
    )
    expect(espeakToArpabet(rows.kuma!)).toEqual(['K', 'UW', 'M', 'AH'])
    expect(espeakToArpabet(rows.gitea!)).toEqual(['G', 'AY', 'T', 'IY', 'AH'])
    expect(espeakToArpabet(rows.vaultwarden!)).toEqual(['V', 'AO', 'L', 'T', 'W', 'ER', 'D', 'AH', 'N'])
  })

  it("reads pocketsphinx_continuous's -time output (recorded), fillers dropped, names back to their ids", () => {
    const words = parseDecoderOutput(recorded('pocketsphinx-time.txt'))
    expect(words.map((word) => word.word)).toEqual(['deploy', 'gitea'])
    expect(words[1]).toMatchObject({start: 0.39, end: 0.61})
    expect(
      heardWords([
        {word: 'ph-k', start: 0, end: 0.1},
        {word: 'ph-aa', start: 0.1, end: 0.2},
      ]),
    ).toEqual([{word: '…', start: 0, end: 0.2}])
  })
})

describe('two decodes agree', () => {
  const words = (text: string) => text.split(' ').map((word, index) => ({word, start: index, end: index + 1}))
  it('on the same meaningful words, fillers aside; not when a name or verb differs, nor when nothing was heard', async () => {
    const {sameRequest} = await import('../../../../src/core/voice/decoder-output.js')
    expect(sameRequest(words('deploy the uptime-kuma'), words('deploy uptime-kuma please'))).toBe(true)
    expect(sameRequest(words('deploy the uptime-kuma'), words('deploy gitea'))).toBe(false)
    expect(sameRequest(words('stop wiki'), words('start wiki'))).toBe(false)
    expect(sameRequest([], [])).toBe(false)
  })
})
