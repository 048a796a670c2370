import {describe, expect, it} from 'vitest'
import {demuxAll, demuxChunk, emptyDemuxState} from '../../../src/adapters/docker-stream.js'

/** One frame of Docker's multiplexed stream: [stream, 0, 0, 0, size BE] + payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

const empty = emptyDemuxState

describe('docker stream demux', () => {
  it('splits frames into lines per stream', () => {
    const buffer = Buffer.concat([frame(1, 'hello\nworld\n'), frame(2, 'oops\n')])
    expect(demuxAll(buffer, false)).toEqual([
      {stream: 'stdout', text: 'hello'},
      {stream: 'stdout', text: 'world'},
      {stream: 'stderr', text: 'oops'},
    ])
  })

  it('keeps frames cut anywhere (even inside the header) for the next chunk', () => {
    const whole = Buffer.concat([frame(1, 'first line\nsecond '), frame(2, 'err\n'), frame(1, 'half\n')])
    for (let cut = 1; cut < whole.length; cut++) {
      let state = empty()
      const lines = []
      for (const chunk of [whole.subarray(0, cut), whole.subarray(cut)]) {
        const result = demuxChunk(chunk, state, {timestamps: false})
        lines.push(...result.lines)
        state = {rest: result.rest, partial: result.partial}
      }
      expect(lines, `cut at ${cut}`).toEqual([
        {stream: 'stdout', text: 'first line'},
        {stream: 'stderr', text: 'err'},
        {stream: 'stdout', text: 'second half'},
      ])
      expect(state.rest.length).toBe(0)
    }
  })

  it('joins a line split over frames per stream, not across streams', () => {
    const buffer = Buffer.concat([frame(1, 'out-'), frame(2, 'err-'), frame(1, 'tail\n'), frame(2, 'tail\n')])
    expect(demuxAll(buffer, false)).toEqual([
      {stream: 'stdout', text: 'out-tail'},
      {stream: 'stderr', text: 'err-tail'},
    ])
  })

  it('flushes unterminated text at the end', () => {
    expect(demuxAll(frame(1, 'no newline'), false)).toEqual([{stream: 'stdout', text: 'no newline'}])
    const result = demuxChunk(frame(1, 'pending'), empty(), {timestamps: false})
    expect(result.lines).toEqual([])
    expect(result.partial.stdout.toString()).toBe('pending')
  })

  it('reads timestamps when asked and strips CR', () => {
    const lines = demuxAll(frame(1, '2024-05-01T10:00:00.123456789Z started\r\nno-stamp\n'), true)
    expect(lines[0]).toEqual({stream: 'stdout', text: 'started', time: new Date('2024-05-01T10:00:00.123456789Z')})
    expect(lines[1]).toEqual({stream: 'stdout', text: 'no-stamp'})
  })

  it('treats non-multiplexed output (TTY containers) as raw text', () => {
    expect(demuxAll(Buffer.from('raw one\nraw two\n'), false)).toEqual([
      {stream: 'stdout', text: 'raw one'},
      {stream: 'stdout', text: 'raw two'},
    ])
    expect(demuxAll(Buffer.alloc(0), false)).toEqual([])
  })

  it('keeps multi-byte characters cut between frames', () => {
    const bytes = Buffer.from('✓ done\n', 'utf8')
    // Docker cuts frames on bytes; a character may straddle two frames.
    const a = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 2]), bytes.subarray(0, 2)])
    const b = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, bytes.length - 2]), bytes.subarray(2)])
    const text = demuxAll(Buffer.concat([a, b]), false).map((line) => line.text)
    expect(text).toEqual(['✓ done'])
  })
})
