/**
 * Every periodic task the warden runs, in the one place features register theirs
 * (docs/warden.md, "Adding a task"). A task is `{name, every(policy), run(deps, now)}`; the loop
 * (loop.ts) runs each when due and records its last run and error in the heartbeat.
 */
import type {WardenTask} from './loop.js'
import {heartbeat} from './heartbeat.js'
import {healthSweep} from './sweep.js'

export const WARDEN_TASKS: readonly WardenTask[] = [
  {name: 'health', every: (policy) => policy.interval * 1000, run: healthSweep},
  // After the sweep in the same tick, so the heartbeat carries the sweep just made.
  {name: 'heartbeat', every: (policy) => Math.min(policy.interval, 30) * 1000, run: heartbeat},
]
