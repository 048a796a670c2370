import {afterAll, describe, expect, it} from 'vitest'
import {parseUtterance} from '../../../../src/core/intents/index.js'
import {context} from './fixture.js'
import {heldOut} from './heldout.js'
import {expectedOf, expectGrammatical, outcomeOf, percent, sameOutcome} from './support.js'
import {utterances} from './utterances.js'

describe('offline parser: main table', () => {
  let passed = 0
  afterAll(() => {
    console.log(`offline parser: ${percent(passed, utterances.length)}`)
  })

  it('has at least 150 rows and covers every command of the grammar', () => {
    expect(utterances.length).toBeGreaterThanOrEqual(150)
    const covered = new Set(
      utterances.flatMap((row) =>
        row.argv
          ? [
              row.argv[0] === 'plug' || row.argv[0] === 'catalog' || row.argv[0] === 'host' || row.argv[0] === 'config'
                ? `${row.argv[0]} ${row.argv[1]}`
                : row.argv[0],
            ]
          : [],
      ),
    )
    for (const command of [
      'host ls',
      'host use',
      'host rm',
      'doctor',
      'catalog ls',
      'catalog search',
      'catalog show',
      'plug up',
      'plug ls',
      'plug status',
      'plug logs',
      'plug start',
      'plug stop',
      'plug restart',
      'plug scale',
      'plug down',
      'export',
      'dock',
      'events',
      'stats',
      'health',
      'audit',
      'config get',
      'config set',
    ]) {
      expect(covered, command).toContain(command)
    }
  })

  it.each(utterances.map((row) => [row.text.length > 80 ? `${row.text.slice(0, 77)}...` : row.text, row] as const))(
    '%s',
    (_, row) => {
      const result = parseUtterance(row.text, context)
      if (sameOutcome(result, row)) passed++
      expect(outcomeOf(result)).toEqual(expectedOf(row))
      if (result.kind === 'command') expectGrammatical(result.argv)
    },
  )
})

describe('offline parser: held-out paraphrases (not tuned against)', () => {
  it('understands at least 85% of them', () => {
    const failures: string[] = []
    let passed = 0
    for (const row of heldOut) {
      const result = parseUtterance(row.text, context)
      if (sameOutcome(result, row)) passed++
      else
        failures.push(
          `  ${JSON.stringify(row.text)}: got ${JSON.stringify(outcomeOf(result))}, table says ${JSON.stringify(expectedOf(row))}`,
        )
      if (result.kind === 'command') expectGrammatical(result.argv)
    }
    console.log(
      `offline parser, held-out: ${percent(passed, heldOut.length)}${failures.length > 0 ? `\n${failures.join('\n')}` : ''}`,
    )
    expect(heldOut.length).toBeGreaterThanOrEqual(40)
    expect(passed / heldOut.length).toBeGreaterThanOrEqual(0.85)
  })
})
