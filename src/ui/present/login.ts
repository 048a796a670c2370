/** `aims login`, `aims logout` and `aims login --status` as text: names and places, never a key. */
import type {KeySource} from '../../services/secret-store.js'
import type {KeyStatus, LoginResult, LoginStatus, LogoutResult} from '../../services/login.js'
import type {Style} from '../style.js'
import {renderTable} from './table.js'
import {sanitizeUntrusted} from '../../core/text/sanitize.js'

const place = (store: 'keychain' | 'file', location: string) =>
  store === 'keychain' ? `the keychain (${location})` : `the encrypted file ${location}`

const passphraseNote = (store: 'keychain' | 'file', passphrase: boolean) =>
  store === 'file' && !passphrase
    ? 'It is sealed with a key file kept apart from it (protection against casual reads and leaked backups, ' +
      'not against root); set AIMS_SECRETS_PASSPHRASE for a passphrase.'
    : undefined

export function renderLogin(result: LoginResult, style: Style, options: {passphrase: boolean; uses?: string}): string {
  const where = place(result.store, result.location)
  const lines = [
    result.dryRun
      ? `Would store the ${result.label} key in ${where}${result.replaced ? ', replacing the one stored now' : ''}.`
      : `${style.green('✓')} Stored the ${result.label} key in ` +
        `${where}${result.replaced ? ' (it replaces the one stored before)' : ''}.`,
  ]
  if (result.note) lines.push(style.dim(`  Not in the keychain: ${sanitizeUntrusted(result.note)}.`))
  const sealed = passphraseNote(result.store, options.passphrase)
  if (sealed) lines.push(style.dim(`  ${sealed}`))
  if (result.overriddenBy)
    lines.push(
      style.yellow(
        `  Note: ${result.overriddenBy} is set in this environment and wins over the stored key (unset it to ` +
          `use this one).`,
      ),
    )
  if (options.uses && !result.dryRun) lines.push(`  ${options.uses}`)
  return lines.join('\n')
}

export function renderLogout(result: LogoutResult, style: Style): string {
  const lines: string[] = []
  if (result.removed.length === 0) lines.push(`No ${result.label} key is stored by aims: nothing to remove.`)
  else
    for (const removed of result.removed)
      lines.push(
        result.dryRun
          ? `Would remove the ${result.label} key from ${place(removed.store, removed.location)}.`
          : `${style.green('✓')} Removed the ${result.label} key from ${place(removed.store, removed.location)}.`,
      )
  if (result.stillInEnv)
    lines.push(
      style.yellow(`  Note: ${result.stillInEnv} is still set in this environment, and ACHEEVY keeps using it.`),
    )
  return lines.join('\n')
}

function sourceText(key: KeyStatus): string {
  if (key.source === 'env') return `env ${key.envVar}`
  if (key.source === 'stored' && key.stored)
    return key.stored.store === 'keychain' ? `keychain (${key.stored.location})` : 'encrypted file'
  return '—'
}

function noteText(key: KeyStatus): string {
  const notes: string[] = []
  if (key.stored?.missing) notes.push('stored by aims but gone from the store: aims login again')
  else if (key.stored?.unverified) notes.push(`could not check: ${key.stored.unverified}`)
  if (key.source === 'env' && key.stored && !key.stored.missing)
    notes.push(
      `also stored in ${key.stored.store === 'keychain' ? 'the keychain' : 'the encrypted file'}; the env var wins`,
    )
  if (key.source === 'stored' && key.stored?.store === 'file') notes.push(key.stored.location)
  if (key.source === 'none' && !key.stored) notes.push(`aims login ${key.label}`)
  return notes.join('; ')
}

export function renderLoginStatus(status: LoginStatus, style: Style, acheevy?: string): string {
  const table = renderTable(
    ['KEY', 'FROM', 'NOTE'],
    status.keys.map((key) => [
      sanitizeUntrusted(key.label),
      key.source === 'none' ? style.dim(sourceText(key)) : sourceText(key),
      style.dim(sanitizeUntrusted(noteText(key))),
    ]),
  )
  const target = status.newKeysGoTo
  const why = target.note ? ` (not the keychain: ${sanitizeUntrusted(target.note)})` : ''
  const goes = `New keys go to ${place(target.store, target.location)}${why}.`
  return [table, '', goes, ...(acheevy ? [acheevy] : [])].join('\n')
}

/** "ACHEEVY uses anthropic (claude-…) with the key from …" */
export function describeAcheevy(
  settings: {provider: string; model: string; baseUrl?: string | undefined},
  source: KeySource,
): string {
  if (settings.provider === 'offline')
    return 'ACHEEVY uses the offline parser (no model is configured and no key is set).'
  const where =
    source.kind === 'env'
      ? `the key from env ${source.envVar}`
      : source.kind === 'stored'
        ? `the key from ${place(source.location.store, source.location.detail)}`
        : 'no key'
  const server = settings.baseUrl ? ` at ${settings.baseUrl}` : ''
  return `ACHEEVY uses ${settings.provider}${server} (${settings.model}) with ${where}.`
}
