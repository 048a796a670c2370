/** Events as lines for people: time, source, instance, what happened. Pure. */
import {sanitizeUntrusted} from '../../core/text/sanitize.js'
import type {AimsEvent} from '../../core/events.js'
import type {Style} from '../style.js'

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** HH:MM:SS today, MM-DD HH:MM:SS otherwise (local time, as a terminal user reads it). */
export function formatEventTime(time: Date, now: Date): string {
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`
  const sameDay =
    time.getFullYear() === now.getFullYear() && time.getMonth() === now.getMonth() && time.getDate() === now.getDate()
  return sameDay ? clock : `${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${clock}`
}

export function eventInstance(event: AimsEvent): string {
  return event.tenant && event.instance ? `${event.tenant}/${event.instance}` : '-'
}

/** What happened, one line, with text from the host or engine made safe to print. */
export function eventText(event: AimsEvent): string {
  const what = event.source === 'aims' ? `${event.action}: ${event.message}` : event.message
  return sanitizeUntrusted(what).replace(/\s+/g, ' ').trim()
}

export function eventLine(
  event: AimsEvent,
  now: Date,
  style: Style,
  widths: {instance: number} = {instance: 20},
): string {
  const source = event.source === 'aims' ? style.cyan('aims  ') : style.dim('engine')
  const instance = eventInstance(event).padEnd(widths.instance)
  const text = eventText(event)
  const coloured = /failed|rolled-back|unhealthy|exited|out of memory/.test(text)
    ? style.red(text)
    : /ready|healthy|restarted|started/.test(text)
      ? style.green(text)
      : text
  return `${formatEventTime(event.time, now)}  ${source}  ${instance}  ${coloured}`
}
