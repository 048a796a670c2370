/**
 * WAV files for the recognizers: read a RIFF/WAVE file's format, and turn
 * any PCM (8/16/24/32-bit integer or 32-bit float, any rate, mono or
 * several channels) into what speech engines take: 16 kHz mono 16-bit PCM.
 * Pure: bytes in, bytes out.
 */

export interface WavFormat {
  /** 1 PCM, 3 IEEE float, 0xfffe extensible (its sub-format decides). */
  format: number
  channels: number
  sampleRate: number
  bitsPerSample: number
  /** Where the samples start and how many bytes they take. */
  dataOffset: number
  dataLength: number
}

export class WavError extends Error {}

export const SPEECH_RATE = 16_000

export function readWavFormat(bytes: Uint8Array): WavFormat {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4))
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE')
    throw new WavError('it is not a WAV file (no RIFF/WAVE header)')
  let offset = 12
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataLength'> | undefined
  while (offset + 8 <= bytes.length) {
    const id = tag(offset)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavError('its format chunk is too short')
      let format = view.getUint16(body, true)
      if (format === 0xfffe && size >= 26 && body + 26 <= bytes.length) format = view.getUint16(body + 24, true)
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      }
    } else if (id === 'data') {
      if (!fmt) throw new WavError('its data comes before its format')
      // A streaming writer leaves the size 0 or 0xffffffff: the data runs to the end of the file.
      const length = size === 0 || body + size > bytes.length ? bytes.length - body : size
      return {...fmt, dataOffset: body, dataLength: length}
    }
    offset = body + size + (size % 2)
  }
  throw new WavError(fmt ? 'it has no audio data' : 'it has no format chunk')
}

function checkSupported(format: WavFormat): void {
  const pcm = format.format === 1 && [8, 16, 24, 32].includes(format.bitsPerSample)
  const float = format.format === 3 && format.bitsPerSample === 32
  if (!pcm && !float)
    throw new WavError(`its encoding is not PCM (format ${format.format}, ${format.bitsPerSample}-bit)`)
  if (format.channels < 1 || format.channels > 8) throw new WavError(`it has ${format.channels} channels`)
  if (format.sampleRate < 8000 || format.sampleRate > 192_000)
    throw new WavError(`its sample rate is ${format.sampleRate} Hz`)
}

/** Whether a file is already what the engines take (then it is passed on as it is). */
export const isSpeechWav = (format: WavFormat) =>
  format.format === 1 && format.channels === 1 && format.sampleRate === SPEECH_RATE && format.bitsPerSample === 16

/** 16 kHz mono 16-bit PCM samples of any supported WAV (channels averaged, linear resampling). */
export function speechSamples(bytes: Uint8Array, format: WavFormat = readWavFormat(bytes)): Int16Array {
  checkSupported(format)
  const view = new DataView(bytes.buffer, bytes.byteOffset + format.dataOffset, format.dataLength)
  const width = format.bitsPerSample / 8
  const frames = Math.floor(format.dataLength / (width * format.channels))
  const sample = (index: number): number => {
    const at = index * width
    if (format.format === 3) return view.getFloat32(at, true)
    switch (format.bitsPerSample) {
      case 8:
        return (view.getUint8(at) - 128) / 128
      case 16:
        return view.getInt16(at, true) / 32768
      case 24:
        return (view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608
      default:
        return view.getInt32(at, true) / 2147483648
    }
  }
  const mono = new Float32Array(frames)
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0
    for (let channel = 0; channel < format.channels; channel++) sum += sample(frame * format.channels + channel)
    mono[frame] = sum / format.channels
  }
  const ratio = format.sampleRate / SPEECH_RATE
  const length = Math.floor(frames / ratio)
  const out = new Int16Array(length)
  for (let index = 0; index < length; index++) {
    const position = index * ratio
    const left = Math.floor(position)
    const right = Math.min(left + 1, frames - 1)
    const value = mono[left]! + (mono[right]! - mono[left]!) * (position - left)
    out[index] = Math.max(-32768, Math.min(32767, Math.round(value * 32767)))
  }
  return out
}

/** A WAV file of 16 kHz mono 16-bit samples. */
export function speechWav(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2)
  const view = new DataView(bytes.buffer)
  const text = (offset: number, value: string) =>
    [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)))
  text(0, 'RIFF')
  view.setUint32(4, 36 + samples.length * 2, true)
  text(8, 'WAVE')
  text(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, SPEECH_RATE, true)
  view.setUint32(28, SPEECH_RATE * 2, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  text(36, 'data')
  view.setUint32(40, samples.length * 2, true)
  samples.forEach((value, index) => view.setInt16(44 + index * 2, value, true))
  return bytes
}

/** Seconds of audio in a WAV. */
export const wavSeconds = (format: WavFormat) =>
  format.dataLength / ((format.bitsPerSample / 8) * format.channels * format.sampleRate)
