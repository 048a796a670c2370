/** A Plan as text for people: what, where, the gates, the changes. Pure. */
import type {Plan} from '../../core/plan/plan.js'
import {sanitizeField as clean} from '../../core/text/sanitize.js'
import type {Style} from '../style.js'

const mark = (status: 'pass' | 'fail' | 'warn', style: Style) =>
  status === 'pass' ? style.green('✓') : status === 'warn' ? style.yellow('!') : style.red('✗')

export function renderPlan(plan: Plan, style: Style): string {
  // Facts, details and names carry values from outside aims (env values, labels, catalog text): each is cleaned.
  const lines: string[] = [style.bold(`Plan: ${clean(plan.summary)}`)]
  const width = Math.max(...plan.facts.map((fact) => fact.label.length), 4)
  for (const fact of plan.facts) lines.push(`  ${clean(fact.label).padEnd(width)}  ${clean(fact.value)}`)
  if (plan.gates.length > 0) {
    lines.push('Pre-flight gates:')
    for (const gate of plan.gates)
      lines.push(
        `  ${mark(gate.status, style)} ${gate.title}: ` +
          `${clean(gate.detail)}${gate.status === 'fail' && gate.fix ? style.dim(` — ${clean(gate.fix)}`) : ''}`,
      )
  }
  if (plan.changes.length > 0) {
    lines.push('Changes:')
    for (const change of plan.changes)
      lines.push(
        `  ${change.action.padEnd(7)} ${change.kind.padEnd(10)} ` +
          `${clean(change.name)}${change.detail ? style.dim(`  (${clean(change.detail)})`) : ''}`,
      )
  }
  return lines.join('\n')
}
