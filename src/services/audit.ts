/**
 * The audit trail: what was applied, by whom, from which command or
 * utterance. Appended locally and to the host's copy (DESIGN.md: the VPS is
 * the shared truth; the local file is this machine's history).
 */
import type {HostShell} from './ports.js'

export interface AuditRecord {
  id: string
  time: string
  /** user@machine that ran aims */
  actor: string
  host: string
  action: string
  target: string
  /** The aims command line, with --env values masked. */
  command?: string
  origin: 'cli' | 'chat' | 'ask' | 'dock'
  /** What the user said, for ACHEEVY actions. */
  utterance?: string
  outcome: 'applied' | 'failed' | 'rolled-back' | 'declined'
  detail?: string
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>
  list(): Promise<AuditRecord[]>
}

/** --env KEY=VALUE → --env KEY=*** (values may be secrets; keys are enough to audit). */
export function maskCommandLine(argv: string[]): string {
  const maskValue = (value: string) => (value.includes('=') ? `${value.slice(0, value.indexOf('='))}=***` : value)
  const masked: string[] = []
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    if (arg === '--env' || arg === '-e') {
      masked.push(arg)
      const value = argv[index + 1]
      if (value !== undefined) {
        masked.push(maskValue(value))
        index++
      }
    } else if (arg.startsWith('--env=')) {
      masked.push(`--env=${maskValue(arg.slice('--env='.length))}`)
    } else if (arg.startsWith('-e') && arg.length > 2) {
      // oclif also reads the short flag glued to its value: -eKEY=VALUE and -e=KEY=VALUE.
      const value = arg.slice(2).replace(/^=/, '')
      masked.push(`-e${maskValue(value)}`)
    } else {
      masked.push(arg)
    }
  }
  return masked.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')
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
