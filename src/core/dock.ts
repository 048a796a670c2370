/**
 * What the dock's live feed tells the dock: plain data, produced by
 * services/dock-feed.ts from the engine and the host, consumed by the dock's
 * reducer (ui/dock-state.ts). Env values never travel here: names only.
 */
import type {AimsEvent} from './events.js'
import type {InstanceHealth, InstanceView} from './instances.js'
import type {WardenSummary} from './warden/summary.js'

/** One instance as last read from the engine. */
export interface InstanceSnapshot {
  view: InstanceView
  /** When the entry container last started (ms since epoch); absent when it is not running. */
  startedAt?: number
}

export interface ServiceDetails {
  service: string
  replica: number
  container: string
  image: string
  state: string
  /** "127.0.0.1:51003→8080/tcp" */
  ports: string[]
  /** Environment variable names (values are never read into the dock). */
  envNames: string[]
  /** Which of those names hold secrets (from the aims.secret-keys label). */
  secretNames: string[]
  restartCount: number
}

export interface InstanceDetails {
  ref: string
  services: ServiceDetails[]
}

export interface ConnectionState {
  status: 'connecting' | 'live' | 'stale'
  /** Why it is stale (one line). */
  detail?: string
  /** Reconnection attempts since the connection was last live. */
  attempt?: number
  /** When the next attempt starts (ms since epoch). */
  retryAt?: number
}

export interface InstanceUsage {
  ref: string
  cpuPercent: number
  memoryBytes: number
  memoryLimitBytes: number
  networkRxBytes: number
  networkTxBytes: number
}

/** Everything the feed can report. */
export type FeedUpdate =
  | {type: 'synced'; snapshots: InstanceSnapshot[]; at: number}
  | {type: 'instance'; ref: string; snapshot?: InstanceSnapshot; at: number}
  | {type: 'stats'; usage: InstanceUsage[]; at: number}
  | {type: 'health'; ref: string; health: InstanceHealth; detail: string}
  | {type: 'events'; events: AimsEvent[]}
  /** `at`: when it changed (ms since epoch), so countdowns start from the right time. */
  | {type: 'connection'; connection: ConnectionState; at?: number}
  | {type: 'logs-reset'; ref: string}
  | {type: 'logs'; ref: string; lines: string[]}
  | {type: 'details'; details: InstanceDetails}
  /** The warden's heartbeat as last read from the host (polled). */
  | {type: 'warden'; warden: WardenSummary}
