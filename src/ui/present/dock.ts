/**
 * The dock's screen as data: exactly `rows` lines of styled segments, none
 * wider than the terminal. Pure — the Ink view only paints these, so every
 * layout rule is tested here without a terminal. Only the visible slice of
 * the table is formatted, whatever the number of instances.
 */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {AimsEvent} from '../../core/events.js'
import type {InstanceDetails} from '../../core/dock.js'
import {compactBytes} from '../../core/stats.js'
import {destroysWhat, type Plan} from '../../core/plan/plan.js'
import type {DockRow, DockState, UsagePoint} from '../dock-state.js'
import {HISTORY_MS, NOTICE_MS} from '../dock-state.js'
import {makeStyle} from '../style.js'
import {dockLayout, MARKER_WIDTH, tableColumns, type Column} from './dock-layout.js'
import {eventInstance, eventText, formatEventTime} from './events.js'
import {renderPlan} from './plan.js'
import {formatDuration, visibleWidth} from './text.js'
import type {InstanceWardenSummary, WardenSummary} from '../../core/warden/summary.js'

export type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'blue' | 'magenta'

export interface Segment {
  text: string
  color?: Tone
  bold?: boolean
  dim?: boolean
  inverse?: boolean
}

export type ScreenLine = Segment[]

const BARS = '▁▂▃▄▅▆▇█'

/**
 * A sparkline of the last minute in `width` cells: each cell is one slice of
 * the window (its highest value), blank where nothing was sampled.
 */
export function sparkline(
  points: readonly UsagePoint[],
  pick: (point: UsagePoint) => number,
  now: number,
  width: number,
  scaleMax: number,
): string {
  if (width <= 0) return ''
  const slice = HISTORY_MS / width
  const start = now - HISTORY_MS
  const cells: Array<number | undefined> = new Array(width).fill(undefined)
  for (const point of points) {
    if (point.at <= start || point.at > now) continue
    const index = Math.min(width - 1, Math.floor((point.at - start) / slice))
    cells[index] = Math.max(cells[index] ?? 0, pick(point))
  }
  const max = scaleMax > 0 ? scaleMax : 1
  return cells
    .map((value) =>
      value === undefined
        ? ' '
        : BARS[Math.min(BARS.length - 1, Math.max(0, Math.ceil((value / max) * BARS.length) - 1))],
    )
    .join('')
}

/** Cuts or pads plain text to exactly `width` columns (… marks a cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return ''
  let out = text
  if (visibleWidth(out) > width) {
    let cut = ''
    for (const char of out) {
      if (visibleWidth(cut + char) > width - 1) break
      cut += char
    }
    out = `${cut}…`
  }
  const pad = ' '.repeat(Math.max(0, width - visibleWidth(out)))
  return align === 'right' ? pad + out : out + pad
}

const lineWidth = (line: ScreenLine) => line.reduce((sum, segment) => sum + visibleWidth(segment.text), 0)

/** Keeps a line within `width` columns, cutting the segment that crosses the edge. */
export function clip(line: ScreenLine, width: number): ScreenLine {
  const out: ScreenLine = []
  let used = 0
  for (const segment of line) {
    const size = visibleWidth(segment.text)
    if (used + size <= width) {
      out.push(segment)
      used += size
      continue
    }
    const room = width - used
    if (room > 0) out.push({...segment, text: fit(segment.text, room)})
    break
  }
  return out
}

const statusTone = (status: string): Tone | undefined =>
  status === 'running'
    ? 'green'
    : status === 'failed'
      ? 'red'
      : status === 'partial' || status === 'restarting'
        ? 'yellow'
        : 'gray'
const healthTone = (health: string): Tone =>
  health === 'healthy' ? 'green' : health === 'unhealthy' ? 'red' : health === 'starting' ? 'yellow' : 'gray'

