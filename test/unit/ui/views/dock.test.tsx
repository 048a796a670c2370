/**
 * The dock's view driven by keys, as a person would: ink-testing-library
 * renders the real components, the real store and controller, and the real
 * gate (passGate); only the lifecycle services are fakes that build the
 * plan and pass it through the gate like the real ones.
 */
import {render} from 'ink-testing-library'
import {afterEach, describe, expect, it} from 'vitest'
import type {Plan} from '../../../../src/core/plan/plan.js'
import {passGate} from '../../../../src/services/gate.js'
import type {LifecycleDeps} from '../../../../src/services/ports.js'
import {DockController, type DockMutations} from '../../../../src/ui/dock-controller.js'
import {exportRunner} from '../../../../src/ui/dock-export.js'
import {createDockStore} from '../../../../src/ui/dock-store.js'
import {DockView} from '../../../../src/ui/views/Dock.js'
import {eventually} from '../../../support/dock-fakes.js'
import {dockState} from '../../../support/dock-state.js'
import {downPlan, restartPlan} from '../../../support/plans.js'

const KEYS = {enter: '\r', escape: '\u001b', down: '\u001b[B', up: '\u001b[A', backspace: '\u007f'}

interface Setup {
  frame: () => string
  type: (...keys: string[]) => Promise<void>
  applied: string[]
  quits: number
  watched: Array<string | undefined>
  /** The CLI commands the key presses amounted to (recorded in the audit log). */
  commands: string[]
}

const unmounts: Array<() => void> = []
afterEach(() => {
  for (const unmount of unmounts.splice(0)) unmount()
})

function setup(options: {readonly?: boolean; instances?: number} = {}): Setup {
  const store = createDockStore(
    dockState({
      instances: options.instances ?? 3,
      size: {columns: 80, rows: 24},
      ...(options.readonly ? {readonly: true} : {}),
    }),
  )
  const applied: string[] = []
  const watched: Array<string | undefined> = []
  const commands: string[] = []
  const result: Setup = {frame: () => '', type: async () => undefined, applied, quits: 0, watched, commands}
  // What the real services do with the gate: build the plan, pass it, then act.
  const gated = async (plan: Plan, deps: LifecycleDeps, what: string) => {
    const decision = await passGate(plan, deps.approver)
    if (decision === 'apply') applied.push(what)
  }
  const mutations: DockMutations = {
    changeState: async (deps, ref, action) => {
      const plan = {
        ...restartPlan(ref.instance),
        action: `plug-${action}` as const,
        summary: `${action[0]!.toUpperCase()}${action.slice(1)} ${ref.tenant}/${ref.instance} (fixture-web) on vps`,
      }
      await gated(plan, deps, `${action} ${ref.tenant}/${ref.instance}`)
      return {
        status: 'applied',
        action: plan.action,
        instance: `${ref.tenant}/${ref.instance}`,
        host: 'vps',
        plan,
        health: {ok: true, detail: 'HTTP 200 on /health'},
        durationMs: 5,
      }
    },
    plugDown: async (deps, ref) => {
      const plan = downPlan(ref.instance)
      await gated(plan, deps, `down ${ref.tenant}/${ref.instance}`)
      return {
        status: 'applied',
        action: 'plug-down',
        instance: `${ref.tenant}/${ref.instance}`,
        host: 'vps',
        plan,
        durationMs: 5,
        removed: {containers: [], volumes: [], networks: [], proxyConf: false},
        keptVolumes: [],
      }
    },
  }
  const controller = new DockController({
    store,
    feed: {refresh: () => undefined, watch: (ref) => void watched.push(ref)},
    lifecycleDeps: async (approver, progress, argv) => {
      commands.push(argv.join(' '))
      return {approver, progress} as unknown as LifecycleDeps
    },
    mutations: async () => mutations,
    exportInstance: exportRunner({cwd: '/tmp', run: async (_ref, outDir) => ({dir: outDir})}),
    onQuit: () => void result.quits++,
    watchDelayMs: 0,
  })
  store.subscribe(() => controller.syncWatch())
  const app = render(<DockView store={store} onEffect={controller.handle} size={{columns: 80, rows: 24}} />)
  unmounts.push(() => app.unmount())
  result.frame = () => app.lastFrame() ?? ''
  result.type = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key)
      // Ink parses a lone ESC after a short wait; give every key its own turn.
      await new Promise((resolve) => setTimeout(resolve, key === KEYS.escape ? 60 : 5))
    }
  }
  return result
}

