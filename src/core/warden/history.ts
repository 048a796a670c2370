/**
 * One line of an instance's health history on the host (`<stateDir>/history/TENANT/INSTANCE.jsonl`):
 * state changes, probe failures with their detail, and the actions the warden took. Bounded to
 * HISTORY_LIMIT lines per instance. Never holds secret values (probe details are status lines).
 */
import type {Note, NoteKind} from './healing.js'

export const HISTORY_LIMIT = 1000

export interface HistoryEvent {
  v: 1
  id: string
  time: string
  tenant: string
  instance: string
  kind: NoteKind
  detail: string
  step?: string
  incident?: string
}

export function historyEvent(note: Note, id: string, time: Date): HistoryEvent {
  const [tenant = '', instance = ''] = note.ref.split('/')
  return {
    v: 1,
    id,
    time: time.toISOString(),
    tenant,
    instance,
    kind: note.kind,
    detail: note.detail,
    ...(note.step ? {step: note.step} : {}),
    ...(note.incident ? {incident: note.incident} : {}),
  }
}

/** Parses JSONL, skipping lines that are not history events (a torn last line, a hand edit). */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const raw = JSON.parse(line) as Partial<HistoryEvent>
      if (raw.v === 1 && typeof raw.time === 'string' && typeof raw.kind === 'string' && typeof raw.detail === 'string')
        events.push(raw as HistoryEvent)
    } catch {
      // skip
    }
  }
  return events
}
