/**
 * The development table (test/fixtures/utterances/dev-table.yaml, issue 19):
 * 400+ requests on the hold-out set's host, typed and spoken, that the parser
 * is tuned on. Prints accuracy and wrong changes, and lists the misses (this
 * table may be looked at; the frozen hold-out set may not).
 */
import {describe, expect, it} from 'vitest'
import {loadCorpus, percentOf, scoreCorpus} from './corpus.js'

describe('offline parser on the development table', () => {
  const file = loadCorpus('test/fixtures/utterances/dev-table.yaml')
  const score = scoreCorpus(file)

  it('holds at least 400 requests, typed and spoken, none twice', () => {
    expect(file.items.length).toBeGreaterThanOrEqual(400)
    const keys = file.items.map((item) => `${item.text.toLowerCase()}|${item.focus ?? ''}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(file.items.filter((item) => item.via === 'voice').length).toBeGreaterThanOrEqual(100)
  })

  it('prints accuracy, wrong changes and the misses', () => {
    const via = Object.entries(score.byVia)
      .map(([name, part]) => `${name} ${part.right}/${part.total}`)
      .join(', ')
    const misses = score.verdicts
      .filter(({verdict}) => verdict !== 'right')
      .map(({item, verdict, result}) => {
        const got =
          result.kind === 'command' ? result.argv.join(' ') : result.kind === 'clarify' ? `? ${result.question}` : '!'
        return `  ${verdict === 'wrong-change' ? 'WRONG' : 'miss '} ${item.id} ${JSON.stringify(item.text)}: ${got.slice(0, 90)}`
      })
    console.log(
      `development table: ${score.right}/${score.total} right (${percentOf(score.right, score.total)}; ${via}), ` +
        `${score.wrongChanges} wrong change${score.wrongChanges === 1 ? '' : 's'}\n${misses.join('\n')}`,
    )
    expect(score.total).toBe(file.items.length)
  })

  it('never makes a wrong change', () => {
    expect(score.verdicts.filter(({verdict}) => verdict === 'wrong-change').map(({item}) => item.id)).toEqual([])
  })
})
