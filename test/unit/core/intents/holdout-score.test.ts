/**
 * The frozen hold-out set (test/fixtures/utterances/frozen-holdout.yaml, issue
 * 19): scored, never tuned on. Only the aggregate is printed — the items the
 * parser gets wrong are not listed, so nobody tunes against them.
 */
import {describe, expect, it} from 'vitest'
import {loadCorpus, percentOf, scoreCorpus} from './corpus.js'

describe('offline parser on the frozen hold-out set (aggregate only)', () => {
  const file = loadCorpus('test/fixtures/utterances/frozen-holdout.yaml')
  const score = scoreCorpus(file)

  it('prints accuracy and the wrong-change count', () => {
    const via = Object.entries(score.byVia)
      .map(([name, part]) => `${name} ${part.right}/${part.total}`)
      .join(', ')
    console.log(
      `frozen hold-out: ${score.right}/${score.total} right (${percentOf(score.right, score.total)}; ${via}), ` +
        `${score.wrongChanges} wrong change${score.wrongChanges === 1 ? '' : 's'}`,
    )
    expect(score.total).toBe(100)
  })

  // The goal is >= 95 % and 0 wrong changes (issue 19). The figures reached so far are a ratchet: a change
  // to the parser may only keep or improve them. Lower these bounds only with the goal in sight.
  const RIGHT_AT_LEAST = 70
  const WRONG_CHANGES_AT_MOST = 4

  it(`gets at least ${RIGHT_AT_LEAST} right and makes at most ${WRONG_CHANGES_AT_MOST} wrong changes`, () => {
    expect(score.right).toBeGreaterThanOrEqual(RIGHT_AT_LEAST)
    expect(score.wrongChanges).toBeLessThanOrEqual(WRONG_CHANGES_AT_MOST)
  })
})
