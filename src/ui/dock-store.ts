/**
 * The dock's store: the reducer's state, changed by every action at once,
 * but published to the view at most once per `minIntervalMs` (10 renders a
 * second by default). Bursts of events, log lines and stats coalesce into
 * one frame; a key press is painted within one interval.
 */
import {handleKey, reduceDock, type DockAction, type DockEffect, type DockKey, type DockState} from './dock-state.js'

export interface DockStore {
  /** The latest state (for the controller and the key handler). */
  getState(): DockState
  /** The state last published to the view (stable between publications, for useSyncExternalStore). */
  getSnapshot(): DockState
  dispatch(action: DockAction): void
  /** Applies a key; returns the effect it asks for, if any. */
  key(key: DockKey): DockEffect | undefined
  subscribe(listener: () => void): () => void
  /** Publishes now if anything changed (tests; shutdown). */
  flush(): void
  /** How many times the state was published. */
  readonly publications: number
}

export interface Scheduler {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export function createDockStore(
  initial: DockState,
  options: {minIntervalMs?: number; scheduler?: Scheduler} = {},
): DockStore {
  const minInterval = options.minIntervalMs ?? 100
  const scheduler = options.scheduler ?? realScheduler
  const listeners = new Set<() => void>()
  let state = initial
  let published = initial
  let lastPublish = Number.NEGATIVE_INFINITY
  let timer: unknown
  let publications = 0

  const publish = () => {
    timer = undefined
    if (published === state) return
    published = state
    lastPublish = scheduler.now()
    publications++
    for (const listener of [...listeners]) listener()
  }

  const schedule = () => {
    if (timer !== undefined || published === state) return
    const wait = Math.max(0, lastPublish + minInterval - scheduler.now())
    timer = scheduler.setTimeout(publish, wait)
  }

  return {
    getState: () => state,
    getSnapshot: () => published,
    dispatch(action) {
      const next = reduceDock(state, action)
      if (next === state) return
      state = next
      schedule()
    },
    key(key) {
      const {state: next, effect} = handleKey(state, key)
      if (next !== state) {
        state = next
        schedule()
      }
      return effect
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    flush() {
      if (timer !== undefined) scheduler.clearTimeout(timer)
      publish()
    },
    get publications() {
      return publications
    },
  }
}
