/**
 * The audit trail: what was applied, by whom, from which command or
 * utterance. Appended locally and to the host's copy (docs/ARCHITECTURE.md: the VPS is
 * the shared truth; the local file is this machine's history).
 */
import type {HostShell, Origin} from './ports.js'

export interface AuditRecord {
  id: string
  time: string
  /** user@machine that ran aims */
  actor: string
  host: string
  action: string
  target: string
  /** The aims command line, with secret flag values masked (maskCommandLine). */
  command?: string
  origin: Origin['kind']
  /** What the user said, for ACHEEVY actions. */
  utterance?: string
  outcome: 'applied' | 'failed' | 'rolled-back' | 'declined'
  detail?: string
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>
  list(): Promise<AuditRecord[]>
}

/** Appends to the host's copy; failures there never fail the action (it is reported instead). */
export async function appendRemoteAudit(
  shell: HostShell,
  stateDir: string,
  record: AuditRecord,
): Promise<string | undefined> {
  try {
    await shell.mkdirp(stateDir)
    await shell.appendFile(`${stateDir}/audit.jsonl`, `${JSON.stringify(record)}\n`)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}
