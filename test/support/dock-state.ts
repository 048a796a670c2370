/** Dock states for unit tests, built through the reducer from engine-like listings. */
import type {InstanceSnapshot} from '../../src/core/dock.js'
import {groupInstances} from '../../src/core/instances.js'
import {initialDockState, reduceDock, type DockAction, type DockState} from '../../src/ui/dock-state.js'
import {summary} from './dock-fakes.js'

export const NOW = Date.parse('2025-01-31T12:00:00Z')

export function snapshots(
  specs: Array<{
    tenant?: string
    instance: string
    state?: 'running' | 'exited'
    startedMinutesAgo?: number
    port?: number
  }>,
): InstanceSnapshot[] {
  const views = groupInstances(
    specs.map((spec) =>
      summary(spec.tenant ?? 'acme', spec.instance, {
        id: `${spec.tenant ?? 'acme'}-${spec.instance}`,
        ...(spec.state ? {state: spec.state} : {}),
        ...(spec.port ? {port: spec.port} : {}),
      }),
    ),
  )
  return views.map((view) => {
    const spec = specs.find((item) => `${item.tenant ?? 'acme'}/${item.instance}` === view.ref)!
    return {view, ...(spec.state !== 'exited' ? {startedAt: NOW - (spec.startedMinutesAgo ?? 5) * 60_000} : {})}
  })
}

export function dockState(
  options: {
    instances?: number | Parameters<typeof snapshots>[0]
    size?: {columns: number; rows: number}
    readonly?: boolean
    live?: boolean
    actions?: DockAction[]
  } = {},
): DockState {
  const specs =
    typeof options.instances === 'number' || options.instances === undefined
      ? Array.from({length: options.instances ?? 3}, (_, index) => ({
          instance: `app-${String(index + 1).padStart(3, '0')}`,
          port: 51000 + index,
        }))
      : options.instances
  let state = initialDockState({
    host: 'vps',
    readonly: options.readonly ?? false,
    size: options.size ?? {columns: 80, rows: 24},
    now: NOW,
  })
  state = reduceDock(state, {type: 'synced', snapshots: snapshots(specs), at: NOW})
  if (options.live ?? true) state = reduceDock(state, {type: 'connection', connection: {status: 'live'}})
  for (const action of options.actions ?? []) state = reduceDock(state, action)
  return state
}
