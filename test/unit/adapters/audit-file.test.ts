import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {JsonlAuditLog, parseAuditLines} from '../../../src/adapters/audit-file.js'
import type {AuditRecord} from '../../../src/services/audit.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-audit-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

const record = (id: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  id,
  time: '2026-03-01T10:00:00.000Z',
  actor: 'me@laptop',
  host: 'vps',
  action: 'plug up',
  target: 'acme/n8n',
  origin: 'cli',
  outcome: 'applied',
  ...extra,
})

describe('JsonlAuditLog', () => {
  it('lists nothing when the file does not exist', async () => {
    expect(await new JsonlAuditLog(join(scratch, 'none', 'audit.jsonl')).list()).toEqual([])
  })

  it('appends records as lines, creating private directories, and lists them in order', async () => {
    const file = join(scratch, 'fresh', 'state', 'audit.jsonl')
    const log = new JsonlAuditLog(file)
    await log.append(record('a1'))
    await log.append(
      record('a2', {origin: 'chat', utterance: 'deploy n8n for acme', outcome: 'rolled-back', detail: 'unhealthy'}),
    )
    expect(await log.list()).toEqual([
      record('a1'),
      record('a2', {origin: 'chat', utterance: 'deploy n8n for acme', outcome: 'rolled-back', detail: 'unhealthy'}),
    ])
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(3)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(scratch, 'fresh', 'state')).mode & 0o777).toBe(0o700)
  })

  it('keeps a record with newlines in its text on one line', async () => {
    const file = join(scratch, 'newline', 'audit.jsonl')
    const log = new JsonlAuditLog(file)
    await log.append(record('a1', {detail: 'line one\nline two'}))
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(1)
    expect((await log.list())[0]?.detail).toBe('line one\nline two')
  })

  it('skips malformed and blank lines (a torn write, a hand edit) and keeps the rest', async () => {
    const dir = join(scratch, 'torn')
    mkdirSync(dir)
    const file = join(dir, 'audit.jsonl')
    writeFileSync(
      file,
      [JSON.stringify(record('a1')), '{"id": "half', '', '   ', 'not json', JSON.stringify(record('a2')), ''].join(
        '\n',
      ),
    )
    expect((await new JsonlAuditLog(file).list()).map((item) => item.id)).toEqual(['a1', 'a2'])
  })
})

describe('parseAuditLines', () => {
  it('reads CRLF-free JSON lines and tolerates a missing final newline', () => {
    expect(parseAuditLines(`${JSON.stringify(record('x'))}`).map((item) => item.id)).toEqual(['x'])
    expect(parseAuditLines('')).toEqual([])
  })
})
