import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {DockController} from '../../../src/ui/dock-controller.js'
import {exportRunner} from '../../../src/ui/dock-export.js'
import {createDockStore} from '../../../src/ui/dock-store.js'
import {dockState} from '../../support/dock-state.js'
import {downPlan, restartPlan} from '../../support/plans.js'

function controller(options: {now?: () => number} = {}) {
  const store = createDockStore(dockState({instances: 2}))
  let quits = 0
  const control = new DockController({
    store,
    feed: {refresh: () => undefined, watch: () => undefined},
    lifecycleDeps: async () => Promise.reject(new Error('not used')),
    mutations: async () => Promise.reject(new Error('not used')),
    exportInstance: async () => ({ok: true, message: 'done'}),
    onQuit: () => void quits++,
    ...(options.now ? {now: options.now} : {}),
  })
  return {store, control, quits: () => quits}
}

describe('the dock approver', () => {
  it('opens the confirmation and resolves apply on a yes', async () => {
    const {store, control} = controller()
    const decision = control.approver.decide(restartPlan())
    expect(store.getState().mode).toBe('confirm')
    control.handle({kind: 'confirm', answer: 'apply', typed: ''})
    await expect(decision).resolves.toBe('apply')
    expect(store.getState().mode).toBe('table')
  })

  it('checks the typed name itself, whatever the view sent', async () => {
    const {control} = controller()
    const wrong = control.approver.decide(downPlan('app-001'))
    control.handle({kind: 'confirm', answer: 'apply', typed: 'app-002'})
    await expect(wrong).rejects.toMatchObject({
      kind: 'not-confirmed',
      exitCode: 3,
      message: 'not confirmed: you typed "app-002", not "app-001"',
      hint: 'nothing was changed',
    })
    const empty = control.approver.decide(downPlan('app-001'))
    control.handle({kind: 'confirm', answer: 'apply', typed: ''})
    await expect(empty).rejects.toBeInstanceOf(AimsError)
    const right = control.approver.decide(downPlan('app-001'))
    control.handle({kind: 'confirm', answer: 'apply', typed: ' app-001 '})
    await expect(right).resolves.toBe('apply')
  })

  it('declines on no, on quit, and when the dock closes', async () => {
    const {control, quits} = controller()
    const declined = control.approver.decide(restartPlan())
    control.handle({kind: 'confirm', answer: 'decline', typed: ''})
    await expect(declined).rejects.toMatchObject({kind: 'not-confirmed'})
    const quit = control.approver.decide(restartPlan())
    control.handle({kind: 'quit'})
    await expect(quit).rejects.toMatchObject({kind: 'not-confirmed'})
    expect(quits()).toBe(0)
    const closing = control.approver.decide(restartPlan())
    control.dispose()
    await expect(closing).rejects.toMatchObject({kind: 'not-confirmed', message: 'the dock closed'})
  })

  it('asks twice before quitting while a change is running', () => {
    let now = 0
    const {store, control, quits} = controller({now: () => now})
    store.dispatch({type: 'busy', busy: {ref: 'acme/app-001', action: 'restarting'}})
    control.handle({kind: 'quit'})
    expect(quits()).toBe(0)
    expect(store.getState().notice?.text).toMatch(/restarting acme\/app-001 is still running: press q again/)
    now = 1000
    control.handle({kind: 'quit'})
    expect(quits()).toBe(1)
  })
})

describe('export from the dock', () => {
  it('runs the export service into ./aims-export-TENANT-INSTANCE and reports where the bundle went', async () => {
    const asked: Array<[string, string]> = []
    const run = exportRunner({
      cwd: '/work',
      run: async (ref, outDir) => {
        asked.push([ref, outDir])
        return {dir: outDir}
      },
    })
    expect(await run('acme/web')).toEqual({ok: true, message: 'exported acme/web to /work/aims-export-acme-web'})
    expect(asked).toEqual([['acme/web', '/work/aims-export-acme-web']])
  })

  it('reports a failed export on one line, without throwing', async () => {
    const run = exportRunner({
      cwd: '/work',
      run: async () => {
        throw Object.assign(new Error('boom'), {line: 'the directory is not empty — pass --force'})
      },
    })
    expect(await run('acme/web')).toEqual({
      ok: false,
      message: 'export of acme/web failed: the directory is not empty — pass --force',
    })
  })
})
