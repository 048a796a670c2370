/**
 * A spoken request to text: `aims ask --audio FILE` (and the chat's
 * push-to-talk). Reads the WAV, makes it 16 kHz mono 16-bit PCM when it is
 * not, and hands it to the configured speech-to-text engine with the
 * vocabulary of the moment (catalog ids, live instance, tenant and host
 * names) so that "n8n" and "uptime kuma" come out right.
 */
import {AimsError} from '../core/errors.js'
import type {GrammarNames} from '../core/voice/grammar.js'
import {isSpeechWav, readWavFormat, speechSamples, speechWav, WavError, wavSeconds} from '../core/voice/wav.js'

export interface SpeechTranscript {
  text: string
  /** Which engine heard it ("pocketsphinx (commands only)", "openai gpt-4o-mini-transcribe", …). */
  engine: string
  /** A word was heard that the engine could not tell: ask rather than guess. */
  unheard: boolean
}

export interface SpeechRecognizer {
  readonly name: string
  /** `wav` is 16 kHz mono 16-bit PCM. */
  transcribe(wav: Uint8Array, vocabulary: GrammarNames, signal?: AbortSignal): Promise<SpeechTranscript>
}

export interface VoiceDeps {
  readFile(path: string): Promise<Uint8Array>
  fileSize(path: string): Promise<number | undefined>
  recognizer(): Promise<SpeechRecognizer>
}

/** A request longer than this is not a command (and would only take long to decode). */
export const MAX_REQUEST_SECONDS = 60
const MAX_BYTES = 64 * 1024 * 1024
const RECORD_HINT = 'record 16 kHz mono PCM, e.g. sox input.mp3 -r 16000 -c 1 -b 16 request.wav'

export async function transcribeFile(
  deps: VoiceDeps,
  path: string,
  vocabulary: GrammarNames,
): Promise<SpeechTranscript & {seconds: number}> {
  const size = await deps.fileSize(path)
  if (size === undefined) throw new AimsError('usage', `no audio file ${path}`, {hint: 'pass the path of a WAV file'})
  if (size > MAX_BYTES)
    throw new AimsError('usage', `${path} is ${Math.round(size / 1048576)} MiB: too long for a spoken request`, {
      hint: `a request is at most ${MAX_REQUEST_SECONDS} s`,
    })
  const bytes = await deps.readFile(path)
  let wav: Uint8Array
  let seconds: number
  try {
    const format = readWavFormat(bytes)
    seconds = wavSeconds(format)
    if (seconds > MAX_REQUEST_SECONDS)
      throw new WavError(`it is ${Math.round(seconds)} s long (a request is at most ${MAX_REQUEST_SECONDS} s)`)
    wav = isSpeechWav(format) ? bytes : speechWav(speechSamples(bytes, format))
  } catch (error) {
    if (!(error instanceof WavError)) throw error
    throw new AimsError('usage', `${path} cannot be read as a spoken request: ${error.message}`, {hint: RECORD_HINT})
  }
  const recognizer = await deps.recognizer()
  const heard = await recognizer.transcribe(wav, vocabulary)
  return {...heard, seconds}
}
