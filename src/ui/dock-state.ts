/**
 * The dock's state machine: a pure reducer over feed updates, clock ticks,
 * resizes and keys. Keys may ask for an effect (quit, a mutation through the
 * gate, an export, the answer to a confirmation); the controller performs it.
 * The selection follows an instance (by ref), not a row number, so rows
 * arriving, leaving or re-sorting never move it to another instance.
 */
import {C0_OR_DEL} from '../core/text/sanitize.js'
import type {ConnectionState, FeedUpdate, InstanceDetails, InstanceSnapshot} from '../core/dock.js'
import type {AimsEvent} from '../core/events.js'
import type {InstanceHealth, InstanceStatus, InstanceView} from '../core/instances.js'
import type {Plan} from '../core/plan/plan.js'
import type {WardenSummary} from '../core/warden/summary.js'
import {dockLayout, type PaneMode, type ScreenSize} from './present/dock-layout.js'
import {formatDuration} from './present/text.js'

export type SortKey = 'instance' | 'plug' | 'status' | 'health' | 'cpu' | 'memory' | 'uptime'
export const SORT_KEYS: SortKey[] = ['instance', 'plug', 'status', 'health', 'cpu', 'memory', 'uptime']
/** Biggest first for usage; everything else A→Z / best first. */
const DESCENDING_BY_DEFAULT = new Set<SortKey>(['cpu', 'memory'])

/** Sparklines cover this much time. */
export const HISTORY_MS = 60_000
export const LOG_LINES = 500
export const EVENT_LINES = 50
/** How long a notice stays in the footer. */
export const NOTICE_MS = 10_000

export interface UsagePoint {
  at: number
  cpuPercent: number
  memoryBytes: number
}

export interface RowUsage {
  cpuPercent: number
  memoryBytes: number
  memoryLimitBytes: number
  networkRxBytes: number
  networkTxBytes: number
  at: number
}

export interface DockRow {
  ref: string
  tenant: string
  instance: string
  plug: string
  status: InstanceStatus
  health: InstanceHealth
  healthDetail?: string
  url?: string
  startedAt?: number
  view: InstanceView
  usage?: RowUsage
  history: UsagePoint[]
}

export type MutatingAction = 'restart' | 'start' | 'stop' | 'down'

export interface DockState {
  host: string
  tenant?: string
  readonly: boolean
  size: ScreenSize
  now: number
  /** False until the first full listing arrived. */
  synced: boolean
  rows: Record<string, DockRow>
  /** Refs after filter and sort: the table, top to bottom. */
  order: string[]
  selected?: string | undefined
  /** Index in `order` of the first visible row. */
  top: number
  sort: {key: SortKey; descending: boolean}
  filter: string
  mode: 'table' | 'filter' | 'help' | 'confirm'
  pane: PaneMode
  details?: InstanceDetails
  logs: {ref?: string; lines: string[]; dropped: number}
  events: AimsEvent[]
  connection: ConnectionState
  /** The warden on the host, from its heartbeat (absent until the feed read it once). */
  warden?: WardenSummary
  confirm?: {plan: Plan; typed: string}
  busy?: {ref: string; action: string; progress?: string}
  notice?: {text: string; tone: 'info' | 'ok' | 'error'; at: number}
}

export type DockAction =
  | FeedUpdate
  | {type: 'tick'; now: number}
  | {type: 'resize'; size: ScreenSize}
  | {type: 'confirm-open'; plan: Plan}
  | {type: 'confirm-close'}
  | {type: 'busy'; busy?: DockState['busy']}
  | {type: 'notice'; text: string; tone: 'info' | 'ok' | 'error'}

/** A key press, independent of the terminal library. */
export interface DockKey {
  input: string
  up?: boolean
  down?: boolean
  pageUp?: boolean
  pageDown?: boolean
  home?: boolean
  end?: boolean
  enter?: boolean
  escape?: boolean
  backspace?: boolean
  ctrl?: boolean
  tab?: boolean
}