describe('the dock view', () => {
  it('paints the table at 80x24 and moves the selection with j, k and the arrows', async () => {
    const dock = setup()
    await eventually(() => expect(dock.frame()).toMatch(/› acme\/app-001/))
    expect(dock.frame().split('\n')).toHaveLength(24)
    await dock.type('j', KEYS.down)
    await eventually(() => expect(dock.frame()).toMatch(/› acme\/app-003/))
    await dock.type('k')
    await eventually(() => expect(dock.frame()).toMatch(/› acme\/app-002/))
  })

  it('enter opens the detail pane, which follows the selected instance', async () => {
    const dock = setup()
    await dock.type(KEYS.enter)
    await eventually(() => expect(dock.frame()).toMatch(/─ acme\/app-001 · fixture-web · running/))
    await eventually(() => expect(dock.watched.at(-1)).toBe('acme/app-001'))
    await dock.type('j')
    await eventually(() => expect(dock.watched.at(-1)).toBe('acme/app-002'))
    await dock.type(KEYS.enter)
    await eventually(() => expect(dock.watched.at(-1)).toBeUndefined())
  })

  it('r shows the plan inline; y applies it through the gate', async () => {
    const dock = setup()
    await dock.type('r')
    await eventually(() => expect(dock.frame()).toMatch(/│ Plan: Restart acme\/app-001 \(fixture-web\) on vps/))
    expect(dock.frame()).toMatch(/y \/ enter: apply {4}n \/ esc: cancel/)
    expect(dock.applied).toEqual([])
    await dock.type('y')
    await eventually(() =>
      expect(dock.frame()).toMatch(/✓ restarted acme\/app-001 \(\d+\.\d s\), HTTP 200 on \/health/),
    )
    expect(dock.applied).toEqual(['restart acme/app-001'])
    expect(dock.commands).toEqual(['plug restart acme/app-001'])
    expect(dock.frame()).not.toMatch(/Plan: Restart/)
  })

  it('n or esc declines: nothing changes', async () => {
    const dock = setup()
    await dock.type('j', 's')
    await eventually(() => expect(dock.frame()).toMatch(/Plan: Stop acme\/app-002/))
    await dock.type('n')
    await eventually(() => expect(dock.frame()).toMatch(/not confirmed — nothing was changed/))
    await dock.type('r')
    await eventually(() => expect(dock.frame()).toMatch(/Plan: Restart acme\/app-002/))
    await dock.type(KEYS.escape)
    await eventually(() => expect(dock.frame()).not.toMatch(/Plan: Restart/))
    expect(dock.applied).toEqual([])
  })

  it('d asks for the instance name: a wrong name, y, or esc change nothing; the exact name applies', async () => {
    const dock = setup()
    await dock.type('d')
    await eventually(() => expect(dock.frame()).toMatch(/Type the instance name \(app-001\) and press enter:/))
    await dock.type('y', KEYS.enter)
    await eventually(() =>
      expect(dock.frame()).toMatch(/not confirmed: you typed "y", not "app-001" — nothing was changed/),
    )
    await dock.type('d', ...'app-00'.split(''), KEYS.enter)
    await eventually(() => expect(dock.frame()).toMatch(/you typed "app-00", not "app-001"/))
    await dock.type('d', 'a', KEYS.escape)
    await eventually(() => expect(dock.frame()).toMatch(/not confirmed — nothing was changed/))
    expect(dock.applied).toEqual([])
    await dock.type('d', ...'app-0012'.split(''), KEYS.backspace, KEYS.enter)
    await eventually(() => expect(dock.frame()).toMatch(/✓ decommissioned acme\/app-001/))
    expect(dock.applied).toEqual(['down acme/app-001'])
  })

  it('--readonly: mutating keys say why they are disabled and open no confirmation', async () => {
    const dock = setup({readonly: true})
    await dock.type('d')
    await eventually(() => expect(dock.frame()).toMatch(/read-only dock \(--readonly\): d \(down\) is disabled/))
    expect(dock.frame()).not.toMatch(/Type the instance name/)
    expect(dock.frame().split('\n')[0]).toMatch(/read-only/)
  })

  it('x exports the selected instance and says where the bundle went', async () => {
    const dock = setup()
    await dock.type('x')
    await eventually(() => expect(dock.frame()).toMatch(/exported \S+ to \/tmp\/aims-export-/))
  })

  it('/ filters as you type; esc clears; ? shows help; q quits', async () => {
    const dock = setup({instances: 12})
    await dock.type('/', ...'p-011'.split(''))
    await eventually(() => expect(dock.frame()).toMatch(/1\/12 instances/))
    expect(dock.frame()).toMatch(/› acme\/app-011/)
    await dock.type(KEYS.escape)
    await eventually(() => expect(dock.frame()).toMatch(/12 instances/))
    await dock.type('?')
    await eventually(() => expect(dock.frame()).toMatch(/─ keys ─/))
    await dock.type('z')
    await eventually(() => expect(dock.frame()).not.toMatch(/─ keys ─/))
    await dock.type('q')
    await eventually(() => expect(dock.quits).toBe(1))
  })
})
