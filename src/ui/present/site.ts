/** aims site's results as lines for people. Pure. */
import {formatBytes} from '../../core/names.js'
import type {SiteChangeResult, SiteDeployResult, SiteView} from '../../services/site.js'
import type {Style} from '../style.js'
import {dryRunLine} from './lifecycle.js'
import {renderTable} from './table.js'

export function renderSiteDeploy(result: SiteDeployResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  return [
    `${style.green('✓')} ${style.bold(result.site)} serves release ${result.release} ` +
      `(${result.files} files, ${formatBytes(result.bytes)})${result.protected ? ', basic auth' : ''}`,
    `  URL  ${result.url}`,
  ].join('\n')
}

export function renderSiteChange(action: 'rollback' | 'rm', result: SiteChangeResult, style: Style): string {
  if (result.status === 'dry-run') return dryRunLine(style)
  return action === 'rm'
    ? `${style.green('✓')} ${result.site} is gone (${result.releases.length} releases removed).`
    : `${style.green('✓')} ${result.site} serves release ${result.current ?? '?'} again.`
}

export function renderSiteList(sites: SiteView[], style: Style): string {
  if (sites.length === 0) return style.dim('No sites. Publish one with aims site deploy DIR.')
  return renderTable(
    ['SITE', 'URL', 'RELEASE', 'RELEASES', 'AUTH'],
    sites.map((site) => [
      site.site,
      site.url,
      site.current ?? '-',
      String(site.releases.length),
      site.protected ? 'basic' : 'public',
    ]),
  )
}
