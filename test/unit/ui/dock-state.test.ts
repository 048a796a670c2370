import {describe, expect, it} from 'vitest'
import {restartPlan, downPlan} from '../../support/plans.js'
import {
  handleKey,
  reduceDock,
  visibleRefs,
  LOG_LINES,
  type DockKey,
  type DockState,
} from '../../../src/ui/dock-state.js'
import {dockState, NOW, snapshots} from '../../support/dock-state.js'

const press = (state: DockState, ...keys: Array<string | DockKey>) => {
  let current = state
  const effects = []
  for (const key of keys) {
    const result = handleKey(current, typeof key === 'string' ? {input: key} : key)
    current = result.state
    if (result.effect) effects.push(result.effect)
  }
  return {state: current, effects}
}

describe('the table model', () => {
  it('orders rows by TENANT/INSTANCE and selects the first', () => {
    const state = dockState({instances: [{instance: 'zeta'}, {tenant: 'beta', instance: 'alpha'}, {instance: 'alpha'}]})
    expect(state.order).toEqual(['acme/alpha', 'acme/zeta', 'beta/alpha'])
    expect(state.selected).toBe('acme/alpha')
  })

  it('keeps the selection on the same instance when rows arrive or re-sort', () => {
    let {state} = press(dockState({instances: 5}), 'j', 'j')
    expect(state.selected).toBe('acme/app-003')
    state = reduceDock(state, {
      type: 'instance',
      ref: 'acme/app-000',
      snapshot: snapshots([{instance: 'app-000'}])[0]!,
      at: NOW,
    })
    expect(state.order[0]).toBe('acme/app-000')
    expect(state.selected).toBe('acme/app-003')
    state = press(state, 'O').state
    expect(state.order[0]).toBe('acme/app-005')
    expect(state.selected).toBe('acme/app-003')
  })

  it('moves the selection to the neighbour when its instance goes away', () => {
    let {state} = press(dockState({instances: 3}), 'j')
    state = reduceDock(state, {type: 'instance', ref: 'acme/app-002', at: NOW})
    expect(state.order).toEqual(['acme/app-001', 'acme/app-003'])
    expect(state.selected).toBe('acme/app-003')
  })

  it('scrolls so the selection stays visible, and shows only the rows that fit', () => {
    let state = dockState({instances: 200, size: {columns: 80, rows: 24}})
    const height = visibleRefs(state).length
    expect(height).toBe(17)
    state = press(state, {input: '', pageDown: true}, {input: '', pageDown: true}).state
    expect(state.order.indexOf(state.selected!)).toBe(32)
    expect(visibleRefs(state)).toContain(state.selected)
    state = press(state, 'G').state
    expect(state.selected).toBe('acme/app-200')
    expect(visibleRefs(state).at(-1)).toBe('acme/app-200')
    state = press(state, 'g').state
    expect(state.top).toBe(0)
    // Opening a pane leaves fewer rows; the selection stays in view.
    state = press(state, 'G', {input: '', enter: true}).state
    expect(visibleRefs(state)).toContain('acme/app-200')
    expect(visibleRefs(state).length).toBeLessThan(height)
  })

  it('filters by text as it is typed; esc clears', () => {
    let {state} = press(
      dockState({instances: [{instance: 'shop'}, {instance: 'blog'}, {tenant: 'globex', instance: 'shop-2'}]}),
      '/',
      's',
      'h',
      'o',
    )
    expect(state.mode).toBe('filter')
    expect(state.order).toEqual(['acme/shop', 'globex/shop-2'])
    state = press(state, {input: '', enter: true}).state
    expect(state.mode).toBe('table')
    expect(state.filter).toBe('sho')
    state = press(state, {input: '', escape: true}).state
    expect(state.filter).toBe('')
    expect(state.order).toHaveLength(3)
  })

  it('cycles sort keys with o and reverses with O', () => {
    let state = dockState({
      instances: [
        {instance: 'a', startedMinutesAgo: 1},
        {instance: 'b', startedMinutesAgo: 60},
        {instance: 'c', state: 'exited'},
      ],
    })
    state = reduceDock(state, {
      type: 'stats',
      usage: [
        {ref: 'acme/a', cpuPercent: 2, memoryBytes: 10, memoryLimitBytes: 100, networkRxBytes: 0, networkTxBytes: 0},
        {ref: 'acme/b', cpuPercent: 50, memoryBytes: 5, memoryLimitBytes: 100, networkRxBytes: 0, networkTxBytes: 0},
      ],
      at: NOW,
    })
    const keys: string[] = []
    const orders: string[][] = []
    for (let index = 0; index < 7; index++) {
      state = press(state, 'o').state
      keys.push(`${state.sort.key}${state.sort.descending ? '↓' : '↑'}`)
      orders.push(state.order.map((ref) => ref.slice(5)))
    }
    expect(keys).toEqual(['plug↑', 'status↑', 'health↑', 'cpu↓', 'memory↓', 'uptime↑', 'instance↑'])
    expect(orders[3]).toEqual(['b', 'a', 'c'])
    expect(orders[4]).toEqual(['a', 'b', 'c'])
    expect(orders[5]).toEqual(['b', 'a', 'c'])
  })

  it('keeps one minute of usage history per row', () => {
    let state = dockState({instances: 1})
    for (let second = 0; second <= 90; second += 3)
      state = reduceDock(state, {
        type: 'stats',
        usage: [
          {
            ref: 'acme/app-001',
            cpuPercent: second,
            memoryBytes: 1,
            memoryLimitBytes: 2,
            networkRxBytes: 0,
            networkTxBytes: 0,
          },
        ],
        at: NOW + second * 1000,
      })
    const history = state.rows['acme/app-001']!.history
    expect(history[0]!.at).toBeGreaterThan(NOW + 30_000)
    expect(history.at(-1)!.cpuPercent).toBe(90)
  })

  it('lets the clock repaint only when the screen would change', () => {
    // Five-minute uptimes show minutes: seconds passing change nothing.
    const idle = dockState({instances: 3})
    expect(reduceDock(idle, {type: 'tick', now: NOW + 1000})).toBe(idle)
    expect(reduceDock(idle, {type: 'tick', now: NOW + 59_000})).toBe(idle)
    expect(reduceDock(idle, {type: 'tick', now: NOW + 60_000}).now).toBe(NOW + 60_000)
    // A row that started seconds ago shows seconds; so do a notice and a stale countdown.
    const fresh = reduceDock(idle, {
      type: 'instance',
      ref: 'acme/app-002',
      snapshot: {...snapshots([{instance: 'app-002'}])[0]!, startedAt: NOW - 5000},
      at: NOW,
    })
    expect(reduceDock(fresh, {type: 'tick', now: NOW + 1000}).now).toBe(NOW + 1000)
    const noticed = reduceDock(idle, {type: 'notice', text: 'hello', tone: 'info'})
    expect(reduceDock(noticed, {type: 'tick', now: NOW + 1000}).now).toBe(NOW + 1000)
    const stale = reduceDock(idle, {type: 'connection', connection: {status: 'stale', retryAt: NOW + 4000}})
    expect(reduceDock(stale, {type: 'tick', now: NOW + 1000}).now).toBe(NOW + 1000)
  })

  it('caps the log buffer and counts what it dropped', () => {
    let state = reduceDock(dockState({instances: 1}), {type: 'logs-reset', ref: 'acme/app-001'})
    state = reduceDock(state, {
      type: 'logs',
      ref: 'acme/app-001',
      lines: Array.from({length: LOG_LINES + 20}, (_, index) => `line ${index}`),
    })
    state = reduceDock(state, {type: 'logs', ref: 'acme/other', lines: ['not mine']})
    expect(state.logs.lines).toHaveLength(LOG_LINES)
    expect(state.logs.lines[0]).toBe('line 20')
    expect(state.logs.dropped).toBe(20)
  })

  it('a restart resets the probed health; the same run keeps it', () => {
    let state = reduceDock(dockState({instances: 1}), {
      type: 'health',
      ref: 'acme/app-001',
      health: 'healthy',
      detail: 'HTTP 200',
    })
    const same = snapshots([{instance: 'app-001', port: 51000}])[0]!
    state = reduceDock(state, {type: 'instance', ref: 'acme/app-001', snapshot: same, at: NOW})
    expect(state.rows['acme/app-001']!.health).toBe('healthy')
    state = reduceDock(state, {type: 'instance', ref: 'acme/app-001', snapshot: {...same, startedAt: NOW}, at: NOW})
    expect(state.rows['acme/app-001']!.health).toBe('unknown')
  })
})

