/**
 * Chat transcripts: one JSON record per line (meta first, then messages and
 * notable events), so a session can be resumed and read back. Pure: records,
 * masking and parsing; the file store is an adapter.
 *
 * Transcripts never hold secret values: every string of every record goes
 * through redactSecrets with the secret values the session knows (intake
 * answers, instance secrets) plus the secret shapes (KEY=VALUE with a secret
 * key, tokens, passwords in URLs) before it is written.
 */
import {usageError} from '../errors.js'
import {redactSecrets} from '../ai/redact.js'
import type {ChatMessage} from '../ai/types.js'

export const TRANSCRIPT_VERSION = 1

export interface TranscriptMeta {
  type: 'meta'
  version: number
  id: string
  createdAt: string
  provider: string
  model: string
  host?: string
}

export type TranscriptRecord =
  | TranscriptMeta
  | {type: 'message'; at: string; message: ChatMessage}
  | {type: 'focus'; at: string; focus: string | null}
  /** Plans shown, approvals and refusals, intake: what was confirmed, for people reading the file (not replayed). */
  | {type: 'event'; at: string; event: Record<string, unknown> & {type: string}}

const CHAT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

export function checkChatId(id: string): string {
  if (!CHAT_ID.test(id))
    throw usageError(
      `invalid chat id ${JSON.stringify(id.slice(0, 70))}`,
      'chat ids are letters, digits, "-" and "_" (see the list in aims chat --resume with no id)',
    )
  return id
}

/** Sortable by time, unique enough for one user: 20250101-120000-a1b2. */
export function newChatId(now: Date, random: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${
    random
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 6)
      .toLowerCase() || '0'
  }`
}

/** A deep copy with every string redacted. */
export function maskRecord<T>(value: T, secrets: Iterable<string>): T {
  const known = [...secrets]
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redactSecrets(item, known)
    if (Array.isArray(item)) return item.map(walk)
    if (item && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]))
    return item
  }
  return walk(value) as T
}

export interface ParsedTranscript {
  meta?: TranscriptMeta
  messages: ChatMessage[]
  focus?: string
  /** Lines that could not be read (a crash mid-write leaves at most the last one). */
  damaged: number
}

export function parseTranscript(text: string): ParsedTranscript {
  const parsed: ParsedTranscript = {messages: [], damaged: 0}
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let record: TranscriptRecord
    try {
      record = JSON.parse(line) as TranscriptRecord
    } catch {
      parsed.damaged++
      continue
    }
    if (record.type === 'meta') parsed.meta ??= record
    else if (record.type === 'message' && record.message && typeof record.message === 'object')
      parsed.messages.push(record.message)
    else if (record.type === 'focus') {
      if (record.focus) parsed.focus = record.focus
      else delete parsed.focus
    }
  }
  return parsed
}
