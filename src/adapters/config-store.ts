/**
 * config.json (hosts and preferences) and aims' known_hosts file, under the
 * XDG config dir. Every change is a locked read-modify-write, so concurrent
 * aims processes never lose each other's writes.
 */
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {AimsError} from '../core/errors.js'
import {formatKnownHostLine, parseKnownHosts, type HostKey, type KnownHostEntry} from '../core/known-hosts.js'
import type {AimsConfig, ConfigStore, KnownHostsStore} from '../services/ports.js'
import {withLocalLock} from './file-lock.js'
import {readTextIfExists, writeFileAtomic} from './json-file.js'

const emptyConfig = (): AimsConfig => ({version: 1, hosts: {}, preferences: {}})

function parseConfig(text: string | undefined, file: string): AimsConfig {
  if (text === undefined || text.trim() === '') return emptyConfig()
  try {
    const parsed = JSON.parse(text) as Partial<AimsConfig>
    return {...emptyConfig(), ...parsed, version: 1, hosts: parsed.hosts ?? {}, preferences: parsed.preferences ?? {}}
  } catch (error) {
    throw new AimsError('validation', `the aims config file ${file} is not valid JSON (${(error as Error).message})`, {
      hint: 'fix or remove it; aims will start with an empty config',
    })
  }
}

export class JsonConfigStore implements ConfigStore {
  constructor(private readonly file: string) {}

  async read(): Promise<AimsConfig> {
    return parseConfig(await readTextIfExists(this.file), this.file)
  }

  async update<T>(change: (config: AimsConfig) => T | Promise<T>): Promise<T> {
    return withLocalLock(this.file, async () => {
      const config = await this.read()
      const result = await change(config)
      await writeFileAtomic(this.file, `${JSON.stringify(config, null, 2)}\n`)
      return result
    })
  }
}

export class FileKnownHostsStore implements KnownHostsStore {
  constructor(
    readonly ownFile: string,
    private readonly extraFiles: string[] = [join(process.env.HOME || homedir(), '.ssh', 'known_hosts')],
  ) {}

  async entries(): Promise<KnownHostEntry[]> {
    const files = [this.ownFile, ...this.extraFiles]
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')))
    return texts.flatMap((text, index) => parseKnownHosts(text, files[index] ?? ''))
  }

  async record(name: string, key: HostKey): Promise<void> {
    await withLocalLock(this.ownFile, async () => {
      const current = (await readTextIfExists(this.ownFile)) ?? ''
      const kept = current.split('\n').filter((line) => line.trim() !== '' && line.split(/\s+/)[0] !== name)
      await writeFileAtomic(this.ownFile, `${[...kept, formatKnownHostLine(name, key)].join('\n')}\n`, 0o644)
    })
  }
}
