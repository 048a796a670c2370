/**
 * Performs what the dock's keys ask for. Mutations run through the same
 * lifecycle services and the same gate as the CLI; the dock's Approver shows
 * the plan in an inline confirmation and waits for the answer — y/enter, or
 * for a destructive plan the instance name typed exactly — and refuses
 * (nothing changes) on anything else.
 */
import {AimsError} from '../core/errors.js'
import {parseInstanceRef} from '../core/names.js'
import type {Plan} from '../core/plan/plan.js'
import type {Approver, GateDecision} from '../services/gate.js'
import type {ChangeResult, DownResult} from '../services/plug-manage.js'
import type {LifecycleDeps} from '../services/ports.js'
import type {Progress} from '../services/progress.js'
import type {DockEffect, MutatingAction} from './dock-state.js'
import type {DockStore} from './dock-store.js'
import type {ExportRunner} from './dock-export.js'

export interface DockMutations {
  changeState(
    deps: LifecycleDeps,
    ref: {tenant: string; instance: string},
    action: 'start' | 'stop' | 'restart',
  ): Promise<ChangeResult>
  plugDown(
    deps: LifecycleDeps,
    ref: {tenant: string; instance: string},
    options: {keepData: boolean},
  ): Promise<DownResult>
}

export interface DockControllerOptions {
  store: DockStore
  feed: {refresh(ref: string): void; watch(ref: string | undefined): void}
  /**
   * Lifecycle deps for one mutation, wired to the dock's approver and progress (origin dock);
   * `argv` is the CLI command the key press amounts to, for the audit log.
   */
  lifecycleDeps: (approver: Approver, progress: Progress, argv: string[]) => Promise<LifecycleDeps>
  mutations: () => Promise<DockMutations>
  exportInstance: ExportRunner
  onQuit: () => void
  /** Delay before the pane follows a new selection (scrolling through rows does not start a follow per row). */
  watchDelayMs?: number
  now?: () => number
}

const PAST: Record<MutatingAction, string> = {
  restart: 'restarted',
  start: 'started',
  stop: 'stopped',
  down: 'decommissioned',
}
const DOING: Record<MutatingAction, string> = {
  restart: 'restarting',
  start: 'starting',
  stop: 'stopping',
  down: 'decommissioning',
}

export class DockController {
  private pending:
    {plan: Plan; resolve: (decision: GateDecision) => void; reject: (error: AimsError) => void} | undefined
  private watchTimer: NodeJS.Timeout | undefined
  private quitArmedAt: number | undefined
  private readonly now: () => number

  constructor(private readonly options: DockControllerOptions) {
    this.now = options.now ?? Date.now
  }

  /** The gate's approver for dock mutations. */
  readonly approver: Approver = {
    // The plan is shown by decide(), inside the confirmation box.
    show: () => undefined,
    decide: (plan) =>
      new Promise<GateDecision>((resolve, reject) => {
        this.pending = {plan, resolve, reject}
        this.options.store.dispatch({type: 'confirm-open', plan})
      }),
  }

  readonly handle = (effect: DockEffect): void => {
    switch (effect.kind) {
      case 'quit':
        return this.quit()
      case 'confirm':
        return this.answer(effect.answer, effect.typed)
      case 'mutate':
        void this.mutate(effect.action, effect.ref)
        return
      case 'export':
        void this.export(effect.ref)
        return
    }
  }

  /** Call after state changes: the open pane follows the selected instance. */
  syncWatch(): void {
    const state = this.options.store.getState()
    const wanted = state.pane !== 'none' ? state.selected : undefined
    if (this.watchTimer) clearTimeout(this.watchTimer)
    this.watchTimer = setTimeout(
      () => {
        this.watchTimer = undefined
        this.options.feed.watch(wanted)
      },
      wanted === undefined ? 0 : (this.options.watchDelayMs ?? 150),
    )
  }

  dispose(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer)
    this.pending?.reject(new AimsError('not-confirmed', 'the dock closed', {hint: 'nothing was changed'}))
    this.pending = undefined
  }

  private quit(): void {
    const state = this.options.store.getState()
    if (this.pending) return this.answer('decline', '')
    if (state.busy && (this.quitArmedAt === undefined || this.now() - this.quitArmedAt > 3000)) {
      this.quitArmedAt = this.now()
      this.options.store.dispatch({
        type: 'notice',
        text: `${state.busy.action} ${state.busy.ref} is still running: press q again to quit anyway`,
        tone: 'error',
      })
      return
    }
    this.options.onQuit()
  }

  /**
   * The answer to the open confirmation. The typed name is checked here, in
   * the approver, whatever the view let through.
   */
  private answer(answer: 'apply' | 'decline', typed: string): void {
    const pending = this.pending
    this.pending = undefined
    this.options.store.dispatch({type: 'confirm-close'})
    if (!pending) return
    if (answer === 'decline')
      return pending.reject(new AimsError('not-confirmed', 'not confirmed', {hint: 'nothing was changed'}))
    const word = pending.plan.confirmWord
    if (word !== undefined && typed.trim() !== word) {
      return pending.reject(
        new AimsError(
          'not-confirmed',
          `not confirmed: you typed ${JSON.stringify(typed.trim())}, not ${JSON.stringify(word)}`,
          {hint: 'nothing was changed'},
        ),
      )
    }
    pending.resolve('apply')
  }

  private async mutate(action: MutatingAction, refText: string): Promise<void> {
    const {store} = this.options
    const started = this.now()
    store.dispatch({type: 'busy', busy: {ref: refText, action: DOING[action]}})
    try {
      const ref = parseInstanceRef(refText)
      const [deps, mutations] = await Promise.all([
        this.options.lifecycleDeps(
          this.approver,
          (event) =>
            store.dispatch({type: 'busy', busy: {ref: refText, action: DOING[action], progress: event.message}}),
          ['plug', action, refText],
        ),
        this.options.mutations(),
      ])
      const result =
        action === 'down'
          ? await mutations.plugDown(deps, ref, {keepData: false})
          : await mutations.changeState(deps, ref, action)
      const seconds = ((this.now() - started) / 1000).toFixed(1)
      store.dispatch({
        type: 'notice',
        text:
          result.status === 'unchanged' && 'already' in result
            ? `${refText} is already ${result.already}: nothing changed`
            : `✓ ${PAST[action]} ${refText} (${seconds} s)${result.health ? `, ${result.health.detail}` : ''}`,
        tone: result.status === 'unchanged' ? 'info' : 'ok',
      })
    } catch (error) {
      const failure = error instanceof AimsError ? error : new AimsError('internal', (error as Error).message)
      store.dispatch({
        type: 'notice',
        text:
          failure.kind === 'not-confirmed'
            ? `${failure.message} — ${failure.hint ?? 'nothing was changed'}`
            : `${action} ${refText} failed: ${failure.line}`,
        tone: failure.kind === 'not-confirmed' ? 'info' : 'error',
      })
    } finally {
      if (this.pending) this.answer('decline', '')
      store.dispatch({type: 'confirm-close'})
      store.dispatch({type: 'busy'})
      this.options.feed.refresh(refText)
    }
  }

  private async export(ref: string): Promise<void> {
    this.options.store.dispatch({type: 'notice', text: `exporting ${ref}…`, tone: 'info'})
    const outcome = await this.options.exportInstance(ref)
    this.options.store.dispatch({type: 'notice', text: outcome.message, tone: outcome.ok ? 'ok' : 'error'})
  }
}
