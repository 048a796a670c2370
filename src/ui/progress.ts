/**
 * Progress on stderr: one updating line with a spinner on a TTY, plain
 * lines otherwise (logs, CI), nothing under --json.
 */
import type {Progress, ProgressEvent} from '../services/progress.js'
import {sanitizeField} from '../core/text/sanitize.js'
import {formatBytes} from '../core/names.js'
import type {Style} from './style.js'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export interface ProgressView {
  progress: Progress
  /** Clears the live line (before printing results or errors). */
  stop(): void
}

export function progressView(options: {
  json: boolean
  tty: boolean
  style: Style
  /** Where it goes: the command's stderr. */
  stream: {write(text: string): unknown; columns?: number}
}): ProgressView {
  const {stream} = options
  if (options.json) return {progress: () => undefined, stop: () => undefined}
  if (!options.tty) {
    let last = ''
    return {
      progress: (event: ProgressEvent) => {
        // Layer-by-layer pull progress is noise in a log: keep step changes only.
        if (event.step === 'pull' && event.total !== undefined) return
        const line = `${event.step}: ${sanitizeField(event.message)}`
        if (line !== last) stream.write(`${line}\n`)
        last = line
      },
      stop: () => undefined,
    }
  }
  let frame = 0
  let current = ''
  let timer: NodeJS.Timeout | undefined
  const draw = () => {
    const columns = stream.columns || 80
    const text = `${options.style.cyan(FRAMES[frame % FRAMES.length]!)} ${current}`
    stream.write(`\r\u001B[2K${text.slice(0, columns + 20)}`)
    frame++
  }
  return {
    progress: (event: ProgressEvent) => {
      const amount = event.total ? ` ${formatBytes(event.current ?? 0)}/${formatBytes(event.total)}` : ''
      current = `${sanitizeField(event.message)}${amount}`
      if (!timer) {
        timer = setInterval(draw, 80)
        timer.unref()
      }
      draw()
    },
    stop: () => {
      if (timer) clearInterval(timer)
      timer = undefined
      stream.write('\r\u001B[2K')
    },
  }
}
