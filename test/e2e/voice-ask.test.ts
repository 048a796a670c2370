/**
 * `aims ask --audio FILE` through the real binary: a request spoken by
 * espeak-ng, decoded by the real offline recognizer (pocketsphinx), read by
 * the parser; the JSON carries the transcript. Bad files are refused with
 * exit 2 and a hint; nothing runs.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {aims, tempHome} from '../support/aims.js'

const dir = tempHome('aims-voice-ask-')
const home = tempHome()
const say = (name: string, text: string, sox: string[] = ['-r', '16000', '-c', '1', '-b', '16']) => {
  const raw = join(dir, `${name}.raw.wav`)
  const out = join(dir, `${name}.wav`)
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, text])
  execFileSync('sox', [raw, ...sox, out])
  return out
}

describe('aims ask --audio', () => {
  let request: string
  let stereo: string
  beforeAll(() => {
    request = say('doctor', 'run a doctor check')
    // What a laptop microphone app writes: 44.1 kHz stereo; aims converts it.
    stereo = say('doctor-stereo', 'run a doctor check', ['-r', '44100', '-c', '2', '-b', '16'])
  })

  it('turns a spoken request into the command, with its transcript', async () => {
    const result = await aims(['ask', '--audio', request, '--dry-run', '--json'], {home})
    expect(result.code, result.stderr).toBe(0)
    expect(result.json()).toMatchObject({
      argv: ['doctor'],
      mutates: false,
      status: 'proposed',
      transcript: {text: 'run a doctor check', engine: 'pocketsphinx (commands only)'},
    })
  })

  it('takes other rates and stereo, and says what it heard on a terminal-less stderr', async () => {
    const result = await aims(['ask', '--audio', stereo, '--dry-run'], {home})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('aims doctor')
    expect(result.stderr).toContain('heard: "run a doctor check" (pocketsphinx (commands only))')
  })

  it('refuses what is no spoken request, with exit 2 and how to make one', {timeout: 60_000}, async () => {
    const silence = join(dir, 'silence.wav')
    execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', silence, 'trim', '0', '1.5'])
    const text = join(dir, 'notes.wav')
    writeFileSync(text, 'not audio at all\n')
    // Silence is never a command: nothing heard, or words the two decodes do not agree on, or no command.
    const quiet = await aims(['ask', '--audio', silence, '--dry-run', '--json'], {home})
    expect(quiet.code).toBe(2)
    expect(quiet.json()).toMatchObject({error: {kind: 'usage'}})
    expect(quiet.json().argv).toBeUndefined()
    const cases: Array<[string[], RegExp]> = [
      [
        ['ask', '--audio', text, '--dry-run'],
        /cannot be read as a spoken request: it is not a WAV file.*sox input\.mp3/,
      ],
      [['ask', '--audio', join(dir, 'missing.wav'), '--dry-run'], /no audio file .*missing\.wav/],
      [['ask', 'list everything', '--audio', request], /as TEXT or as --audio FILE, not both/],
    ]
    for (const [args, message] of cases) {
      const result = await aims(args, {home})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})
