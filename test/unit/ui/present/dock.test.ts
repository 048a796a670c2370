import {describe, expect, it} from 'vitest'
import {reduceDock, type DockState} from '../../../../src/ui/dock-state.js'
import {dockLayout, tableColumns} from '../../../../src/ui/present/dock-layout.js'
import {
  clip,
  confirmLines,
  dockScreen,
  fit,
  screenText,
  sparkline,
  wardenBadge,
  wardenDetail,
  wardenStateOf,
} from '../../../../src/ui/present/dock.js'
import {wardenSummary} from '../../../../src/core/warden/summary.js'
import {heartbeatAt} from '../../../support/warden-heartbeat.js'
import {visibleWidth} from '../../../../src/ui/present/text.js'
import {dockState, NOW} from '../../../support/dock-state.js'
import {downPlan, restartPlan} from '../../../support/plans.js'

const text = (state: DockState) => screenText(dockScreen(state))
const widest = (state: DockState) =>
  Math.max(...dockScreen(state).map((line) => visibleWidth(line.map((segment) => segment.text).join(''))))

describe('layout', () => {
  it('gives 80x24 a 17-row table, a 4-row events strip and room for a pane', () => {
    expect(dockLayout({columns: 80, rows: 24}, 'none')).toEqual({tableRows: 17, paneRows: 0, eventRows: 4})
    expect(dockLayout({columns: 80, rows: 24}, 'details')).toEqual({tableRows: 8, paneRows: 9, eventRows: 4})
    expect(dockLayout({columns: 80, rows: 24}, 'logs')).toEqual({tableRows: 6, paneRows: 11, eventRows: 4})
    // Tiny terminals drop the strip, never the table.
    expect(dockLayout({columns: 60, rows: 10}, 'details').tableRows).toBeGreaterThanOrEqual(1)
    expect(dockLayout({columns: 60, rows: 10}, 'none').eventRows).toBe(0)
  })

  it('drops the URL first when narrow and adds a tenant column when wide', () => {
    expect(tableColumns(80).map((column) => column.id)).toEqual([
      'instance',
      'plug',
      'status',
      'health',
      'cpu',
      'memory',
      'uptime',
    ])
    expect(tableColumns(100).map((column) => column.id)).toContain('url')
    expect(tableColumns(140).map((column) => column.id)).toEqual([
      'tenant',
      'instance',
      'plug',
      'status',
      'health',
      'cpu',
      'memory',
      'uptime',
      'url',
    ])
    for (const width of [40, 60, 80, 100, 120, 200]) {
      const columns = tableColumns(width)
      expect(
        2 + columns.reduce((sum, column) => sum + column.width, 0) + columns.length - 1,
        `width ${width}`,
      ).toBeLessThanOrEqual(width)
    }
  })
})

