/** The local audit log: one JSON object per line, appended (O_APPEND keeps concurrent lines whole). */
import {appendFile, mkdir, readFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import type {AuditLog, AuditRecord} from '../services/audit.js'

export class JsonlAuditLog implements AuditLog {
  constructor(private readonly file: string) {}

  async append(record: AuditRecord): Promise<void> {
    await mkdir(dirname(this.file), {recursive: true, mode: 0o700})
    await appendFile(this.file, `${JSON.stringify(record)}\n`, {mode: 0o600})
  }

  async list(): Promise<AuditRecord[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch {
      return []
    }
    return parseAuditLines(text)
  }
}

export function parseAuditLines(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditRecord]
      } catch {
        return []
      }
    })
}