export type DockEffect =
  | {kind: 'quit'}
  | {kind: 'mutate'; action: MutatingAction; ref: string}
  | {kind: 'export'; ref: string}
  | {kind: 'confirm'; answer: 'apply' | 'decline'; typed: string}

export function initialDockState(options: {
  host: string
  tenant?: string
  readonly: boolean
  size: ScreenSize
  now: number
}): DockState {
  return {
    host: options.host,
    ...(options.tenant ? {tenant: options.tenant} : {}),
    readonly: options.readonly,
    size: options.size,
    now: options.now,
    synced: false,
    rows: {},
    order: [],
    top: 0,
    sort: {key: 'instance', descending: false},
    filter: '',
    mode: 'table',
    pane: 'none',
    logs: {lines: [], dropped: 0},
    events: [],
    connection: {status: 'connecting'},
  }
}

const statusRank: Record<InstanceStatus, number> = {
  failed: 0,
  restarting: 1,
  partial: 2,
  running: 3,
  created: 4,
  stopped: 5,
}
const healthRank: Record<InstanceHealth, number> = {unhealthy: 0, starting: 1, unknown: 2, healthy: 3}

function compareRows(key: SortKey): (a: DockRow, b: DockRow) => number {
  switch (key) {
    case 'instance':
      return () => 0
    case 'plug':
      return (a, b) => a.plug.localeCompare(b.plug)
    case 'status':
      return (a, b) => statusRank[a.status] - statusRank[b.status]
    case 'health':
      return (a, b) => healthRank[a.health] - healthRank[b.health]
    case 'cpu':
      return (a, b) => (a.usage?.cpuPercent ?? -1) - (b.usage?.cpuPercent ?? -1)
    case 'memory':
      return (a, b) => (a.usage?.memoryBytes ?? -1) - (b.usage?.memoryBytes ?? -1)
    case 'uptime':
      // Longest running first; not running last.
      return (a, b) => (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER)
  }
}

export function matchesFilter(row: DockRow, filter: string): boolean {
  if (filter === '') return true
  const needle = filter.toLowerCase()
  return `${row.ref} ${row.plug} ${row.status} ${row.health} ${row.url ?? ''}`.toLowerCase().includes(needle)
}

/** Filter then sort; ties (and the instance key) fall back to TENANT/INSTANCE order. */
export function computeOrder(rows: Record<string, DockRow>, sort: DockState['sort'], filter: string): string[] {
  const compare = compareRows(sort.key)
  const direction = sort.descending ? -1 : 1
  return Object.values(rows)
    .filter((row) => matchesFilter(row, filter))
    .sort((a, b) => direction * compare(a, b) || direction * a.ref.localeCompare(b.ref))
    .map((row) => row.ref)
}

export function tableRows(state: Pick<DockState, 'size' | 'pane'>): number {
  return dockLayout(state.size, state.pane).tableRows
}

/** The refs on screen: what stats are sampled for. */
export function visibleRefs(state: DockState): string[] {
  return state.order.slice(state.top, state.top + tableRows(state))
}

/**
 * Re-derives order, keeps the selection on the same instance (or the row now
 * at its old position when it left the table), and scrolls so it is visible.
 */
function arrange(state: DockState, previousOrder: string[] = state.order): DockState {
  const order = computeOrder(state.rows, state.sort, state.filter)
  let selected = state.selected
  if (!selected || !order.includes(selected)) {
    const oldIndex = selected ? previousOrder.indexOf(selected) : 0
    selected = order.length === 0 ? undefined : order[Math.min(Math.max(0, oldIndex), order.length - 1)]
  }
  return scrollTo({...state, order, ...(selected ? {selected} : {selected: undefined})})
}

function scrollTo(state: DockState): DockState {
  const height = tableRows(state)
  const index = state.selected ? state.order.indexOf(state.selected) : 0
  let top = Math.min(state.top, Math.max(0, state.order.length - height))
  if (index >= 0) {
    if (index < top) top = index
    if (index >= top + height) top = index - height + 1
  }
  top = Math.max(0, top)
  return top === state.top ? state : {...state, top}
}

