/** aims sandbox's results as lines for people. Pure. */
import {formatBytes} from '../../core/names.js'
import type {SandboxCreateResult, SandboxView} from '../../services/sandbox.js'
import type {Style} from '../style.js'
import {dryRunLine} from './lifecycle.js'
import {renderTable} from './table.js'

const left = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
      : `${seconds}s`

export function renderSandboxCreate(result: SandboxCreateResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  return [
    `${style.green('✓')} sandbox ${style.bold(result.id)} (${result.image}) runs until ${result.expiresAt}`,
    `  limits  ${result.limits.cpus} CPU, ${formatBytes(result.limits.memoryBytes)}, ${result.limits.pids} processes`,
    `  shell   aims sandbox shell ${result.id}`,
    `  run     aims sandbox exec ${result.id} -- CMD`,
  ].join('\n')
}

export function renderSandboxList(sandboxes: SandboxView[], style: Style): string {
  if (sandboxes.length === 0) return style.dim('No sandboxes. Start one with aims sandbox.')
  return renderTable(
    ['ID', 'TENANT', 'IMAGE', 'STATE', 'LEFT'],
    sandboxes.map((sandbox) => [sandbox.id, sandbox.tenant, sandbox.image, sandbox.state, left(sandbox.secondsLeft)]),
  )
}
