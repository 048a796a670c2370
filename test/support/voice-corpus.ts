/**
 * The frozen spoken requests (test/fixtures/voice/requests.yaml) as WAV files:
 * espeak-ng speaks each `say` in two voices at two speeds, sox makes it
 * 16 kHz mono 16-bit PCM (what a recorder writes). Cached per text+voice+speed.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {parse} from 'yaml'

export interface SpokenRequest {
  id: string
  say: string
  argv?: string[]
  ask?: true
}

export interface VoiceLive {
  default_tenant: string
  tenants: string[]
  hosts: string[]
  catalog: string[]
  instances: Array<{tenant: string; name: string; plug: string}>
  sites: string[]
  sandboxes: string[]
  clusters: Array<{name: string; nodes: string[]}>
}

export function spokenRequests(root: string): {live: VoiceLive; items: SpokenRequest[]} {
  const file = parse(readFileSync(join(root, 'test/fixtures/voice/requests.yaml'), 'utf8')) as {
    live: VoiceLive
    items: SpokenRequest[]
  }
  return file
}

export const VOICES = [
  {voice: 'en-us', speed: 150},
  {voice: 'en-us', speed: 185},
  {voice: 'en-us+m3', speed: 150},
  {voice: 'en-us+m3', speed: 185},
] as const

/** A 16 kHz mono WAV of the text, spoken by espeak-ng (cached under dir). */
export function speak(dir: string, text: string, voice: string, speed: number): string {
  mkdirSync(dir, {recursive: true})
  const key = createHash('sha256').update(`${voice}|${speed}|${text}`).digest('hex').slice(0, 16)
  const out = join(dir, `${key}.wav`)
  if (existsSync(out)) return out
  const raw = join(dir, `${key}.raw.wav`)
  execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-w', raw, text])
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out])
  return out
}
