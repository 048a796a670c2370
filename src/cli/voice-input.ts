/**
 * `aims ask --audio FILE`: the voice service wired to this machine — the
 * file system, the configured speech-to-text engine (the offline command
 * recognizer when none is), and the vocabulary of the moment (the catalog,
 * the live instances and tenants of the host when it answers within 3 s,
 * the configured hosts).
 */
import {readFile, stat} from 'node:fs/promises'
import type {AgentWiring} from '../agent-context.js'
import type {AimsContext} from '../context.js'
import {AimsError} from '../core/errors.js'
import {transcribeFile} from '../services/voice.js'

export async function transcribeSpoken(
  context: AimsContext,
  wiring: AgentWiring,
  file: string,
): Promise<{text: string; engine: string; seconds: number}> {
  const [live, config] = await Promise.all([wiring.intentContext(undefined, {timeoutMs: 3000}), context.config.read()])
  const vocabulary = {
    catalog: live.catalog.map((item) => item.id),
    instances: live.instances.map((instance) => instance.instance),
    tenants: [...new Set([live.defaultTenant, ...live.instances.map((instance) => instance.tenant)])],
    hosts: Object.keys(config.hosts),
  }
  const heard = await transcribeFile(
    {
      readFile: (path) => readFile(path),
      fileSize: (path) =>
        stat(path).then(
          (info) => (info.isFile() ? info.size : undefined),
          () => undefined,
        ),
      recognizer: async () => (await import('../adapters/voice/pocketsphinx.js')).pocketsphinxRecognizer(),
    },
    file,
    vocabulary,
  )
  if (heard.text === '')
    throw new AimsError('usage', `nothing was heard in ${file} (${heard.seconds.toFixed(1)} s of audio)`, {
      hint: 'record the request again, closer to the microphone, or type it: aims ask "…"',
      details: {transcript: {text: '', engine: heard.engine}},
    })
  if (heard.unheard)
    throw new AimsError('usage', `ACHEEVY did not catch every word of ${file}: heard "${heard.text}"`, {
      hint: 'say it again, or type it: aims ask "…"',
      details: {transcript: {text: heard.text, engine: heard.engine}},
    })
  return {text: heard.text, engine: heard.engine, seconds: Math.round(heard.seconds * 100) / 100}
}