describe('keys', () => {
  it('r, s and d ask for the mutation of the selected instance; s starts a stopped one', () => {
    const state = dockState({instances: [{instance: 'up'}, {instance: 'down', state: 'exited'}]})
    expect(press(state, 'j', 'r').effects).toEqual([{kind: 'mutate', action: 'restart', ref: 'acme/up'}])
    expect(press(state, 's').effects).toEqual([{kind: 'mutate', action: 'start', ref: 'acme/down'}])
    expect(press(state, 'j', 's').effects).toEqual([{kind: 'mutate', action: 'stop', ref: 'acme/up'}])
    expect(press(state, 'd').effects).toEqual([{kind: 'mutate', action: 'down', ref: 'acme/down'}])
    expect(press(state, 'x').effects).toEqual([{kind: 'export', ref: 'acme/down'}])
  })

  it('--readonly refuses mutating keys and says why; export and reading still work', () => {
    const state = dockState({instances: 1, readonly: true})
    for (const key of ['r', 's', 'd']) {
      const result = press(state, key)
      expect(result.effects).toEqual([])
      expect(result.state.notice?.text).toMatch(/read-only dock \(--readonly\): . \((restart|stop|down)\) is disabled/)
    }
    expect(press(state, 'x').effects).toEqual([{kind: 'export', ref: 'acme/app-001'}])
  })

  it('refuses changes while the connection is not live, or while one is running', () => {
    const stale = reduceDock(dockState({instances: 1}), {
      type: 'connection',
      connection: {status: 'stale', detail: 'gone'},
    })
    expect(press(stale, 'r').effects).toEqual([])
    expect(press(stale, 'r').state.notice?.text).toMatch(/connection is stale/)
    const busy = reduceDock(dockState({instances: 1}), {
      type: 'busy',
      busy: {ref: 'acme/app-001', action: 'restarting'},
    })
    expect(press(busy, 'd').effects).toEqual([])
  })

  it('a confirmation takes y/enter or n/esc and ignores everything else', () => {
    const open = reduceDock(dockState({instances: 1}), {type: 'confirm-open', plan: restartPlan()})
    expect(open.mode).toBe('confirm')
    expect(press(open, 'r', 'j', 'q').effects).toEqual([{kind: 'confirm', answer: 'decline', typed: ''}])
    expect(press(open, 'r', 'j').effects).toEqual([])
    expect(press(open, 'y').effects).toEqual([{kind: 'confirm', answer: 'apply', typed: ''}])
    expect(press(open, {input: '', enter: true}).effects).toEqual([{kind: 'confirm', answer: 'apply', typed: ''}])
    expect(press(open, 'n').effects).toEqual([{kind: 'confirm', answer: 'decline', typed: ''}])
    expect(press(open, {input: '', escape: true}).effects).toEqual([{kind: 'confirm', answer: 'decline', typed: ''}])
  })

  it('a destructive confirmation collects the typed name; y does not apply it', () => {
    const open = reduceDock(dockState({instances: 1}), {type: 'confirm-open', plan: downPlan('app-001')})
    const typed = press(open, 'y', 'a', 'p', 'x', {input: '', backspace: true}, 'p', '-', '0', '0', '1')
    expect(typed.effects).toEqual([])
    expect(typed.state.confirm?.typed).toBe('yapp-001')
    expect(press(typed.state, {input: '', enter: true}).effects).toEqual([
      {kind: 'confirm', answer: 'apply', typed: 'yapp-001'},
    ])
    expect(press(open, {input: '', escape: true}).effects).toEqual([{kind: 'confirm', answer: 'decline', typed: ''}])
  })

  it('a pasted "name + Enter" in one chunk is the typed name, then Enter', () => {
    const open = reduceDock(dockState({instances: 1}), {type: 'confirm-open', plan: downPlan('app-001')})
    for (const chunk of ['app-001\r', 'app-001\n', 'app-001\r\n'])
      expect(press(open, chunk).effects).toEqual([{kind: 'confirm', answer: 'apply', typed: 'app-001'}])
    // After some typed keys, the paste adds to them; a paste with control characters inside is dropped.
    expect(press(open, 'app', '-001\r').effects).toEqual([{kind: 'confirm', answer: 'apply', typed: 'app-001'}])
    const dropped = press(open, 'app\u001b[31m-001\r')
    expect(dropped.effects).toEqual([])
    expect(dropped.state.confirm?.typed).toBe('')
  })

  it('q and ctrl-c quit; ? opens help and any key closes it', () => {
    const state = dockState({instances: 1})
    expect(press(state, 'q').effects).toEqual([{kind: 'quit'}])
    expect(press(state, {input: 'c', ctrl: true}).effects).toEqual([{kind: 'quit'}])
    const help = press(state, '?').state
    expect(help.mode).toBe('help')
    expect(press(help, 'r')).toEqual({state: {...help, mode: 'table'}, effects: []})
  })

  it('enter and l open and close the panes; esc closes', () => {
    const state = dockState({instances: 1})
    expect(press(state, {input: '', enter: true}).state.pane).toBe('details')
    expect(press(state, {input: '', enter: true}, {input: '', enter: true}).state.pane).toBe('none')
    expect(press(state, 'l').state.pane).toBe('logs')
    expect(press(state, 'l', {input: '', escape: true}).state.pane).toBe('none')
  })
})
