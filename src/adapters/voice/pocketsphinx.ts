/**
 * The offline command recognizer: Debian's pocketsphinx (0.8,
 * `pocketsphinx_continuous`) decoding a WAV against a grammar built from
 * aims' command words and the names of the moment, with a dictionary made
 * for that grammar (CMU dictionary entries, espeak-ng's letter-to-sound
 * rules for the rest). Commands only: it hears what the grammar holds.
 */
import {execFile} from 'node:child_process'
import {access, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {AimsError} from '../../core/errors.js'
import type {SpeechRecognizer} from '../../services/voice.js'
import {espeakToArpabet} from '../../core/voice/phonemes.js'
import {buildGrammar, dictionaryLines, type GrammarNames} from '../../core/voice/grammar.js'
import {
  fromDecoderToken,
  heardWords,
  parseDecoderOutput,
  sameRequest,
  UNHEARD,
  type DecodedWord,
} from '../../core/voice/decoder-output.js'

export interface PocketsphinxPaths {
  decoder: string
  hmm: string
  dictionary: string
  espeak: string
}

export const DEFAULT_POCKETSPHINX: PocketsphinxPaths = {
  decoder: 'pocketsphinx_continuous',
  hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
  dictionary: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
  espeak: 'espeak-ng',
}

export interface Transcript {
  /** What was heard; a word the grammar does not hold is written as UNHEARD. */
  text: string
  words: DecodedWord[]
  /** Some word was no word of the grammar: ask for it rather than guess. */
  unheard: boolean
  engine: string
}

const INSTALL_HINT = 'install it with: sudo apt-get install pocketsphinx pocketsphinx-en-us espeak-ng'

function run(file: string, args: string[], options: {input?: string; timeoutMs?: number} = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {timeout: options.timeoutMs ?? 30_000, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8'},
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    )
    child.on('error', () => {}) // the callback gets it
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** Pronunciations of the CMU dictionary for just these words (one pass over the file). */
async function cmuPronunciations(path: string, words: Set<string>): Promise<Map<string, string[][]>> {
  const found = new Map<string, string[][]>()
  const text = await readFile(path, 'utf8')
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ')
    if (space < 1) continue
    const word = line.slice(0, space).replace(/\(\d+\)$/, '')
    if (!words.has(word)) continue
    const list = found.get(word) ?? []
    list.push(
      line
        .slice(space + 1)
        .trim()
        .split(/\s+/),
    )
    found.set(word, list)
  }
  return found
}

/** espeak-ng's letter-to-sound guess for each word, one clause per word. */
async function soundOut(espeak: string, words: string[]): Promise<Map<string, string[]>> {
  const sounds = new Map<string, string[]>()
  if (words.length === 0) return sounds
  const out = await run(espeak, ['-q', '-x', '-v', 'en-us', '--stdin'], {input: words.map((w) => `${w}.\n`).join('')})
  const lines = out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  words.forEach((word, index) => sounds.set(word, espeakToArpabet(lines[index] ?? '')))
  return sounds
}

export async function checkPocketsphinx(paths: PocketsphinxPaths = DEFAULT_POCKETSPHINX): Promise<string | undefined> {
  try {
    await Promise.all([access(paths.hmm), access(paths.dictionary)])
  } catch {
    return `pocketsphinx's en-us model is missing (${paths.hmm}): ${INSTALL_HINT}`
  }
  for (const tool of [paths.decoder, paths.espeak])
    try {
      await run('sh', ['-c', 'command -v "$1"', 'sh', tool], {timeoutMs: 5000})
    } catch {
      return `${tool} is not installed: ${INSTALL_HINT}`
    }
  return undefined
}

/** The offline recognizer as the voice service sees it. */
export function pocketsphinxRecognizer(paths: PocketsphinxPaths = DEFAULT_POCKETSPHINX): SpeechRecognizer {
  return {
    name: 'pocketsphinx',
    async transcribe(wav, vocabulary) {
      const dir = await mkdtemp(join(tmpdir(), 'aims-voice-'))
      try {
        const file = join(dir, 'request.wav')
        await writeFile(file, wav)
        const heard = await recognizeCommand(file, vocabulary, paths)
        return {text: heard.text, engine: heard.engine, unheard: heard.unheard}
      } finally {
        await rm(dir, {recursive: true, force: true})
      }
    },
  }
}

/** Decode a 16 kHz mono 16-bit WAV file against the names of the moment. */
export async function recognizeCommand(
  wavPath: string,
  names: GrammarNames,
  paths: PocketsphinxPaths = DEFAULT_POCKETSPHINX,
): Promise<Transcript> {
  const missing = await checkPocketsphinx(paths)
  if (missing) throw new AimsError('dependency', `the offline recognizer cannot run: ${missing}`)
  // Which words the dictionary has decides how names are read, so look them all up first.
  const candidates = new Set<string>()
  const probe = buildGrammar(names, () => false)
  for (const readings of probe.tokens.values())
    for (const reading of readings) for (const w of reading) candidates.add(w)
  for (const w of probe.soundOut) candidates.add(w)
  const cmu = await cmuPronunciations(paths.dictionary, candidates)
  const grammar = buildGrammar(names, (word) => cmu.has(word))
  const sounds = await soundOut(paths.espeak, grammar.soundOut)
  const lines = dictionaryLines(grammar, (word) =>
    word === "'s" ? [['Z']] : (cmu.get(word) ?? [sounds.get(word) ?? []]),
  )
  const dir = await mkdtemp(join(tmpdir(), 'aims-voice-'))
  try {
    await writeFile(join(dir, 'aims.gram'), grammar.jsgf)
    await writeFile(join(dir, 'aims.dict'), `${lines.join('\n')}\n`)
    const base = ['-infile', wavPath, '-jsgf', join(dir, 'aims.gram'), '-dict', join(dir, 'aims.dict')]
    const common = ['-hmm', paths.hmm, '-time', 'yes', '-logfn', '/dev/null']
    // Two decodes of the same audio, pocketsphinx's default beams and wide ones: where they disagree on
    // the words that matter, the audio did not decide between two sentences of the grammar — ask, never guess.
    const [out, second] = await Promise.all([
      run(paths.decoder, [...base, ...common]),
      run(paths.decoder, [...base, ...common, '-beam', '1e-80', '-wbeam', '1e-60', '-pbeam', '1e-80']),
    ])
    const agreed = sameRequest(parseDecoderOutput(out), parseDecoderOutput(second))
    const words = heardWords(parseDecoderOutput(out).map((word) => ({...word, word: fromDecoderToken(word.word)})))
    return {
      text: words.map((word) => word.word).join(' '),
      words,
      unheard: !agreed || words.some((word) => word.word === UNHEARD),
      engine: 'pocketsphinx (commands only)',
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
