import {describe, expect, it} from 'vitest'
import {
  DEFAULT_POLICY,
  intervalFor,
  parsePolicy,
  policyRows,
  probeDue,
  setPolicyKey,
  shortestInterval,
} from '../../../../src/core/warden/policy.js'
import {WARDEN_TASKS} from '../../../../src/services/warden/tasks.js'

describe('per-plug and per-instance intervals (interval-for)', () => {
  const policy = setPolicyKey(
    setPolicyKey({...DEFAULT_POLICY, interval: 30}, 'interval-for', 'fixture-web=10'),
    'interval-for',
    'acme/shop=120',
  )

  it('sets one name at a time, merged; - drops it; bad input names the key', () => {
    expect(policy.intervals).toEqual({'fixture-web': 10, 'acme/shop': 120})
    expect(setPolicyKey(policy, 'interval-for', 'fixture-web=-').intervals).toEqual({'acme/shop': 120})
    for (const bad of ['fixture-web', 'fixture-web=0', 'fixture-web=4000', 'Acme/x=5', 'a/b/c=5', '=5'])
      expect(() => setPolicyKey(policy, 'interval-for', bad), bad).toThrow(/for interval-for/)
  })

  it('the instance wins over its plug, the plug over the policy', () => {
    expect(intervalFor(policy, 'acme/shop', 'fixture-web')).toBe(120)
    expect(intervalFor(policy, 'acme/web', 'fixture-web')).toBe(10)
    expect(intervalFor(policy, 'acme/db', 'postgres')).toBe(30)
  })

  it('the health task runs at the shortest interval; each instance is probed when its own is due', () => {
    expect(shortestInterval(policy)).toBe(10)
    expect(shortestInterval(DEFAULT_POLICY)).toBe(30)
    const health = WARDEN_TASKS.find((task) => task.name === 'health')!
    expect(health.every(policy)).toBe(10_000)
    // Sweeps every 10 s over 2 minutes: the web instance each time, the shop at 0 and 120 s, the db every 30 s.
    const probed: Record<string, number> = {}
    const last = new Map<string, number>()
    for (let now = 0; now <= 120_000; now += 10_000)
      for (const [ref, plug] of [
        ['acme/web', 'fixture-web'],
        ['acme/shop', 'fixture-web'],
        ['acme/db', 'postgres'],
      ] as const)
        if (probeDue(policy, ref, plug, last.get(ref), now)) {
          last.set(ref, now)
          probed[ref] = (probed[ref] ?? 0) + 1
        }
    expect(probed).toEqual({'acme/web': 13, 'acme/shop': 2, 'acme/db': 5})
  })

  it('round-trips through the policy file and shows as NAME=SECONDS rows', () => {
    const stored = JSON.parse(JSON.stringify(policy)) as unknown
    expect(parsePolicy(stored).intervals).toEqual(policy.intervals)
    expect(parsePolicy({intervals: {'fixture-web': 5, 'BAD NAME': 5, x: 'abc'}}).intervals).toEqual({
      'fixture-web': 5,
    })
    expect(policyRows(policy).find((row) => row.key === 'interval-for')?.value).toBe('fixture-web=10,acme/shop=120')
    expect(policyRows(DEFAULT_POLICY).find((row) => row.key === 'interval-for')?.value).toBe('-')
    expect(policyRows(DEFAULT_POLICY).find((row) => row.key === 'alert-on')?.value).toBe('-')
  })
})
