import {describe, expect, it} from 'vitest'
import {createDockStore, type Scheduler} from '../../../src/ui/dock-store.js'
import {dockState} from '../../support/dock-state.js'

/** A scheduler with a hand-driven clock. */
function manualScheduler() {
  let now = 0
  const timers: Array<{at: number; run: () => void; id: number}> = []
  let ids = 0
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = ++ids
      timers.push({at: now + ms, run, id})
      return id
    },
    clearTimeout: (handle) => {
      const index = timers.findIndex((timer) => timer.id === handle)
      if (index >= 0) timers.splice(index, 1)
    },
  }
  const advance = (ms: number) => {
    const until = now + ms
    for (;;) {
      timers.sort((a, b) => a.at - b.at)
      const next = timers[0]
      if (!next || next.at > until) break
      timers.shift()
      now = next.at
      next.run()
    }
    now = until
  }
  return {scheduler, advance}
}

describe('the dock store', () => {
  it('publishes at most 10 times a second however many updates arrive', () => {
    const {scheduler, advance} = manualScheduler()
    const store = createDockStore(dockState({instances: 3}), {scheduler})
    let renders = 0
    store.subscribe(() => renders++)
    // 1000 updates a second for 3 seconds (ticks, stats, events…).
    store.dispatch({type: 'logs-reset', ref: 'acme/app-001'})
    for (let ms = 0; ms < 3000; ms++) {
      store.dispatch({type: 'logs', ref: 'acme/app-001', lines: [`line ${ms}`]})
      advance(1)
    }
    advance(200)
    expect(renders).toBeGreaterThanOrEqual(29)
    expect(renders).toBeLessThanOrEqual(31)
    expect(store.getSnapshot().logs.lines.at(-1)).toBe('line 2999')
  })

  it('paints a lone key press at once, and a second one within the interval', () => {
    const {scheduler, advance} = manualScheduler()
    const store = createDockStore(dockState({instances: 3}), {scheduler})
    let renders = 0
    store.subscribe(() => renders++)
    store.key({input: 'j'})
    advance(0)
    expect(renders).toBe(1)
    expect(store.getSnapshot().selected).toBe('acme/app-002')
    store.key({input: 'j'})
    advance(50)
    expect(renders).toBe(1)
    // The latest state is there for the key handler before it is painted.
    expect(store.getState().selected).toBe('acme/app-003')
    advance(50)
    expect(renders).toBe(2)
  })

  it('keeps the published snapshot stable between publications, and skips no-op updates', () => {
    const {scheduler, advance} = manualScheduler()
    const store = createDockStore(dockState({instances: 1}), {scheduler})
    const before = store.getSnapshot()
    store.dispatch({type: 'resize', size: store.getState().size})
    store.dispatch({type: 'logs', ref: 'nobody/listens', lines: ['x']})
    advance(500)
    expect(store.getSnapshot()).toBe(before)
    expect(store.publications).toBe(0)
  })
})
