import {expect} from 'vitest'
import type {AimsResult} from './aims.js'

/**
 * A failure as users must see it: the exit code, and exactly one line on
 * stderr that names the cause and, after " — ", the fix.
 */
export function expectOneLineError(
  result: AimsResult,
  options: {exit: number; cause: RegExp; fix: RegExp; withinMs?: number},
): string {
  const context = `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`
  expect(result.code, context).toBe(options.exit)
  const lines = result.stderr.replace(/\n$/, '').split('\n')
  expect(lines, context).toHaveLength(1)
  const line = lines[0] ?? ''
  expect(line, context).toMatch(/^Error: /)
  const [cause, fix] = line.slice('Error: '.length).split(' — ')
  expect(cause, context).toMatch(options.cause)
  expect(fix, context).toMatch(options.fix)
  if (options.withinMs !== undefined) expect(result.ms, context).toBeLessThan(options.withinMs)
  return line
}

/** A call that throws an AimsError of this kind, its message matching. */
export function expectAimsError(call: () => unknown, options: {kind: string; message?: RegExp}): void {
  let thrown: unknown
  try {
    call()
  } catch (error) {
    thrown = error
  }
  expect(thrown, 'expected an AimsError').toBeDefined()
  expect((thrown as {kind?: string}).kind).toBe(options.kind)
  if (options.message) expect((thrown as Error).message).toMatch(options.message)
}
