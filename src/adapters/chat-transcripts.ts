/** Chat transcripts as files: one JSONL file per session, private to the user (0600 in a 0700 dir). */
import {appendFile, mkdir, readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import type {TranscriptStore} from '../services/agent/transcript-store.js'

export class FileTranscriptStore implements TranscriptStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    return join(this.dir, `${id}.jsonl`)
  }

  async append(id: string, line: string): Promise<void> {
    await mkdir(this.dir, {recursive: true, mode: 0o700})
    await appendFile(this.file(id), line, {mode: 0o600})
  }

  async read(id: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(id), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  async list(): Promise<Array<{id: string; modified: Date}>> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch {
      return []
    }
    const chats = await Promise.all(
      names
        .filter((name) => name.endsWith('.jsonl'))
        .map(async (name) => ({
          id: name.slice(0, -'.jsonl'.length),
          modified: (await stat(join(this.dir, name))).mtime,
        })),
    )
    return chats.sort((a, b) => b.modified.getTime() - a.modified.getTime() || b.id.localeCompare(a.id))
  }
}
