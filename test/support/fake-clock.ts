/** A clock for unit tests: time moves only when code sleeps (instantly), so polling loops run in microseconds. */
import type {Clock} from '../../src/services/ports.js'

export const T0 = Date.parse('2026-03-01T10:00:00.000Z')

export class FakeClock implements Clock {
  readonly sleeps: number[] = []
  private time: number

  /** A loop that sleeps more often than this is stuck: fail instead of hanging the suite. */
  constructor(
    start = T0,
    private readonly maxSleeps = 5000,
  ) {
    this.time = start
  }

  now(): Date {
    return new Date(this.time)
  }

  async sleep(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`FakeClock: sleep(${ms}) is not a duration`)
    this.sleeps.push(ms)
    if (this.sleeps.length > this.maxSleeps)
      throw new Error(`FakeClock: more than ${this.maxSleeps} sleeps; a polling loop does not end`)
    this.time += ms
  }

  advance(ms: number): void {
    this.time += ms
  }

  /** Total virtual time spent sleeping. */
  get slept(): number {
    return this.sleeps.reduce((sum, ms) => sum + ms, 0)
  }
}
