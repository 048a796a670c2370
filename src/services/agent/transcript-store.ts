/**
 * Where chat sessions are kept (AIMS_HOME/state/chats/ID.jsonl, or the XDG
 * state dir): the port the chat uses, and the writer that masks every record
 * before it reaches the store.
 */
import {
  checkChatId,
  maskRecord,
  parseTranscript,
  type ParsedTranscript,
  type TranscriptRecord,
} from '../../core/agent/transcript.js'
import {AimsError} from '../../core/errors.js'

export interface TranscriptStore {
  /** Appends one line (the record is already masked). */
  append(id: string, line: string): Promise<void>
  read(id: string): Promise<string | undefined>
  /** Chat ids, newest first. */
  list(): Promise<Array<{id: string; modified: Date}>>
  readonly dir: string
}

export class TranscriptWriter {
  private queue: Promise<void> = Promise.resolve()
  private failure?: Error

  constructor(
    readonly id: string,
    private readonly store: TranscriptStore,
    /** Secret values known to the session; read at each write (it grows as the session learns secrets). */
    private readonly secrets: () => Iterable<string>,
  ) {}

  /** Queues a record; writes stay in order. A failed write is reported by flush(). */
  write(record: TranscriptRecord): void {
    const line = `${JSON.stringify(maskRecord(record, this.secrets()))}\n`
    this.queue = this.queue
      .then(() => this.store.append(this.id, line))
      .catch((error: unknown) => {
        this.failure ??= error as Error
      })
  }

  async flush(): Promise<void> {
    await this.queue
    if (this.failure)
      throw new AimsError('internal', `could not save the chat transcript: ${this.failure.message}`, {
        hint: `check that ${this.store.dir} is writable`,
      })
  }
}

export async function loadTranscript(store: TranscriptStore, id?: string): Promise<ParsedTranscript & {id: string}> {
  let chosen = id === undefined ? undefined : checkChatId(id)
  if (chosen === undefined) {
    const [latest] = await store.list()
    if (!latest) throw new AimsError('not-found', 'there is no chat to resume yet', {hint: 'start one with aims chat'})
    chosen = latest.id
  }
  const text = await store.read(chosen)
  if (text === undefined) {
    const known = (await store.list()).slice(0, 5).map((item) => item.id)
    throw new AimsError('not-found', `no chat ${chosen} in ${store.dir}`, {
      hint: known.length > 0 ? `recent chats: ${known.join(', ')}` : 'start one with aims chat',
    })
  }
  return {id: chosen, ...parseTranscript(text)}
}
