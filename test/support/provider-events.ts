/** Helpers for tests that drive a ChatProvider: collect its events, or the error it ends with. */
import {inspect} from 'node:util'
import type {ProviderEvent, ToolCall} from '../../src/core/ai/types.js'

export interface Collected {
  events: ProviderEvent[]
  error?: unknown
}

/** Every event until the stream ends or throws (the error is kept, not rethrown). */
export async function collect(stream: AsyncIterable<ProviderEvent>): Promise<Collected> {
  const events: ProviderEvent[] = []
  try {
    for await (const event of stream) events.push(event)
    return {events}
  } catch (error) {
    return {events, error}
  }
}

export const textDeltas = (events: ProviderEvent[]) =>
  events.flatMap((event) => (event.type === 'text' ? [event.delta] : []))
export const toolCalls = (events: ProviderEvent[]): ToolCall[] =>
  events.flatMap((event) => (event.type === 'tool-call' ? [event.call] : []))
export const doneEvent = (events: ProviderEvent[]) =>
  events.find((event) => event.type === 'done') as Extract<ProviderEvent, {type: 'done'}> | undefined

/** Everything a user or a log could see of an error: message, hint, JSON, inspect (with causes). */
export function everythingShown(error: unknown): string {
  const record = error as {message?: string; hint?: string; toJSON?: () => unknown; line?: string}
  return [
    String(error),
    record.message,
    record.hint,
    record.line,
    record.toJSON ? JSON.stringify(record.toJSON()) : '',
    inspect(error, {depth: 8}),
  ].join('\n')
}
