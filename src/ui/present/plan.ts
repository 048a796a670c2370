/** A Plan as text for people: what, where, the gates, the changes. Pure. */
import type {Plan} from '../../core/plan/plan.js'
import type {Style} from '../style.js'

const mark = (status: 'pass' | 'fail' | 'warn', style: Style) =>
  status === 'pass' ? style.green('✓') : status === 'warn' ? style.yellow('!') : style.red('✗')

export function renderPlan(plan: Plan, style: Style): string {
  const lines: string[] = [style.bold(`Plan: ${plan.summary}`)]
  const width = Math.max(...plan.facts.map((fact) => fact.label.length), 4)
  for (const fact of plan.facts) lines.push(`  ${fact.label.padEnd(width)}  ${fact.value}`)
  if (plan.gates.length > 0) {
    lines.push('Pre-flight gates:')
    for (const gate of plan.gates)
      lines.push(
        `  ${mark(gate.status, style)} ${gate.title}: ` +
          `${gate.detail}${gate.status === 'fail' && gate.fix ? style.dim(` — ${gate.fix}`) : ''}`,
      )
  }
  if (plan.changes.length > 0) {
    lines.push('Changes:')
    for (const change of plan.changes)
      lines.push(
        `  ${change.action.padEnd(7)} ${change.kind.padEnd(10)} ` +
          `${change.name}${change.detail ? style.dim(`  (${change.detail})`) : ''}`,
      )
  }
  return lines.join('\n')
}
