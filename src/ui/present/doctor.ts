/** `aims doctor` as text: one row per check, then what to do about the ones that need it. */
import type {CheckStatus, DoctorReport} from '../../core/doctor.js'
import type {Style} from '../style.js'
import {renderTable} from './table.js'

const MARK: Record<CheckStatus, string> = {pass: 'ok', warn: 'warn', fail: 'FAIL', skipped: 'skip'}

function paint(status: CheckStatus, text: string, style: Style): string {
  if (status === 'pass') return style.green(text)
  if (status === 'warn') return style.yellow(text)
  if (status === 'fail') return style.red(style.bold(text))
  return style.dim(text)
}

export function renderDoctorReport(report: DoctorReport, style: Style): string {
  const table = renderTable(
    ['CHECK', 'STATUS', 'DETAIL'],
    report.checks.map((check) => [check.title, paint(check.status, MARK[check.status], style), check.detail]),
  )
  const fixes = report.checks
    .filter((check) => (check.status === 'fail' || check.status === 'warn') && check.fix)
    .map((check) => `  ${paint(check.status, check.title, style)}: ${check.fix}`)
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length
  const failed = count('fail')
  const warned = count('warn')
  const skipped = count('skipped')
  const parts = [
    `${count('pass')} passed`,
    ...(warned ? [`${warned} warning${warned === 1 ? '' : 's'}`] : []),
    ...(failed ? [`${failed} failed`] : []),
    ...(skipped ? [`${skipped} skipped`] : []),
  ]
  const summary =
    `${report.ok ? style.green('Host is ready') : style.red('Host is not ready')}: ${report.host} — ` +
    `${parts.join(', ')}.`
  return [
    `Doctor: ${style.bold(report.host)}`,
    '',
    table,
    ...(fixes.length > 0 ? ['', 'To fix:', ...fixes] : []),
    '',
    summary,
  ].join('\n')
}
