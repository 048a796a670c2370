/**
 * Answers recorded from real third-party calls (test/fixtures/recorded/), as the
 * library returned them: a recorded {"$bigint": "…"} becomes a bigint again.
 */
import {readFileSync} from 'node:fs'

const revive = (_key: string, value: unknown) =>
  value && typeof value === 'object' && '$bigint' in value ? BigInt((value as {$bigint: string}).$bigint) : value

export function recorded<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/recorded/${relativePath}`, import.meta.url), 'utf8'), revive) as T
}

export interface RecordedAnswers {
  recordedAt: string
  how: string
  answers: Array<{path: string; answer: Record<string, unknown>}>
}

/** ssh2's statvfs answer for the bed's Docker root dir. */
export const recordedStatvfs = () =>
  recorded<RecordedAnswers>('ssh2/statvfs.json').answers.find((item) => item.path === '/var/lib/docker')!.answer
/** node:fs statfs for the same dir (the local adapter). */
export const recordedStatfs = () =>
  recorded<RecordedAnswers>('ssh2/statfs-local.json').answers.find((item) => item.path === '/var/lib/docker')!.answer