describe('the screen', () => {
  it('fills exactly the terminal, no line wider than it, at 80x24 and when resized', () => {
    let state = dockState({instances: 40, actions: [{type: 'events', events: []}]})
    for (const size of [
      {columns: 80, rows: 24},
      {columns: 100, rows: 30},
      {columns: 132, rows: 43},
      {columns: 50, rows: 12},
    ]) {
      state = reduceDock(state, {type: 'resize', size})
      for (const pane of ['none', 'details', 'logs'] as const) {
        const shown = {...state, pane}
        expect(dockScreen(shown), `${size.columns}x${size.rows} ${pane}`).toHaveLength(size.rows)
        expect(widest(shown), `${size.columns}x${size.rows} ${pane}`).toBeLessThanOrEqual(size.columns)
      }
    }
  })

  it('shows the header, the rows with status, health, uptime and URL, and the key hints', () => {
    const state = dockState({
      instances: [
        {instance: 'shop', port: 51003, startedMinutesAgo: 125},
        {tenant: 'globex', instance: 'blog', state: 'exited'},
      ],
      size: {columns: 100, rows: 30},
    })
    const screen = text(state)
    expect(screen.split('\n')[0]).toMatch(/aims dock\s+vps · all tenants · 2 instances · ● live\s+\? help {2}q quit/)
    expect(screen).toMatch(/› acme\/shop\s+fixture-web\s+running\s+unknown\s+-\s+-\s+2h5m 127\.0\.0\.1:51003/)
    expect(screen).toMatch(/ {2}globex\/blog\s+fixture-web\s+stopped\s+unknown\s+-\s+-\s+- -/)
    expect(screen.split('\n').at(-1)).toMatch(/^↑↓\/jk move · ⏎ details · l logs · r restart/)
  })

  it('formats only the rows on screen, however many instances there are', () => {
    const state = dockState({instances: 200})
    const screen = text(state)
    expect(screen).toContain('acme/app-001')
    expect(screen).toContain('acme/app-017')
    expect(screen).not.toContain('acme/app-018')
    expect(screen.split('\n')[0]).toMatch(/200 instances \(rows 1–17\)/)
    const scrolled = text({...state, top: 183, selected: 'acme/app-200'})
    expect(scrolled.split('\n')[0]).toMatch(/200 instances \(rows 184–200\)/)
    expect(scrolled).toContain('› acme/app-200')
  })

  it('draws CPU and memory with their one-minute sparklines', () => {
    let state = dockState({instances: 1, size: {columns: 120, rows: 30}})
    for (let second = 0; second < 60; second += 3) {
      state = reduceDock(state, {
        type: 'stats',
        usage: [
          {
            ref: 'acme/app-001',
            cpuPercent: second,
            memoryBytes: (second + 1) * 1024 * 1024,
            memoryLimitBytes: 64 * 1024 * 1024,
            networkRxBytes: 0,
            networkTxBytes: 0,
          },
        ],
        at: NOW - 60_000 + second * 1000 + 500,
      })
    }
    state = reduceDock(state, {type: 'tick', now: NOW})
    const row = text(state).split('\n')[2]!
    expect(row).toMatch(/57\.0% +[▁▂▃▄▅▆▇█ ]{6,}/)
    expect(row).toMatch(/58M +[▁▂▃▄▅▆▇█ ]{6,}/)
    expect(row).toMatch(/▁.*█/)
  })

  it('shows the stale badge with the retry countdown and why', () => {
    const state = reduceDock(dockState({instances: 1, size: {columns: 120, rows: 24}}), {
      type: 'connection',
      connection: {
        status: 'stale',
        detail: 'the Docker engine on vps is not answering',
        attempt: 2,
        retryAt: NOW + 2400,
      },
    })
    expect(text(state).split('\n')[0]).toMatch(/◌ stale, retry in 3s +\? help/)
    expect(text(state).split('\n').at(-1)).toBe(
      'stale: the Docker engine on vps is not answering — reconnecting (attempt 2)',
    )
  })

  it('the detail pane lists services, ports and env names, and the live logs', () => {
    let state = dockState({instances: [{instance: 'shop', port: 51003}], size: {columns: 100, rows: 30}})
    state = {...state, pane: 'details'}
    state = reduceDock(state, {
      type: 'details',
      details: {
        ref: 'acme/shop',
        services: [
          {
            service: 'web',
            replica: 1,
            container: 'aims-acme-shop-web',
            image: 'aims-fixture/web:1',
            state: 'running',
            ports: ['127.0.0.1:51003→8080/tcp'],
            envNames: ['APP_SECRET', 'GREETING'],
            secretNames: ['APP_SECRET'],
            restartCount: 2,
          },
        ],
      },
    })
    state = reduceDock(state, {type: 'logs-reset', ref: 'acme/shop'})
    state = reduceDock(state, {type: 'logs', ref: 'acme/shop', lines: ['listening on :8080', 'GET /health 200']})
    const screen = text(state)
    expect(screen).toMatch(/─ acme\/shop · fixture-web · running · unknown ─+/)
    expect(screen).toMatch(
      /web aims-acme-shop-web running aims-fixture\/web:1 {2}ports 127\.0\.0\.1:51003→8080\/tcp {2}restarts 2/,
    )
    expect(screen).toMatch(/env \(\* secret\) APP_SECRET\* GREETING/)
    expect(screen).toMatch(/logs \(following, last 2 of 2; l: bigger\)\nlistening on :8080\nGET \/health 200/)
  })

  it('the events strip shows the newest events with source and instance', () => {
    const state = reduceDock(dockState({instances: 1}), {
      type: 'events',
      events: [
        {
          type: 'container',
          action: 'start',
          tenant: 'acme',
          instance: 'shop',
          time: new Date(NOW - 5000),
          source: 'engine',
          message: 'container aims-acme-shop-web start',
          key: 'a',
        },
        {
          type: 'lifecycle',
          action: 'restarted',
          tenant: 'acme',
          instance: 'shop',
          time: new Date(NOW - 4000),
          source: 'aims',
          message: 'HTTP 200 on /health',
          key: 'b',
        },
      ],
    })
    const screen = text(state)
    expect(screen).toMatch(/─ events \(2\) ─/)
    expect(screen).toMatch(/\d\d:\d\d:55 engine acme\/shop container aims-acme-shop-web start/)
    expect(screen).toMatch(/\d\d:\d\d:56 aims {3}acme\/shop restarted: HTTP 200 on \/health/)
  })

  it('a confirmation box shows the plan and how to answer; a destructive one asks for the name', () => {
    const restart = text(reduceDock(dockState({instances: 1}), {type: 'confirm-open', plan: restartPlan()}))
    expect(restart).toMatch(/┌─ confirm ─+┐/)
    expect(restart).toMatch(/│ Plan: Restart acme\/app-001 \(fixture-web\) on vps +│/)
    expect(restart).toMatch(/│ {3}restart container {2}aims-acme-app-001-web/)
    expect(restart).toMatch(/│ y \/ enter: apply {4}n \/ esc: cancel +│/)
    expect(restart.split('\n').at(-1)).toMatch(/waiting for your answer/)
    let down = reduceDock(dockState({instances: 1}), {type: 'confirm-open', plan: downPlan()})
    down = {...down, confirm: {...down.confirm!, typed: 'app'}}
    const screen = text(down)
    expect(screen).toMatch(/confirm a destructive change/)
    expect(screen).toMatch(/This destroys acme\/app-001 and its data\./)
    expect(screen).toMatch(/Type the instance name \(app-001\) and press enter: app▏/)
  })

  it('a long plan is cut to the box with a count of what was left out', () => {
    const plan = {
      ...restartPlan(),
      changes: Array.from({length: 40}, (_, index) => ({
        action: 'restart' as const,
        kind: 'container' as const,
        name: `c${index}`,
      })),
    }
    const lines = confirmLines(plan, '', 80, 12)
    expect(lines).toHaveLength(12)
    expect(screenText(lines)).toMatch(/… 35 more lines/)
  })

  it('filter mode shows what is typed; read-only hides the mutating keys', () => {
    const filtering = {...dockState({instances: 3}), mode: 'filter' as const, filter: 'app-00'}
    expect(text(filtering).split('\n').at(-1)).toMatch(/^ \/ {2}app-00▏ {2}enter: keep · esc: clear/)
    const readonly = text(dockState({instances: 1, readonly: true}))
    expect(readonly.split('\n')[0]).toContain('read-only')
    expect(readonly.split('\n').at(-1)).not.toMatch(/restart/)
  })

  it('help replaces the table', () => {
    const screen = text({...dockState({instances: 3}), mode: 'help'})
    expect(screen).toMatch(/─ keys ─/)
    expect(screen).toMatch(/d {9}decommission \(down\): type the instance name to confirm/)
    expect(screen).not.toContain('acme/app-001')
  })
})

