import {describe, expect, it} from 'vitest'
import {alertPayload, checkChannelTarget, redactTarget, withinThrottle} from '../../../../src/core/warden/alerts.js'
import {DEFAULT_POLICY, parsePolicy, policyRows, setPolicyKey} from '../../../../src/core/warden/policy.js'

describe('warden policy', () => {
  it('sets one key at a time, refusing bad keys and values with the fix', () => {
    expect(setPolicyKey(DEFAULT_POLICY, 'restart', 'no').restart).toBe('no')
    expect(setPolicyKey(DEFAULT_POLICY, 'interval', '5').interval).toBe(5)
    expect(setPolicyKey(DEFAULT_POLICY, 'tenants', 'acme,beta').tenants).toEqual(['acme', 'beta'])
    expect(setPolicyKey({...DEFAULT_POLICY, tenants: ['a']}, 'tenants', '*').tenants).toEqual([])
    expect(() => setPolicyKey(DEFAULT_POLICY, 'restrat', 'no')).toThrow(/unknown warden policy key/)
    expect(() => setPolicyKey(DEFAULT_POLICY, 'interval', '0')).toThrow(/invalid value "0" for interval/)
    expect(() => setPolicyKey(DEFAULT_POLICY, 'restart', 'maybe')).toThrow(
      expect.objectContaining({hint: 'restart takes yes, ask or no'}),
    )
    expect(() => setPolicyKey(DEFAULT_POLICY, 'tenants', 'Bad Name')).toThrow(/invalid value/)
  })

  it('reads a file over the defaults, ignoring what is wrong in it', () => {
    expect(parsePolicy({interval: 7, restart: 'bogus', tenants: ['wd']})).toEqual({
      ...DEFAULT_POLICY,
      interval: 7,
      tenants: ['wd'],
    })
    expect(parsePolicy(undefined)).toEqual(DEFAULT_POLICY)
    expect(policyRows(DEFAULT_POLICY).find((row) => row.key === 'tenants')?.value).toBe('*')
  })
})

describe('alert channels', () => {
  it('checks targets by kind', () => {
    expect(checkChannelTarget('webhook', 'https://hooks.example.com/x')).toBe('webhook')
    expect(checkChannelTarget('n8n', 'acme/n8n/aims')).toBe('n8n')
    expect(checkChannelTarget('email', 'smtp://u:p@mail.example.com:587?to=ops@example.com')).toBe('email')
    expect(() => checkChannelTarget('pager', 'x')).toThrow(/unknown alert channel kind/)
    expect(() => checkChannelTarget('webhook', 'ftp://x')).toThrow(/invalid webhook URL/)
    expect(() => checkChannelTarget('email', 'smtp://mail.example.com')).toThrow(/invalid SMTP URL/)
    expect(() => checkChannelTarget('n8n', 'Acme/n8n')).toThrow(/invalid n8n target/)
  })

  it('masks passwords, query values and token-like path segments', () => {
    expect(redactTarget('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGH1234ijklMNOP')).toBe(
      'https://hooks.slack.com/services/***/***/***',
    )
    expect(redactTarget('http://127.0.0.1:9/hook?token=s3cret')).toBe('http://127.0.0.1:9/hook?token=***')
    expect(redactTarget('smtp://ops:hunter2@mail.example.com:587?to=ops@example.com')).toBe(
      'smtp://ops:***@mail.example.com:587?to=ops@example.com',
    )
    expect(redactTarget('https://ntfy.sh/aims-alerts')).toBe('https://ntfy.sh/aims-alerts')
    expect(redactTarget('acme/n8n/aims')).toBe('acme/n8n/aims')
  })

  it('builds the documented payload and throttles per hour', () => {
    const payload = alertPayload(
      {kind: 'down', ref: 'acme/web', detail: 'HTTP 500', incident: 'i1'},
      'vps',
      new Date('2026-01-01T00:00:00Z'),
    )
    expect(payload).toEqual({
      v: 1,
      event: 'down',
      severity: 'critical',
      host: 'vps',
      instance: 'acme/web',
      incident: 'i1',
      message: 'acme/web on vps: is down: HTTP 500',
      time: '2026-01-01T00:00:00.000Z',
    })
    let sent: number[] = []
    let allowed = 0
    for (let minute = 0; minute < 30; minute++) {
      const result = withinThrottle(sent, minute * 60_000, 5)
      sent = result.kept
      if (result.allowed) allowed++
    }
    expect(allowed).toBe(5)
    expect(withinThrottle(sent, 3_700_000, 5).allowed).toBe(true)
  })
})
