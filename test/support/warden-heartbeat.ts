/** A heartbeat as the warden writes it (heartbeatOf's shape, checked by the type). */
import type {Heartbeat} from '../../src/services/warden/store.js'

export function heartbeatAt(at: number, overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    version: '0.9.0',
    build: 'b1',
    pid: 7,
    startedAt: new Date(at - 3_600_000).toISOString(),
    at: new Date(at).toISOString(),
    lastSweepAt: new Date(at - 12_000).toISOString(),
    sweepMs: 40,
    intervalSeconds: 30,
    instances: 3,
    probesPerMinute: 6,
    cpuPercent: 0.2,
    rssBytes: 60 * 1024 * 1024,
    queuedAlerts: 0,
    tasks: {health: {runs: 120, lastRunAt: new Date(at - 12_000).toISOString()}},
    states: {
      'acme/app-001': {state: 'healthy', since: new Date(at - 600_000).toISOString()},
      'acme/app-002': {
        state: 'healing',
        since: new Date(at - 20_000).toISOString(),
        lastAction: {step: 'restart', outcome: 'applied', at: '2025-01-31T11:59:50.000Z', detail: 'exit 137'},
      },
      'acme/app-003': {
        state: 'gave-up',
        since: new Date(at - 60_000).toISOString(),
        lastAction: {step: 'stop', outcome: 'applied', at: '2025-01-31T11:59:00.000Z', detail: 'crash loop'},
      },
      'globex/shop': {state: 'degraded', since: new Date(at - 5000).toISOString()},
    },
    ...overrides,
  }
}
