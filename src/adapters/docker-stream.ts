/**
 * Docker's multiplexed stream format (logs and exec without a TTY): frames of
 * an 8-byte header [stream, 0, 0, 0, size (uint32 BE)] followed by `size`
 * bytes. Pure helpers, unit tested.
 */
import type {LogLine} from '../core/engine-types.js'

export interface DemuxResult {
  lines: LogLine[]
  /** Bytes of an incomplete frame, to prepend to the next chunk. */
  rest: Buffer
  /** Partial (unterminated) text per stream, to prepend to that stream's next frame. */
  partial: {stdout: string; stderr: string}
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /

function toLine(stream: 'stdout' | 'stderr', text: string, timestamps: boolean): LogLine {
  if (timestamps) {
    const match = TIMESTAMP.exec(text)
    if (match) return {stream, text: text.slice(match[0].length), time: new Date(match[1] ?? '')}
  }
  return {stream, text}
}

export function demuxChunk(
  chunk: Buffer,
  state: {rest: Buffer; partial: {stdout: string; stderr: string}},
  options: {timestamps: boolean; flush?: boolean},
): DemuxResult {
  let buffer = state.rest.length > 0 ? Buffer.concat([state.rest, chunk]) : chunk
  const partial = {...state.partial}
  const lines: LogLine[] = []
  while (buffer.length >= 8) {
    const kind = buffer[0]
    const size = buffer.readUInt32BE(4)
    if (buffer.length < 8 + size) break
    const stream = kind === 2 ? 'stderr' : 'stdout'
    const text = partial[stream] + buffer.subarray(8, 8 + size).toString('utf8')
    const parts = text.split('\n')
    partial[stream] = parts.pop() ?? ''
    for (const part of parts) lines.push(toLine(stream, part.replace(/\r$/, ''), options.timestamps))
    buffer = buffer.subarray(8 + size)
  }
  if (options.flush) {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (partial[stream] !== '') lines.push(toLine(stream, partial[stream], options.timestamps))
      partial[stream] = ''
    }
  }
  return {lines, rest: Buffer.from(buffer), partial}
}

/** A whole multiplexed buffer (non-follow logs) to lines. Falls back to raw text for TTY containers. */
export function demuxAll(buffer: Buffer, timestamps: boolean): LogLine[] {
  const looksMultiplexed = buffer.length >= 8 && (buffer[0] === 1 || buffer[0] === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0
  if (!looksMultiplexed) {
    return buffer.toString('utf8').split('\n').filter((line, index, all) => line !== '' || index < all.length - 1).map((line) => toLine('stdout', line.replace(/\r$/, ''), timestamps))
  }
  return demuxChunk(buffer, {rest: Buffer.alloc(0), partial: {stdout: '', stderr: ''}}, {timestamps, flush: true}).lines
}
