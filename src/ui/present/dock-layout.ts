/**
 * Where things go on the dock's screen for a terminal size: how many rows
 * the table, the detail pane and the events strip get, and which table
 * columns fit at which widths. Pure; 80x24 is the smallest size it is
 * designed for, and it degrades (drops columns, then the strip) below that.
 */

export type PaneMode = 'none' | 'details' | 'logs'

export interface ScreenSize {
  columns: number
  rows: number
}

export interface DockLayout {
  /** Rows of the table body (instances), at least 1. */
  tableRows: number
  /** Rows of the detail pane including its title line; 0 when closed. */
  paneRows: number
  /** Rows of the events strip including its title line; 0 when it does not fit. */
  eventRows: number
}

const HEADER = 1
const TABLE_HEADER = 1
const FOOTER = 1

export function dockLayout(size: ScreenSize, pane: PaneMode): DockLayout {
  const rows = Math.max(size.rows, 6)
  const eventRows = rows >= 20 ? 4 : rows >= 14 ? 2 : 0
  const available = rows - HEADER - TABLE_HEADER - FOOTER - eventRows
  if (pane === 'none') return {tableRows: Math.max(1, available), paneRows: 0, eventRows}
  const share = pane === 'logs' ? 0.7 : 0.58
  const paneRows = Math.max(3, Math.min(available - 2, Math.floor(available * share)))
  return {
    tableRows: Math.max(1, available - paneRows),
    paneRows: Math.max(0, Math.min(paneRows, available - 1)),
    eventRows,
  }
}

export type ColumnId = 'tenant' | 'instance' | 'plug' | 'status' | 'health' | 'cpu' | 'memory' | 'uptime' | 'url'

export interface Column {
  id: ColumnId
  title: string
  width: number
  align: 'left' | 'right'
}

interface ColumnSpec {
  id: ColumnId
  title: string
  min: number
  ideal: number
  /** Higher survives longer when the terminal is narrow. */
  keep: number
  /** Order in which spare width is handed out (lower first). */
  grow: number
  align: 'left' | 'right'
}

/** The selection marker before each row ("› "). */
export const MARKER_WIDTH = 2
const GAP = 1

/**
 * The table's columns for a width. With 120 columns or more the tenant has
 * its own column; below that the instance column shows TENANT/INSTANCE.
 */
export function tableColumns(width: number): Column[] {
  const wide = width >= 120
  const specs: ColumnSpec[] = [
    ...(wide
      ? [{id: 'tenant' as const, title: 'TENANT', min: 8, ideal: 14, keep: 8, grow: 2, align: 'left' as const}]
      : []),
    {
      id: 'instance',
      title: wide ? 'INSTANCE' : 'TENANT/INSTANCE',
      min: 12,
      ideal: wide ? 20 : 22,
      keep: 10,
      grow: 1,
      align: 'left',
    },
    {id: 'plug', title: 'PLUG', min: 8, ideal: 14, keep: 5, grow: 2, align: 'left'},
    {id: 'status', title: 'STATUS', min: 7, ideal: 10, keep: 9, grow: 6, align: 'left'},
    {id: 'health', title: 'HEALTH', min: 9, ideal: 9, keep: 9, grow: 9, align: 'left'},
    {id: 'cpu', title: 'CPU', min: 10, ideal: 18, keep: 7, grow: 3, align: 'left'},
    {id: 'memory', title: 'MEM', min: 10, ideal: 20, keep: 7, grow: 3, align: 'left'},
    {id: 'uptime', title: 'UP', min: 6, ideal: 7, keep: 6, grow: 7, align: 'right'},
    {id: 'url', title: 'URL', min: 15, ideal: 200, keep: 1, grow: 8, align: 'left'},
  ]
  const budget = width - MARKER_WIDTH
  const used = (list: ColumnSpec[]) =>
    list.reduce((sum, spec) => sum + spec.min, 0) + GAP * Math.max(0, list.length - 1)
  let kept = [...specs]
  while (kept.length > 1 && used(kept) > budget) {
    const weakest = kept.reduce((low, spec) => (spec.keep < low.keep ? spec : low))
    kept = kept.filter((spec) => spec !== weakest)
  }
  const widths = new Map(kept.map((spec) => [spec.id, spec.min]))
  let spare = budget - used(kept)
  for (const spec of [...kept].sort((a, b) => a.grow - b.grow)) {
    if (spare <= 0) break
    const extra = Math.min(spare, spec.ideal - spec.min)
    widths.set(spec.id, spec.min + extra)
    spare -= extra
  }
  // A narrow terminal still gets one (truncated) column rather than none.
  if (kept.length === 1) widths.set(kept[0]!.id, Math.max(1, budget))
  return kept.map((spec) => ({id: spec.id, title: spec.title, width: widths.get(spec.id)!, align: spec.align}))
}