describe('text helpers', () => {
  it('sparkline: one cell per slice of the minute, blank where nothing was sampled', () => {
    const points = [0, 10, 20, 30, 40, 50].map((second) => ({
      at: NOW - 60_000 + second * 1000 + 1,
      cpuPercent: second,
      memoryBytes: 0,
    }))
    expect(sparkline(points, (point) => point.cpuPercent, NOW, 6, 50)).toBe('▁▂▄▅▇█')
    expect(sparkline(points.slice(3), (point) => point.cpuPercent, NOW, 6, 50)).toBe('   ▅▇█')
    expect(sparkline([], (point) => point.cpuPercent, NOW, 4, 1)).toBe('    ')
  })

  it('fit and clip never exceed the width, wide characters included', () => {
    expect(fit('abcdef', 4)).toBe('abc…')
    expect(fit('ab', 4, 'right')).toBe('  ab')
    expect(fit('日本語テキスト', 6)).toBe('日本… ')
    expect(
      visibleWidth(
        clip([{text: 'abc'}, {text: '日本語'}, {text: 'zz'}], 6)
          .map((segment) => segment.text)
          .join(''),
      ),
    ).toBeLessThanOrEqual(6)
  })
})

describe("the warden's state", () => {
  const warden = (ageMs: number) => ({
    type: 'warden' as const,
    warden: wardenSummary(heartbeatAt(NOW - ageMs), NOW),
  })
  const rowOf = (state: DockState, ref: string) =>
    screenText(dockScreen(state))
      .split('\n')
      .find((line) => line.includes(ref.split('/')[1]!))

  it('the reducer keeps the latest summary', () => {
    const state = dockState({actions: [warden(5000)]})
    expect(state.warden?.presence).toBe('running')
    expect(reduceDock(state, warden(200_000)).warden?.presence).toBe('stale')
  })

  it('a running warden: the header says when it last swept; rows show healing / gave up instead of the probe', () => {
    const state = dockState({size: {columns: 120, rows: 24}, actions: [warden(5000)]})
    const screen = text(state)
    expect(screen.split('\n')[0]).toContain('warden ✓ swept 17s ago')
    expect(rowOf(state, 'acme/app-002')).toContain('healing')
    expect(rowOf(state, 'acme/app-003')).toContain('gave up')
    expect(rowOf(state, 'acme/app-001')).not.toMatch(/healing|gave up/)
  })

  it('the details pane names the state and the last action', () => {
    let state = dockState({size: {columns: 120, rows: 30}, actions: [warden(5000)]})
    state = {...state, selected: 'acme/app-002', pane: 'details'}
    expect(text(state)).toContain('warden: healing · last restart applied 2025-01-31T11:59:50.000Z')
    expect(wardenDetail(undefined)).toBeUndefined()
  })

  it('a stale warden: a red badge with its age, and its old per-instance states are not shown', () => {
    const state = dockState({size: {columns: 120, rows: 24}, actions: [warden(300_000)]})
    expect(wardenBadge(state.warden, NOW)).toEqual({text: 'warden stale 5m', color: 'red', bold: true})
    expect(text(state).split('\n')[0]).toContain('warden stale 5m')
    expect(rowOf(state, 'acme/app-002')).not.toContain('healing')
    expect(wardenStateOf(state.warden, 'acme/app-002')).toBeUndefined()
  })

  it('no warden on the host: a dim "no warden"; before the first read: nothing', () => {
    const absent = dockState({
      size: {columns: 120, rows: 24},
      actions: [{type: 'warden', warden: wardenSummary(undefined, NOW)}],
    })
    expect(text(absent).split('\n')[0]).toContain('no warden')
    expect(text(dockState({size: {columns: 120, rows: 24}})).split('\n')[0]).not.toContain('warden')
  })

  it('fits 80 columns with the badge', () => {
    const state = dockState({size: {columns: 80, rows: 24}, actions: [warden(5000)]})
    expect(widest(state)).toBeLessThanOrEqual(80)
  })
})
