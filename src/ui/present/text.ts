/** Text helpers for terminal output: width without ANSI codes, truncation, durations. */
import {stripAnsi} from '../../core/text/sanitize.js'

/** Display width, counting wide (CJK, emoji) characters as two columns. */
export function visibleWidth(text: string): number {
  let width = 0
  for (const char of stripAnsi(text)) {
    const code = char.codePointAt(0) ?? 0
    if (
      code < 32 ||
      (code >= 0x7f && code < 0xa0) ||
      (code >= 0x300 && code <= 0x36f) ||
      code === 0x200d ||
      (code >= 0xfe00 && code <= 0xfe0f)
    )
      continue
    width +=
      code >= 0x1100 &&
      (code <= 0x115f ||
        (code >= 0x2e80 && code <= 0xa4cf) ||
        (code >= 0xac00 && code <= 0xd7a3) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xfe30 && code <= 0xfe4f) ||
        (code >= 0xff00 && code <= 0xff60) ||
        (code >= 0xffe0 && code <= 0xffe6) ||
        (code >= 0x1f300 && code <= 0x1faff) ||
        (code >= 0x20000 && code <= 0x3fffd))
        ? 2
        : 1
  }
  return width
}

export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text
  let out = ''
  for (const char of stripAnsi(text)) {
    if (visibleWidth(out + char) > width - 1) break
    out += char
  }
  return `${out}…`
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`
  return `${Math.floor(hours / 24)}d`
}