function rowFrom(snapshot: InstanceSnapshot, previous: DockRow | undefined): DockRow {
  const view = snapshot.view
  const running = view.status === 'running' || view.status === 'partial' || view.status === 'restarting'
  // A probe result stays valid while the same container run goes on; a (re)start resets it.
  const sameRun = previous && running && previous.startedAt === snapshot.startedAt
  const health: InstanceHealth = !running ? 'unknown' : sameRun ? previous.health : view.health
  const healthDetail = sameRun ? previous.healthDetail : undefined
  const url = view.domainUrl ?? view.localUrl
  return {
    ref: view.ref,
    tenant: view.tenant,
    instance: view.instance,
    plug: view.plug,
    status: view.status,
    health,
    ...(healthDetail ? {healthDetail} : {}),
    ...(url ? {url} : {}),
    ...(snapshot.startedAt !== undefined && running ? {startedAt: snapshot.startedAt} : {}),
    view,
    // Kept while stopped or restarting: the sparklines keep their scale; the cell shows "-" when not running.
    ...(previous?.usage ? {usage: previous.usage} : {}),
    history: previous?.history ?? [],
  }
}

/**
 * Whether moving the clock to `now` changes anything on screen: uptimes
 * show seconds only under a minute, a notice expires, the stale countdown
 * runs, an uptime on screen reaches its next minute. Otherwise an idle dock
 * would repaint every second for nothing.
 */
export function clockShows(state: DockState, now: number): boolean {
  if (state.connection.status !== 'live') return true
  if (state.notice && state.now - state.notice.at < NOTICE_MS) return true
  const height = tableRows(state)
  for (let index = state.top; index < Math.min(state.order.length, state.top + height); index++) {
    const row = state.rows[state.order[index]!]
    if (
      row?.startedAt !== undefined &&
      formatDuration(now - row.startedAt) !== formatDuration(state.now - row.startedAt)
    )
      return true
  }
  return false
}

function withNotice(state: DockState, text: string, tone: 'info' | 'ok' | 'error'): DockState {
  return {...state, notice: {text, tone, at: state.now}}
}

export function reduceDock(state: DockState, action: DockAction): DockState {
  switch (action.type) {
    case 'synced': {
      const rows: Record<string, DockRow> = {}
      for (const snapshot of action.snapshots)
        rows[snapshot.view.ref] = rowFrom(snapshot, state.rows[snapshot.view.ref])
      return arrange({...state, rows, synced: true})
    }
    case 'instance': {
      const rows = {...state.rows}
      if (action.snapshot) rows[action.ref] = rowFrom(action.snapshot, state.rows[action.ref])
      else if (rows[action.ref]) delete rows[action.ref]
      else return state
      return arrange({...state, rows})
    }
    case 'stats': {
      const rows = {...state.rows}
      for (const usage of action.usage) {
        const row = rows[usage.ref]
        if (!row) continue
        const point = {at: action.at, cpuPercent: usage.cpuPercent, memoryBytes: usage.memoryBytes}
        rows[usage.ref] = {
          ...row,
          usage: {
            cpuPercent: usage.cpuPercent,
            memoryBytes: usage.memoryBytes,
            memoryLimitBytes: usage.memoryLimitBytes,
            networkRxBytes: usage.networkRxBytes,
            networkTxBytes: usage.networkTxBytes,
            at: action.at,
          },
          history: [...row.history.filter((old) => old.at > action.at - HISTORY_MS), point],
        }
      }
      const next = {...state, rows}
      return state.sort.key === 'cpu' || state.sort.key === 'memory' ? arrange(next) : next
    }
    case 'health': {
      const row = state.rows[action.ref]
      if (!row || (row.health === action.health && row.healthDetail === action.detail)) return state
      const next = {
        ...state,
        rows: {...state.rows, [action.ref]: {...row, health: action.health, healthDetail: action.detail}},
      }
      return state.sort.key === 'health' || state.filter !== '' ? arrange(next) : next
    }
    case 'events':
      return action.events.length === 0
        ? state
        : {...state, events: [...state.events, ...action.events].slice(-EVENT_LINES)}
    case 'connection':
      return {...state, connection: action.connection, now: Math.max(state.now, action.at ?? state.now)}
    case 'logs-reset':
      return {...state, logs: {ref: action.ref, lines: [], dropped: 0}}
    case 'logs': {
      if (action.ref !== state.logs.ref) return state
      const lines = [...state.logs.lines, ...action.lines]
      const overflow = Math.max(0, lines.length - LOG_LINES)
      return {
        ...state,
        logs: {
          ref: action.ref,
          lines: overflow > 0 ? lines.slice(overflow) : lines,
          dropped: state.logs.dropped + overflow,
        },
      }
    }
    case 'warden':
      return {...state, warden: action.warden}
    case 'details':
      return {...state, details: action.details}
    case 'tick':
      return clockShows(state, action.now) ? {...state, now: action.now} : state
    case 'resize':
      return action.size.columns === state.size.columns && action.size.rows === state.size.rows
        ? state
        : scrollTo({...state, size: action.size})
    case 'confirm-open':
      return {...state, mode: 'confirm', confirm: {plan: action.plan, typed: ''}}
    case 'confirm-close': {
      const {confirm: _closed, ...rest} = state
      return {...rest, mode: state.mode === 'confirm' ? 'table' : state.mode}
    }
    case 'busy': {
      if (action.busy) return {...state, busy: action.busy}
      const {busy: _done, ...rest} = state
      return rest
    }
    case 'notice':
      return withNotice(state, action.text, action.tone)
  }
}