/** URLs without what every one of them has: the scheme for plain HTTP, the trailing slash. */
export const displayUrl = (url: string) => url.replace(/^http:\/\//, '').replace(/\/$/, '')

export const formatPercent = (percent: number) => `${percent.toFixed(percent >= 100 ? 0 : 1)}%`

function uptimeOf(row: DockRow, now: number): string {
  return row.startedAt !== undefined ? formatDuration(now - row.startedAt) : '-'
}

/** One usage cell: the value, then a sparkline in whatever width is left. */
function usageCell(row: DockRow, column: Column, now: number): string {
  const usage = row.usage
  const isCpu = column.id === 'cpu'
  const up = row.status === 'running' || row.status === 'partial' || row.status === 'restarting'
  const value =
    !usage || !up
      ? '-'
      : isCpu
        ? formatPercent(usage.cpuPercent)
        : column.width >= 18 && usage.memoryLimitBytes > 0
          ? `${compactBytes(usage.memoryBytes)}/${compactBytes(usage.memoryLimitBytes)}`
          : compactBytes(usage.memoryBytes)
  const valueWidth = isCpu ? 6 : column.width >= 18 ? 10 : 5
  const sparkWidth = column.width - valueWidth - 1
  if (sparkWidth < 3 || row.history.length === 0) return fit(value, column.width)
  const scale = isCpu
    ? Math.max(10, ...row.history.map((point) => point.cpuPercent))
    : usage && usage.memoryLimitBytes > 0
      ? usage.memoryLimitBytes
      : Math.max(...row.history.map((point) => point.memoryBytes))
  const spark = sparkline(
    row.history,
    isCpu ? (point) => point.cpuPercent : (point) => point.memoryBytes,
    now,
    sparkWidth,
    scale,
  )
  return `${fit(value, valueWidth)} ${spark}`
}

/** The warden's judgement of an instance, when it says more than the probe: healing, gave up, degraded, down. */
const WARDEN_SHOWN: Record<string, {text: string; color: Tone}> = {
  healing: {text: 'healing', color: 'yellow'},
  'gave-up': {text: 'gave up', color: 'red'},
  degraded: {text: 'degraded', color: 'yellow'},
  down: {text: 'down', color: 'red'},
}

/** The per-instance warden state worth showing (only from a running warden: a stale one's is old news). */
export function wardenStateOf(warden: WardenSummary | undefined, ref: string): InstanceWardenSummary | undefined {
  return warden?.presence === 'running' ? warden.states[ref] : undefined
}

/** The header's warden badge: running (with the last sweep's age), stale, or none on the host. */
export function wardenBadge(warden: WardenSummary | undefined, now: number): Segment | undefined {
  if (!warden) return undefined
  if (warden.presence === 'absent') return {text: 'no warden', dim: true}
  if (warden.presence === 'stale')
    return {
      text: `warden stale ${formatDuration(now - (warden.heartbeatAt ?? now))}`,
      color: 'red',
      bold: true,
    }
  return {
    text: `warden ✓${warden.lastSweepAt !== undefined ? ` swept ${formatDuration(now - warden.lastSweepAt)} ago` : ''}`,
    color: 'green',
  }
}

/** "warden: healing · last restart applied 2026-12-03T11:02:03Z" (the details pane). */
export function wardenDetail(state: InstanceWardenSummary | undefined): string | undefined {
  if (!state) return undefined
  const action = state.lastAction
  return sanitizeUntrusted(
    `warden: ${WARDEN_SHOWN[state.state]?.text ?? state.state}` +
      (action ? ` · last ${action.step} ${action.outcome} ${action.at}` : ''),
  )
}

export function rowCells(row: DockRow, columns: Column[], now: number, warden?: InstanceWardenSummary): Segment[] {
  const cells: Segment[] = []
  for (const column of columns) {
    let segment: Segment
    switch (column.id) {
      case 'tenant':
        segment = {text: row.tenant}
        break
      case 'instance':
        segment = {text: columns.some((other) => other.id === 'tenant') ? row.instance : row.ref, bold: true}
        break
      case 'plug':
        segment = {text: row.plug}
        break
      case 'status':
        segment = {text: row.status, color: statusTone(row.status) ?? 'gray'}
        break
      case 'health': {
        const shown = warden ? WARDEN_SHOWN[warden.state] : undefined
        segment = shown ?? {text: row.health, color: healthTone(row.health)}
        break
      }
      case 'cpu':
      case 'memory':
        segment = {text: usageCell(row, column, now)}
        break
      case 'uptime':
        segment = {text: uptimeOf(row, now)}
        break
      case 'url':
        segment = {text: row.url ? displayUrl(row.url) : '-', color: 'blue'}
        break
    }
    cells.push({...segment, text: fit(segment.text, column.width, column.align)})
  }
  return cells
}

function joinCells(cells: Segment[]): Segment[] {
  return cells.flatMap((cell, index) => (index === 0 ? [cell] : [{text: ' '}, cell]))
}

function headerLine(state: DockState, width: number): ScreenLine {
  const connection = state.connection
  const badge: Segment =
    connection.status === 'live'
      ? {text: '● live', color: 'green', bold: true}
      : connection.status === 'connecting'
        ? {text: '◌ connecting…', color: 'yellow', bold: true}
        : {
            text:
              connection.retryAt !== undefined
                ? `◌ stale, retry in ${Math.max(0, Math.ceil((connection.retryAt - state.now) / 1000))}s`
                : '◌ stale',
            color: 'red',
            bold: true,
            inverse: true,
          }
  const warden = wardenBadge(state.warden, state.now)
  const total = Object.keys(state.rows).length
  const height = dockLayout(state.size, state.pane).tableRows
  // Where the window is when the table scrolls: "rows 18–34".
  const window =
    state.order.length > height ? ` (rows ${state.top + 1}–${Math.min(state.order.length, state.top + height)})` : ''
  const shown =
    state.filter !== '' ? `${state.order.length}/${total} instances` : `${total} instance${total === 1 ? '' : 's'}`
  const count = `${shown}${window}`
  const left: ScreenLine = [
    {text: ' aims dock ', bold: true, inverse: true},
    {text: ` ${state.host}`, bold: true},
    {
      text: ` · ${state.tenant ? `tenant ${state.tenant}` : 'all tenants'} · ${state.synced ? count : 'loading…'} · `,
      dim: true,
    },
    badge,
    ...(warden ? [{text: ' · ', dim: true}, warden] : []),
    ...(state.readonly ? [{text: ' read-only ', color: 'yellow' as const, inverse: true}] : []),
  ]
  const right = '? help  q quit'
  const room = width - lineWidth(left) - right.length
  return clip([...left, {text: ' '.repeat(Math.max(1, room))}, {text: right, dim: true}], width)
}

function tableHeader(state: DockState, columns: Column[]): ScreenLine {
  const arrow = state.sort.descending ? '↓' : '↑'
  const cells = columns.map((column) => ({
    text: fit(column.id === state.sort.key ? `${column.title}${arrow}` : column.title, column.width, column.align),
    bold: true,
    dim: column.id !== state.sort.key,
  }))
  return [{text: ' '.repeat(MARKER_WIDTH)}, ...joinCells(cells)]
}

function tableBody(state: DockState, columns: Column[], height: number): ScreenLine[] {
  const lines: ScreenLine[] = []
  if (!state.synced) {
    lines.push([{text: '  reading instances…', dim: true}])
  } else if (state.order.length === 0) {
    const total = Object.keys(state.rows).length
    lines.push([
      {
        text:
          total > 0
            ? `  no instance matches "${state.filter}" (esc clears the filter)`
            : `  nothing deployed${state.tenant ? ` for tenant ${state.tenant}` : ''} yet — aims plug up PLUG`,
        dim: true,
      },
    ])
  } else {
    // Only the rows on screen are formatted, however many instances there are.
    for (const ref of state.order.slice(state.top, state.top + height)) {
      const row = state.rows[ref]!
      const selected = ref === state.selected
      const cells = joinCells(rowCells(row, columns, state.now, wardenStateOf(state.warden, ref)))
      const busy = state.busy?.ref === ref
      const marker: Segment = {
        text: selected ? '› ' : busy ? '⟳ ' : '  ',
        bold: true,
        ...(busy ? {color: 'yellow' as const} : {}),
      }
      lines.push(selected ? [marker, ...cells.map((cell) => ({...cell, inverse: true}))] : [marker, ...cells])
    }
  }
  while (lines.length < height) lines.push([])
  return lines.slice(0, height)
}

function titleLine(text: string, width: number, tone?: Tone): ScreenLine {
  const label = ` ${text} `
  const rule = Math.max(0, width - visibleWidth(label) - 2)
  return clip(
    [
      {text: '─', dim: true},
      {text: label, bold: true, ...(tone ? {color: tone} : {})},
      {text: '─'.repeat(rule + 1), dim: true},
    ],
    width,
  )
}

function detailLines(
  row: DockRow,
  details: InstanceDetails | undefined,
  now: number,
  warden?: InstanceWardenSummary,
): ScreenLine[] {
  const lines: ScreenLine[] = []
  const facts = [
    row.url ? `url ${row.url}` : undefined,
    row.view.hostPort ? `port ${row.view.hostPort}` : undefined,
    row.startedAt !== undefined ? `up ${uptimeOf(row, now)}` : undefined,
    row.view.createdBy ? `by ${row.view.createdBy}` : undefined,
    row.healthDetail ? `probe: ${sanitizeUntrusted(row.healthDetail)}` : undefined,
  ].filter(Boolean)
  lines.push([{text: facts.join(' · '), dim: true}])
  const healing = wardenDetail(warden)
  if (healing)
    lines.push([
      {
        text: healing,
        ...(warden && WARDEN_SHOWN[warden.state] ? {color: WARDEN_SHOWN[warden.state]!.color} : {dim: true}),
      },
    ])
  if (!details || details.ref !== row.ref) {
    lines.push([{text: 'reading services…', dim: true}])
    return lines
  }
  for (const service of details.services) {
    const name = `${service.service}${service.replica > 1 ? ` #${service.replica}` : ''}`
    lines.push([
      {text: name, bold: true},
      {text: ` ${service.container} `, dim: true},
      {
        text: service.state,
        color:
          statusTone(
            service.state === 'running' ? 'running' : service.state === 'exited' ? 'stopped' : service.state,
          ) ?? 'gray',
      },
      {text: ` ${service.image}`, dim: true},
      {text: service.ports.length > 0 ? `  ports ${service.ports.join(', ')}` : ''},
      {text: service.restartCount > 0 ? `  restarts ${service.restartCount}` : '', color: 'yellow'},
    ])
    if (service.envNames.length > 0) {
      const secret = new Set(service.secretNames)
      lines.push([
        {text: `  env${service.secretNames.length > 0 ? ' (* secret)' : ''} `, dim: true},
        ...service.envNames.map((name, index): Segment => ({
          text: `${index > 0 ? ' ' : ''}${name}${secret.has(name) ? '*' : ''}`,
          ...(secret.has(name) ? {color: 'magenta' as const} : {}),
        })),
      ])
    }
  }
  return lines
}

function paneLines(state: DockState, width: number, height: number): ScreenLine[] {
  if (height <= 0) return []
  const row = state.selected ? state.rows[state.selected] : undefined
  if (!row)
    return [titleLine('no instance selected', width), ...Array.from({length: height - 1}, () => [] as ScreenLine)]
  const title = titleLine(`${row.ref} · ${row.plug} · ${row.status} · ${row.health}`, width, healthTone(row.health))
  const top =
    state.pane === 'details' ? detailLines(row, state.details, state.now, wardenStateOf(state.warden, row.ref)) : []
  const logRoom = Math.max(0, height - 1 - top.length - 1)
  const logs = state.logs.ref === row.ref ? state.logs.lines : []
  const logTitle: ScreenLine = [
    {
      text: `logs (following${logWindow(logs.length, logRoom, state.logs.dropped)}; l: ${
        state.pane === 'logs' ? 'close' : 'bigger'
      })`,
      dim: true,
    },
  ]
  const logLines: ScreenLine[] =
    logs.length === 0
      ? [[{text: '  (no log lines yet)', dim: true}]]
      : logs.slice(-logRoom).map((line) => [{text: line}])
  const body = [...top.slice(0, Math.max(0, height - 2)), logTitle, ...(logRoom > 0 ? logLines.slice(-logRoom) : [])]
  const lines = [title, ...body].slice(0, height)
  while (lines.length < height) lines.push([])
  return lines
}

export function eventLineSegments(event: AimsEvent, now: number, instanceWidth: number): ScreenLine {
  const text = eventText(event)
  const tone: Tone | undefined = /failed|rolled-back|unhealthy|exited|out of memory|die\b/.test(text)
    ? 'red'
    : /ready|→ healthy|restarted|\bstart\b|started/.test(text)
      ? 'green'
      : undefined
  return [
    {text: formatEventTime(event.time, new Date(now)), dim: true},
    {text: event.source === 'aims' ? ' aims   ' : ' engine ', color: event.source === 'aims' ? 'cyan' : 'gray'},
    {text: fit(eventInstance(event), instanceWidth), bold: true},
    {text: ' '},
    {text, ...(tone ? {color: tone} : {})},
  ]
}

function eventLines(state: DockState, width: number, height: number): ScreenLine[] {
  if (height <= 0) return []
  const shown = state.events.slice(-(height - 1))
  const lines: ScreenLine[] = [titleLine(`events (${state.events.length})`, width)]
  const instanceWidth = Math.min(24, Math.max(8, ...shown.map((event) => eventInstance(event).length)))
  for (const event of shown) lines.push(eventLineSegments(event, state.now, instanceWidth))
  if (shown.length === 0)
    lines.push([{text: '  no events yet: deploys, restarts and health changes appear here', dim: true}])
  while (lines.length < height) lines.push([])
  return lines.slice(0, height)
}

const KEY_HINTS =
  '↑↓/jk move · ⏎ details · l logs · r restart · s stop/start · d down · x export · o sort · / filter · ? help · q quit'

function footerLine(state: DockState, width: number): ScreenLine {
  if (state.mode === 'filter')
    return clip(
      [
        {text: ' / ', inverse: true, bold: true},
        {text: ` ${state.filter}`},
        {text: '▏', color: 'cyan'},
        {text: '  enter: keep · esc: clear', dim: true},
      ],
      width,
    )
  if (state.connection.status === 'stale') {
    // Why the dock is stale, in the footer (the header has no room for a sentence).
    return clip(
      [
        {text: 'stale: ', color: 'red', bold: true},
        {text: sanitizeUntrusted(state.connection.detail ?? 'the connection dropped'), color: 'red'},
        {text: ` — reconnecting (attempt ${state.connection.attempt ?? 1})`, dim: true},
      ],
      width,
    )
  }
  if (state.mode === 'confirm')
    return clip([{text: 'waiting for your answer: nothing changes until you confirm', color: 'yellow'}], width)
  if (state.busy)
    return clip(
      [
        {text: `⟳ ${state.busy.action} ${state.busy.ref}`, color: 'yellow', bold: true},
        {text: state.busy.progress ? `: ${sanitizeUntrusted(state.busy.progress)}` : '…', dim: true},
      ],
      width,
    )
  if (state.notice && state.now - state.notice.at < NOTICE_MS) {
    const tone: Tone = state.notice.tone === 'error' ? 'red' : state.notice.tone === 'ok' ? 'green' : 'cyan'
    return clip([{text: sanitizeUntrusted(state.notice.text), color: tone, bold: true}], width)
  }
  const filter = state.filter !== '' ? [{text: ` filter: ${state.filter} `, inverse: true}, {text: ' '}] : []
  return clip(
    [
      ...filter,
      {text: state.readonly ? KEY_HINTS.replace(' · r restart · s stop/start · d down', '') : KEY_HINTS, dim: true},
    ],
    width,
  )
}

const plainStyle = makeStyle(false)

/** The confirmation box: the plan as the CLI prints it, then how to answer. */
export function confirmLines(plan: Plan, typed: string, width: number, height: number): ScreenLine[] {
  const inner = Math.max(10, width - 4)
  const planText = renderPlan(plan, plainStyle)
    .split('\n')
    .map((line) => sanitizeUntrusted(line))
  const answer: ScreenLine[] =
    plan.confirmWord !== undefined
      ? [
          [
            {
              text: `This destroys ${destroysWhat(plan)}.`,
              color: 'red',
              bold: true,
            },
          ],
          [
            {text: `Type the instance name (${plan.confirmWord}) and press enter: `},
            {text: typed, bold: true},
            {text: '▏', color: 'cyan'},
          ],
          [{text: 'esc: cancel — anything but the exact name changes nothing', dim: true}],
        ]
      : [
          [
            {text: 'y / enter: apply', color: 'green', bold: true},
            {text: '    '},
            {text: 'n / esc: cancel', bold: true},
          ],
        ]
  const room = Math.max(1, height - 2 - answer.length)
  const shown =
    planText.length > room ? [...planText.slice(0, room - 1), `… ${planText.length - room + 1} more lines`] : planText
  const boxed = (line: ScreenLine): ScreenLine => [
    {text: '│ ', color: 'yellow'},
    ...clip(line, inner),
    {text: ' '.repeat(Math.max(0, inner - lineWidth(clip(line, inner))))},
    {text: ' │', color: 'yellow'},
  ]
  const title = plan.destructive ? ' confirm a destructive change ' : ' confirm '
  return [
    [
      {text: '┌─', color: 'yellow'},
      ...clip([{text: title, color: 'yellow', bold: true}], inner),
      {text: `${'─'.repeat(Math.max(0, inner - Math.min(inner, visibleWidth(title))))}─┐`, color: 'yellow'},
    ],
    ...shown.map((line, index) => boxed([{text: line, ...(index === 0 ? {bold: true} : {})}])),
    ...answer.map(boxed),
    [{text: `└${'─'.repeat(inner + 2)}┘`, color: 'yellow'}],
  ]
}

export const HELP_LINES: Array<[string, string]> = [
  ['↑ ↓  j k', 'move the selection (PgUp/PgDn, g/G: page, first, last)'],
  ['enter', 'open or close the detail pane: services, ports, env names, live logs'],
  ['l', 'logs pane (bigger live logs of the selected instance)'],
  ['r', 'restart the selected instance (shows the plan, asks to confirm)'],
  ['s', 'stop a running instance, start a stopped one (plan, confirm)'],
  ['d', 'decommission (down): type the instance name to confirm'],
  ['x', 'export a self-host bundle of the selected instance'],
  ['o  O', 'sort by the next column / reverse the order'],
  ['/', 'filter rows by text (esc clears)'],
  ['esc', 'close the pane, or clear the filter'],
  ['?', 'this help (any key closes it)'],
  ['q  ctrl-c', 'quit'],
]

function helpLines(state: DockState, width: number, height: number): ScreenLine[] {
  const lines: ScreenLine[] = [titleLine('keys', width)]
  for (const [keys, what] of HELP_LINES)
    lines.push([{text: `  ${keys.padEnd(10)}`, bold: true, color: 'cyan'}, {text: what}])
  lines.push([])
  lines.push([
    {
      text: state.readonly
        ? '  read-only: r, s and d are disabled (--readonly).'
        : '  r, s and d pass the same gate as the CLI: the plan is shown and nothing changes until you confirm.',
      dim: true,
    },
  ])
  lines.push([
    {
      text:
        "  The table follows the engine's events and aims' lifecycle events; stats are sampled every few " +
        'seconds for the rows on screen.',
      dim: true,
    },
  ])
  while (lines.length < height) lines.push([])
  return lines.slice(0, height).map((line) => clip(line, width))
}

/** The whole screen, exactly `rows` lines, none wider than `columns`. */
export function dockScreen(state: DockState): ScreenLine[] {
  const {columns: width, rows} = state.size
  const layout = dockLayout(state.size, state.pane)
  const columns = tableColumns(width)
  const middleHeight = rows - 2 // all but header and footer
  let middle: ScreenLine[]
  if (state.mode === 'help') {
    middle = helpLines(state, width, middleHeight)
  } else {
    const table = [tableHeader(state, columns), ...tableBody(state, columns, layout.tableRows)]
    const lower = [...paneLines(state, width, layout.paneRows), ...eventLines(state, width, layout.eventRows)]
    if (state.mode === 'confirm' && state.confirm) {
      // The box takes the lower part of the screen (and more of the table if the plan is long).
      const box = confirmLines(
        state.confirm.plan,
        state.confirm.typed,
        width,
        Math.max(lower.length, Math.min(middleHeight - 3, 14)),
      )
      const kept = Math.max(2, middleHeight - box.length)
      middle = [...[...table, ...lower].slice(0, kept), ...box]
    } else {
      middle = [...table, ...lower]
    }
  }
  const lines = [headerLine(state, width), ...middle.slice(0, middleHeight), footerLine(state, width)]
  while (lines.length < rows) lines.splice(lines.length - 1, 0, [])
  return lines.slice(0, rows).map((line) => clip(line, width))
}

/** Plain text of a screen (tests, metrics). */
export function screenText(lines: ScreenLine[]): string {
  return lines
    .map((line) =>
      line
        .map((segment) => segment.text)
        .join('')
        .trimEnd(),
    )
    .join('\n')
}

/** ", last 12 of 40 — 3 older dropped" in the logs pane's title; nothing before the first line. */
function logWindow(lines: number, room: number, dropped: number): string {
  if (lines === 0) return ''
  return `, last ${Math.min(room, lines)} of ${lines}${dropped > 0 ? ` — ${dropped} older dropped` : ''}`
}
