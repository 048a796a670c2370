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
  /**
   * Unterminated bytes per stream, to prepend to that stream's next frame.
   * Kept as bytes: Docker cuts frames where the process's writes ended, which
   * may be inside a multi-byte character.
   */
  partial: {stdout: Buffer; stderr: Buffer}
}

export type DemuxState = Pick<DemuxResult, 'rest' | 'partial'>

export const emptyDemuxState = (): DemuxState => ({
  rest: Buffer.alloc(0),
  partial: {stdout: Buffer.alloc(0), stderr: Buffer.alloc(0)},
})

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /

function toLine(stream: 'stdout' | 'stderr', bytes: Buffer, timestamps: boolean): LogLine {
  const text = bytes.toString('utf8').replace(/\r$/, '')
  if (timestamps) {
    const match = TIMESTAMP.exec(text)
    if (match) return {stream, text: text.slice(match[0].length), time: new Date(match[1] ?? '')}
  }
  return {stream, text}
}

export function demuxChunk(
  chunk: Buffer,
  state: DemuxState,
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
    // A newline byte never occurs inside a UTF-8 sequence, so lines split safely on bytes.
    let pending = Buffer.concat([partial[stream], buffer.subarray(8, 8 + size)])
    for (let newline = pending.indexOf(10); newline !== -1; newline = pending.indexOf(10)) {
      lines.push(toLine(stream, pending.subarray(0, newline), options.timestamps))
      pending = pending.subarray(newline + 1)
    }
    partial[stream] = Buffer.from(pending)
    buffer = buffer.subarray(8 + size)
  }
  if (options.flush) {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (partial[stream].length > 0) lines.push(toLine(stream, partial[stream], options.timestamps))
      partial[stream] = Buffer.alloc(0)
    }
  }
  return {lines, rest: Buffer.from(buffer), partial}
}

/** A whole multiplexed buffer (non-follow logs) to lines. Falls back to raw text for TTY containers. */
export function demuxAll(buffer: Buffer, timestamps: boolean): LogLine[] {
  const looksMultiplexed =
    buffer.length >= 8 && (buffer[0] === 1 || buffer[0] === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0
  if (!looksMultiplexed) {
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((line, index, all) => line !== '' || index < all.length - 1)
      .map((line) => toLine('stdout', Buffer.from(line), timestamps))
  }
  return demuxChunk(buffer, emptyDemuxState(), {timestamps, flush: true}).lines
}
