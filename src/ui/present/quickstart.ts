/** `aims quickstart` and `aims quickstart down` for people. Pure: a result and a style in, text out. */
import type {QuickstartDownResult, QuickstartUpResult} from '../../services/quickstart.js'
import type {Style} from '../style.js'
import {dryRunLine} from './lifecycle.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The tenant flag the follow-up commands need (none for the default quickstart tenant). */
const tenantFlag = (tenant: string) => (tenant === 'quickstart' ? '' : ` --tenant ${tenant}`)

export function renderQuickstartUp(result: QuickstartUpResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const tenant = result.instance.split('/')[0]!
  const lines = [
    `${style.green('✓')} ${style.bold(result.instance)} is running on this machine ` +
      `(ready in ${seconds(result.durationMs)})`,
    '',
    `  open it   ${style.cyan(result.domainUrl ?? result.localUrl)}`,
  ]
  if (result.domainUrl) lines.push(`  on host   ${result.localUrl}`)
  lines.push(
    `  image     ${result.image.reference}` +
      (result.image.built ? `, built just now from ${result.image.base ?? 'busybox'}` : ' (already built)'),
    `  look      aims ps --tenant ${tenant} · aims plug logs ${result.instance} · aims dock`,
    `  remove    aims quickstart down${tenantFlag(tenant)}   (the instance, its network and the image)`,
    '',
    `Next: point aims at your VPS with ${style.bold('aims init')}, then ${style.bold('aims plug up uptime-kuma')}.`,
  )
  return lines.join('\n')
}

export function renderQuickstartDown(result: QuickstartDownResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  const image =
    result.image.outcome === 'removed'
      ? `image ${result.image.reference} removed`
      : result.image.outcome === 'in-use'
        ? `image ${result.image.reference} kept: another container still uses it`
        : result.image.outcome === 'kept'
          ? `image ${result.image.reference} kept: aims did not build it`
          : 'no image to remove'
  if (result.status === 'nothing-to-do')
    return `${style.green('✓')} nothing to take down: ${result.instance} is not deployed on ${result.host}, ${image}.`
  const removed = result.down?.removed
  const what = removed
    ? [
        count(removed.containers.length, 'container'),
        count(removed.volumes.length, 'volume'),
        count(removed.networks.length, 'network'),
      ].join(', ')
    : 'no instance'
  return `${style.green('✓')} ${result.instance} is gone (${what} removed), ${image}. The machine is as before.`
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
