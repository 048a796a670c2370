/** Presenters clean every untrusted value before a terminal (issue 10, item 9). */
import {describe, expect, it} from 'vitest'
import type {Plan} from '../../../../src/core/plan/plan.js'
import {renderPlan} from '../../../../src/ui/present/plan.js'
import {renderTable} from '../../../../src/ui/present/table.js'
import {statsTable} from '../../../../src/ui/present/stats.js'
import {makeStyle} from '../../../../src/ui/style.js'

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2Jx\nFORGED=1\r'
const terminalActs = /[\u001b\u009b\u0007\r]|^FORGED/m

describe('untrusted values in tables and plans', () => {
  it('renderTable cleans every cell to one line, keeping our colours', () => {
    const style = makeStyle(true)
    const text = renderTable(['A', 'B'], [[HOSTILE, style.green('ok')]])
    expect(text.split('\n')).toHaveLength(2)
    expect(text).toContain('x⏎FORGED=1')
    expect(text).toContain(style.green('ok'))
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(terminalActs)
  })

  it('statsTable (labels of forged containers) prints no escape', () => {
    const text = statsTable([
      {
        ref: `t/${HOSTILE}`,
        plug: HOSTILE,
        status: 'running',
        cpuPercent: 0,
        memoryBytes: 0,
        memoryLimitBytes: 0,
        networkRxBytes: 0,
        networkTxBytes: 0,
        containers: [],
      } as never,
    ])
    expect(text).not.toMatch(terminalActs)
  })

  it('renderPlan cleans facts, gate details and change names', () => {
    const plan: Plan = {
      action: 'plug-up',
      summary: `Deploy ${HOSTILE}`,
      host: 'vps',
      target: 't/i',
      destructive: false,
      facts: [{label: 'env web', value: `GREETING=${HOSTILE}`}],
      changes: [{action: 'create', kind: 'container', name: HOSTILE, detail: HOSTILE}],
      gates: [{id: 'names', title: 'names', status: 'fail', detail: HOSTILE, fix: HOSTILE}],
    }
    const text = renderPlan(plan, makeStyle(false))
    expect(text).not.toMatch(terminalActs)
    expect(text).toContain('GREETING=x⏎FORGED=1⏎')
  })
})
