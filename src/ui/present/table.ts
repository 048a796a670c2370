/** Plain aligned text tables (no borders), as `docker ps` prints them. */
import {sanitizeStyledField, stripAnsi} from '../../core/text/sanitize.js'
import {visibleWidth} from './text.js'

/** Every cell is cleaned (sanitizeStyledField): a label or name from a container can never move the cursor or forge a row. */
export function renderTable(headers: string[], dirtyRows: string[][]): string {
  const rows = dirtyRows.map((row) => row.map(sanitizeStyledField))
  const widths = headers.map((header, column) =>
    Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))),
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - visibleWidth(cell))),
      )
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

export {stripAnsi}
