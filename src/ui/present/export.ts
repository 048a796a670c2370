/** `aims export` as text: where the bundle went, what is in it, what to run next. Pure. */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {ExportResult} from '../../services/export.js'
import type {Style} from '../style.js'

export function renderExportResult(result: ExportResult, style: Style): string {
  const what =
    result.kind === 'instance'
      ? `instance ${result.instance} (plug ${result.plug}) from ${result.host}`
      : `plug ${result.plug}`
  const lines = [`${style.green('✓')} Exported ${what} to ${sanitizeUntrusted(result.dir)}`, '']
  const width = Math.max(...result.files.map((file) => file.path.length))
  for (const file of result.files)
    lines.push(`  ${file.path.padEnd(width)}  ${style.dim(`${file.mode}  ${file.bytes} bytes`)}`)
  lines.push('')
  lines.push(
    `Services: ${result.services.join(', ')}; ${result.protocol === 'http' ? 'the app' : 'the service'} ` +
      `listens on 127.0.0.1:${result.port} (PORT in .env).`,
  )
  if (result.variables.generated.length > 0)
    lines.push(`Secrets setup.sh generates on the target machine: ${result.variables.generated.join(', ')}.`)
  const toSet = result.variables.required.filter((key) => key !== 'COMPOSE_PROJECT_NAME')
  if (toSet.length > 0) lines.push(`${style.yellow('Set before starting')} (in .env): ${toSet.join(', ')}.`)
  if (result.kind === 'instance')
    lines.push('Non-secret settings come from the instance; secret values were not exported.')
  for (const warning of result.warnings) lines.push(`${style.yellow('!')} ${sanitizeUntrusted(warning)}`)
  lines.push('')
  lines.push(`Next: ${style.bold(result.next)}  (see README.md; the bundle runs without aims)`)
  return lines.join('\n')
}
