/**
 * Runs a fake LLM server outside a test, e.g. to point a real `aims` at it by hand:
 *
 *   node test/support/fake-llm-server.ts --kind openai --script turns.json [--port 0]
 *        [--api-key KEY] [--record requests.jsonl] [--no-tools] [--no-response-format]
 *   → prints its base URL on the first line of stdout, then serves until SIGINT/SIGTERM.
 *   AIMS_AI_BASE_URL=<that url> aims ask "what's running?"
 *
 * --script is a JSON array of turns (see FakeTurn in fake-llm-common.ts), or an
 * object {"turns": [...], "apiKey": "...", "toolsSupported": false, ...}.
 * On exit it prints what the fake found unexpected to stderr and exits 1 if anything.
 *
 * Node runs this file directly (type stripping); a resolve hook maps the
 * sibling `./x.js` imports to their `.ts` sources, as the build would.
 */
import {appendFileSync, existsSync, readFileSync} from 'node:fs'
import {registerHooks} from 'node:module'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import type {FakeLlmServer, FakeTurn} from './fake-llm-common.js'

export interface FakeScriptFile {
  turns: FakeTurn[]
  apiKey?: string
  toolsSupported?: boolean
  responseFormatSupported?: boolean
  toolsRejection?: {status: number; message: string}
  textChunkChars?: number
}

export function parseFakeScript(text: string): FakeScriptFile {
  const parsed: unknown = JSON.parse(text)
  if (Array.isArray(parsed)) return {turns: parsed as FakeTurn[]}
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as {turns?: unknown}).turns))
    return parsed as FakeScriptFile
  throw new Error('a fake LLM script is a JSON array of turns or an object with a "turns" array')
}

function mapSiblingJsToTs(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
        const asJs = new URL(specifier, context.parentURL)
        const asTs = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL)
        if (!existsSync(fileURLToPath(asJs)) && existsSync(fileURLToPath(asTs))) return nextResolve(asTs.href, context)
      }
      return nextResolve(specifier, context)
    },
  })
}

async function main(): Promise<void> {
  const {values} = parseArgs({
    options: {
      kind: {type: 'string'},
      script: {type: 'string'},
      port: {type: 'string', default: '0'},
      'api-key': {type: 'string'},
      record: {type: 'string'},
      'no-tools': {type: 'boolean', default: false},
      'no-response-format': {type: 'boolean', default: false},
    },
  })
  if (values.kind !== 'openai' && values.kind !== 'anthropic') throw new Error('--kind openai|anthropic is required')
  const script: FakeScriptFile = values.script ? parseFakeScript(readFileSync(values.script, 'utf8')) : {turns: []}
  const record = values.record
  const options = {
    ...script,
    script: script.turns,
    port: Number(values.port),
    ...(values['api-key'] ? {apiKey: values['api-key']} : {}),
    ...(values['no-tools'] ? {toolsSupported: false} : {}),
    ...(values['no-response-format'] ? {responseFormatSupported: false} : {}),
    onRequest: record ? (request: unknown) => appendFileSync(record, `${JSON.stringify(request)}\n`) : undefined,
  }
  mapSiblingJsToTs()
  // Computed specifiers: resolved at run time through the hook above.
  const server: FakeLlmServer =
    values.kind === 'openai'
      ? await (await import(new URL('./fake-openai.ts', import.meta.url).href)).startFakeOpenAI(options)
      : await (await import(new URL('./fake-anthropic.ts', import.meta.url).href)).startFakeAnthropic(options)
  process.stdout.write(`${server.url}\n`)

  const stop = async () => {
    await server.close()
    for (const problem of server.unexpected) process.stderr.write(`unexpected: ${problem}\n`)
    process.exit(server.unexpected.length ? 1 : 0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake-llm-server: ${(error as Error).message}\n`)
    process.exit(2)
  })
}
