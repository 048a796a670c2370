/**
 * What every applied (or failed) change leaves behind: an audit record here
 * and on the host, and a lifecycle event on the host for \`aims events\` and
 * the dock.
 */
import {maskCommandLine} from '../core/commands/argv.js'
import {redactSecrets} from '../core/text/redact.js'
import {appendRemoteAudit, type AuditRecord} from './audit.js'
import {emitForAudit} from './lifecycle-events.js'
import type {RecordDeps} from './ports.js'

/** Returns a warning when the host's audit copy could not be written (the action itself stands). */
export async function recordAction(
  deps: RecordDeps,
  entry: Pick<AuditRecord, 'action' | 'target' | 'outcome' | 'detail'>,
): Promise<string | undefined> {
  // What was said or typed may hold a secret (APP_SECRET=…, a value given with --env): masked before it is written.
  const redact = (text: string) => redactSecrets(text, deps.origin.secrets ?? [])
  const record: AuditRecord = {
    id: deps.newId(),
    time: deps.clock.now().toISOString(),
    actor: deps.actor,
    host: deps.session.host.name,
    origin: deps.origin.kind,
    ...(deps.origin.argv ? {command: redact(maskCommandLine(deps.origin.argv))} : {}),
    ...(deps.origin.utterance ? {utterance: redact(deps.origin.utterance)} : {}),
    ...entry,
    ...(entry.detail !== undefined ? {detail: redact(entry.detail)} : {}),
  }
  await deps.audit.append(record)
  const remote = await appendRemoteAudit(await deps.session.shell(), deps.session.host.stateDir, record)
  await emitForAudit(deps, entry)
  return remote ? `the host's audit copy was not updated: ${remote}` : undefined
}
