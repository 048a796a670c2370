import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../../support/aims.js'

describe('the Node version aims needs', () => {
  it('is the same in package.json engines and in bin/run.js (the message users see)', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}}).engines
      .node
    const runJs = readFileSync(join(ROOT, 'bin', 'run.js'), 'utf8')
    const min = /const NODE_MIN = '(\d+\.\d+\.\d+)'/.exec(runJs)?.[1]
    expect(min).toBeDefined()
    expect(engines).toBe(`>=${min}`)
  })
})