function move(state: DockState, delta: number | 'first' | 'last'): DockState {
  if (state.order.length === 0) return state
  const current = state.selected ? state.order.indexOf(state.selected) : 0
  const index =
    delta === 'first'
      ? 0
      : delta === 'last'
        ? state.order.length - 1
        : Math.min(state.order.length - 1, Math.max(0, current + delta))
  return scrollTo({...state, selected: state.order[index]})
}

const printable = (key: DockKey) => key.input.length > 0 && !key.ctrl && !C0_OR_DEL.test(key.input)

const KEY_NAMES: Record<MutatingAction, string> = {
  restart: 'r (restart)',
  start: 's (start)',
  stop: 's (stop)',
  down: 'd (down)',
}

/** What a key does in the current mode: a new state, and maybe an effect for the controller. */
export function handleKey(state: DockState, key: DockKey): {state: DockState; effect?: DockEffect} {
  if (key.ctrl && key.input === 'c') {
    // Ctrl-C inside a confirmation declines it first; anywhere else it quits.
    if (state.mode === 'confirm')
      return {state, effect: {kind: 'confirm', answer: 'decline', typed: state.confirm?.typed ?? ''}}
    return {state, effect: {kind: 'quit'}}
  }
  switch (state.mode) {
    case 'confirm':
      return confirmKey(state, key)
    case 'help':
      return {state: {...state, mode: 'table'}}
    case 'filter': {
      if (key.escape) return {state: arrange({...state, mode: 'table', filter: ''})}
      if (key.enter) return {state: {...state, mode: 'table'}}
      if (key.backspace) return {state: arrange({...state, filter: state.filter.slice(0, -1)})}
      if (printable(key)) return {state: arrange({...state, filter: (state.filter + key.input).slice(0, 64)})}
      if (key.up || key.down) return {state: move(state, key.up ? -1 : 1)}
      return {state}
    }
    case 'table':
      return tableKey(state, key)
  }
}

