/** aims build's result as lines for people. Pure. */
import {formatBytes} from '../../core/names.js'
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {BuildResult} from '../../services/build.js'
import type {Style} from '../style.js'
import {dryRunLine} from './lifecycle.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function renderBuild(result: BuildResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const lines: string[] = []
  if (result.build)
    lines.push(
      `${style.green('✓')} built ${result.image} (${result.stack}) in ${seconds(result.build.durationMs)}, ` +
        `${result.build.cachedSteps}/${result.build.steps} steps from the cache`,
    )
  for (const check of result.verify)
    lines.push(`  ${check.ok ? style.green('✓') : style.red('✗')} ${check.check}: ${sanitizeUntrusted(check.detail)}`)
  if (result.out) lines.push(`  Files    ${result.out}`)
  if (result.plugFile) lines.push(`  Plug     ${result.plugFile}`)
  lines.push(`  Context  ${result.context.files} files, ${formatBytes(result.context.bytes)}`)
  if (result.deploy) {
    lines.push(`${style.green('✓')} ${style.bold(result.instance)} is ready (${seconds(result.durationMs)})`)
    if (result.deploy.domainUrl) lines.push(`  URL      ${result.deploy.domainUrl}`)
    lines.push(`  On host  ${result.deploy.localUrl}`)
  } else lines.push(`  Not deployed (--no-deploy): aims plug up ${result.instance.split('/')[1]} deploys it`)
  return lines.join('\n')
}

/** The build's last lines or the failed checks, shown when a build fails (exit 4). */
export function renderBuildFailure(details: Record<string, unknown> | undefined): string {
  const log = (details?.log as string[] | undefined) ?? (details?.logs as string[] | undefined) ?? []
  if (log.length === 0) return ''
  return `Last ${log.length} lines:\n${log.map((line) => `  │ ${sanitizeUntrusted(line)}`).join('\n')}\n`
}
