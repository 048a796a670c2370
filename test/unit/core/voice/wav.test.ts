import {describe, expect, it} from 'vitest'
import {
  isSpeechWav,
  readWavFormat,
  speechSamples,
  speechWav,
  WavError,
  wavSeconds,
} from '../../../../src/core/voice/wav.js'

/** A WAV as a recorder or sox writes it: RIFF, a `fmt ` chunk (optionally a LIST chunk first), `data`. */
function wav(options: {
  rate: number
  channels: number
  bits: 16 | 32
  float?: boolean
  frames: Float32Array[]
  list?: boolean
}) {
  const width = options.bits / 8
  const data = new DataView(new ArrayBuffer(options.frames[0]!.length * options.channels * width))
  options.frames[0]!.forEach((_, frame) => {
    for (let channel = 0; channel < options.channels; channel++) {
      const value = options.frames[channel]![frame]!
      const at = (frame * options.channels + channel) * width
      if (options.float) data.setFloat32(at, value, true)
      else if (options.bits === 16) data.setInt16(at, Math.round(value * 32767), true)
      else data.setInt32(at, Math.round(value * 2147483647), true)
    }
  })
  const list = options.list ? 12 : 0
  const out = new DataView(new ArrayBuffer(44 + list + data.byteLength))
  const text = (at: number, value: string) => [...value].forEach((c, i) => out.setUint8(at + i, c.charCodeAt(0)))
  text(0, 'RIFF')
  out.setUint32(4, 36 + list + data.byteLength, true)
  text(8, 'WAVE')
  let at = 12
  if (options.list) {
    text(at, 'LIST')
    out.setUint32(at + 4, 4, true)
    text(at + 8, 'INFO')
    at += 12
  }
  text(at, 'fmt ')
  out.setUint32(at + 4, 16, true)
  out.setUint16(at + 8, options.float ? 3 : 1, true)
  out.setUint16(at + 10, options.channels, true)
  out.setUint32(at + 12, options.rate, true)
  out.setUint32(at + 16, options.rate * options.channels * width, true)
  out.setUint16(at + 20, options.channels * width, true)
  out.setUint16(at + 22, options.bits, true)
  text(at + 24, 'data')
  out.setUint32(at + 28, data.byteLength, true)
  new Uint8Array(out.buffer).set(new Uint8Array(data.buffer), at + 32)
  return new Uint8Array(out.buffer)
}

const tone = (rate: number, seconds: number, hz = 440, gain = 0.5) =>
  Float32Array.from({length: Math.round(rate * seconds)}, (_, i) => gain * Math.sin((2 * Math.PI * hz * i) / rate))

describe('WAV files for the recognizers', () => {
  it('passes 16 kHz mono 16-bit PCM on as it is', () => {
    const file = wav({rate: 16000, channels: 1, bits: 16, frames: [tone(16000, 0.5)]})
    const format = readWavFormat(file)
    expect(format).toMatchObject({format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16, dataOffset: 44})
    expect(isSpeechWav(format)).toBe(true)
    expect(wavSeconds(format)).toBeCloseTo(0.5, 3)
  })

  it('makes 44.1 kHz stereo float into 16 kHz mono, channels averaged, the tone kept', () => {
    const left = tone(44100, 1, 440, 0.6)
    const right = tone(44100, 1, 440, 0.2)
    const file = wav({rate: 44100, channels: 2, bits: 32, float: true, frames: [left, right], list: true})
    const format = readWavFormat(file)
    expect(isSpeechWav(format)).toBe(false)
    const samples = speechSamples(file, format)
    expect(samples.length).toBe(16000)
    // The average of 0.6 and 0.2 is a 0.4 sine: its peak is 0.4 of full scale.
    const peak = Math.max(...samples) / 32767
    expect(peak).toBeGreaterThan(0.39)
    expect(peak).toBeLessThan(0.41)
    // Zero crossings of a 440 Hz tone over one second: ~880.
    let crossings = 0
    for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++
    expect(crossings).toBeGreaterThan(870)
    expect(crossings).toBeLessThan(890)
    const out = speechWav(samples)
    expect(isSpeechWav(readWavFormat(out))).toBe(true)
    expect(wavSeconds(readWavFormat(out))).toBeCloseTo(1, 3)
  })

  it('reads a streamed WAV whose data size was never filled in', () => {
    const file = wav({rate: 16000, channels: 1, bits: 16, frames: [tone(16000, 0.25)]})
    new DataView(file.buffer).setUint32(40, 0xffffffff, true)
    expect(readWavFormat(file).dataLength).toBe(8000)
  })

  it('refuses what is not a PCM WAV, saying why', () => {
    expect(() => readWavFormat(new TextEncoder().encode('root:x:0:0:root:/root:/bin/bash\n'))).toThrow(
      new WavError('it is not a WAV file (no RIFF/WAVE header)'),
    )
    const mp3ish = wav({rate: 16000, channels: 1, bits: 16, frames: [tone(16000, 0.1)]})
    new DataView(mp3ish.buffer).setUint16(20, 85, true) // MPEG layer 3 in a WAV wrapper
    expect(() => speechSamples(mp3ish)).toThrow(/not PCM \(format 85, 16-bit\)/)
    const truncated = wav({rate: 16000, channels: 1, bits: 16, frames: [tone(16000, 0.1)]}).subarray(0, 30)
    expect(() => readWavFormat(truncated)).toThrow(WavError)
  })
})