function confirmKey(state: DockState, key: DockKey): {state: DockState; effect?: DockEffect} {
  const confirm = state.confirm
  if (!confirm) return {state: {...state, mode: 'table'}}
  if (confirm.plan.confirmWord !== undefined) {
    // Destructive: only typing the instance name and Enter applies; Esc declines.
    if (key.escape) return {state, effect: {kind: 'confirm', answer: 'decline', typed: confirm.typed}}
    if (key.enter) return {state, effect: {kind: 'confirm', answer: 'apply', typed: confirm.typed}}
    if (key.backspace) return {state: {...state, confirm: {...confirm, typed: confirm.typed.slice(0, -1)}}}
    // A paste arrives as one chunk: "name\r" is the name typed, then Enter.
    const pasted = key.ctrl ? null : /^([^\r\n]*)(?:\r\n?|\n)$/.exec(key.input)
    if (pasted && !C0_OR_DEL.test(pasted[1]!)) {
      const typed = (confirm.typed + pasted[1]).slice(0, 64)
      return {state: {...state, confirm: {...confirm, typed}}, effect: {kind: 'confirm', answer: 'apply', typed}}
    }
    if (printable(key))
      return {state: {...state, confirm: {...confirm, typed: (confirm.typed + key.input).slice(0, 64)}}}
    return {state}
  }
  if (key.enter || key.input === 'y' || key.input === 'Y')
    return {state, effect: {kind: 'confirm', answer: 'apply', typed: ''}}
  if (key.escape || key.input === 'n' || key.input === 'N' || key.input === 'q')
    return {state, effect: {kind: 'confirm', answer: 'decline', typed: ''}}
  return {state}
}

function tableKey(state: DockState, key: DockKey): {state: DockState; effect?: DockEffect} {
  const page = Math.max(1, tableRows(state) - 1)
  if (key.up || key.input === 'k') return {state: move(state, -1)}
  if (key.down || key.input === 'j') return {state: move(state, 1)}
  if (key.pageUp) return {state: move(state, -page)}
  if (key.pageDown) return {state: move(state, page)}
  if (key.home || key.input === 'g') return {state: move(state, 'first')}
  if (key.end || key.input === 'G') return {state: move(state, 'last')}
  if (key.enter) return {state: scrollTo({...state, pane: state.pane === 'details' ? 'none' : 'details'})}
  if (key.input === 'l') return {state: scrollTo({...state, pane: state.pane === 'logs' ? 'none' : 'logs'})}
  if (key.escape) {
    if (state.pane !== 'none') return {state: scrollTo({...state, pane: 'none'})}
    if (state.filter !== '') return {state: arrange({...state, filter: ''})}
    return {state}
  }
  if (key.input === '/') return {state: {...state, mode: 'filter'}}
  if (key.input === '?') return {state: {...state, mode: 'help'}}
  if (key.input === 'q') return {state, effect: {kind: 'quit'}}
  if (key.input === 'o' || key.input === 'O') {
    const sort =
      key.input === 'o' ? nextSort(state.sort.key) : {key: state.sort.key, descending: !state.sort.descending}
    return {
      state: withNotice(
        arrange({...state, sort}),
        `sorted by ${sort.key}${sort.descending ? ' (descending)' : ''}`,
        'info',
      ),
    }
  }
  const mutation =
    key.input === 'r' ? 'restart' : key.input === 's' ? 'start-or-stop' : key.input === 'd' ? 'down' : undefined
  if (mutation || key.input === 'x') {
    const row = state.selected ? state.rows[state.selected] : undefined
    if (!row) return {state: withNotice(state, 'no instance selected', 'info')}
    if (key.input === 'x') return {state, effect: {kind: 'export', ref: row.ref}}
    const action: MutatingAction =
      mutation === 'start-or-stop'
        ? row.status === 'stopped' || row.status === 'created' || row.status === 'failed'
          ? 'start'
          : 'stop'
        : (mutation as MutatingAction)
    if (state.readonly)
      return {
        state: withNotice(
          state,
          `read-only dock (--readonly): ${KEY_NAMES[action]} is disabled; run aims dock without --readonly ` +
            `to change instances`,
          'error',
        ),
      }
    if (state.busy)
      return {state: withNotice(state, `busy: ${state.busy.action} ${state.busy.ref} is still running`, 'info')}
    if (state.connection.status !== 'live')
      return {
        state: withNotice(state, `the connection is ${state.connection.status}: wait until it is live again`, 'error'),
      }
    return {state, effect: {kind: 'mutate', action, ref: row.ref}}
  }
  return {state}
}

function nextSort(key: SortKey): DockState['sort'] {
  const next = SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length]!
  return {key: next, descending: DESCENDING_BY_DEFAULT.has(next)}
}
