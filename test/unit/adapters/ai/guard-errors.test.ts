import {describe, expect, it} from 'vitest'
import {isLocalAddress, serverMessage, unreachableHint} from '../../../../src/adapters/ai/provider-errors.js'
import {RequestGuard, retryAfterMs} from '../../../../src/adapters/ai/request-guard.js'

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({'retry-after-ms': '250'}))).toBe(250)
    expect(retryAfterMs(new Headers({'retry-after': '3'}))).toBe(3000)
    expect(retryAfterMs(new Headers({'retry-after': '0.5'}))).toBe(500)
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(retryAfterMs(new Headers({'retry-after': 'Tue, 01 Jan 2030 00:00:07 GMT'}), now)).toBe(7000)
    expect(retryAfterMs(new Headers({'retry-after': 'soon'}))).toBeUndefined()
    expect(retryAfterMs(new Headers())).toBeUndefined()
  })
})

describe('RequestGuard', () => {
  const respond =
    (status: number, headers: Record<string, string> = {}, body = '{}') =>
    async () =>
      new Response(body, {status, headers})

  it('marks a 429 whose wait is longer than the budget as not worth retrying', async () => {
    const guard = new RequestGuard({
      timeoutMs: 1_000,
      maxRetryWaitMs: 10_000,
      baseFetch: respond(429, {'retry-after': '60'}),
    })
    const response = await guard.fetch('http://x')
    expect(response.headers.get('x-should-retry')).toBe('false')
    expect(guard.rateLimit).toEqual({retryAfterMs: 60_000, waitTooLong: true})
    guard.stop()
  })

  it('leaves a short 429 to the SDK retry and keeps the error body readable', async () => {
    const guard = new RequestGuard({
      timeoutMs: 1_000,
      maxRetryWaitMs: 10_000,
      baseFetch: respond(429, {'retry-after': '1'}, '{"error":"slow down"}'),
    })
    const response = await guard.fetch('http://x')
    expect(response.headers.get('x-should-retry')).toBeNull()
    expect(await response.text()).toBe('{"error":"slow down"}')
    expect(guard.lastErrorBody).toBe('{"error":"slow down"}')
    guard.stop()
  })

  it('lets the adapter mark permanent failures', async () => {
    const guard = new RequestGuard({
      timeoutMs: 1_000,
      maxRetryWaitMs: 10_000,
      isPermanentFailure: (status, body) => status === 500 && body.includes('--jinja'),
      baseFetch: respond(500, {}, 'tools param requires --jinja flag'),
    })
    expect((await guard.fetch('http://x')).headers.get('x-should-retry')).toBe('false')
    guard.stop()
  })

  it('aborts its signal when nothing happens for the timeout, and not while progress is reported', async () => {
    const guard = new RequestGuard({timeoutMs: 80, maxRetryWaitMs: 1_000, baseFetch: respond(200)})
    await guard.fetch('http://x')
    for (let tick = 0; tick < 4; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 40))
      guard.progress()
    }
    expect(guard.signal.aborted).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(guard.timedOut).toBe(true)
    expect(guard.signal.aborted).toBe(true)
    guard.stop()
  })

  it('passes the caller’s abort through without calling it a timeout', () => {
    const caller = new AbortController()
    const guard = new RequestGuard({timeoutMs: 1_000, maxRetryWaitMs: 1_000, callerSignal: caller.signal})
    caller.abort()
    expect(guard.signal.aborted).toBe(true)
    expect(guard.callerAborted).toBe(true)
    expect(guard.timedOut).toBe(false)
    guard.stop()
  })
})

describe('provider error helpers', () => {
  it('names the usual local servers by port', () => {
    expect(unreachableHint('http://127.0.0.1:11434/v1')).toBe(
      'is Ollama running at http://127.0.0.1:11434/v1? start it with `ollama serve`',
    )
    expect(unreachableHint('http://localhost:8000/v1')).toContain('is vLLM running at http://localhost:8000/v1?')
    expect(unreachableHint('http://192.168.1.20:8080/v1')).toContain('llama.cpp')
    expect(unreachableHint('http://127.0.0.1:9999/v1')).toBe(
      'is the model server running at http://127.0.0.1:9999/v1? (or fix ai.base-url / AIMS_AI_BASE_URL)',
    )
    expect(unreachableHint('https://api.openai.com/v1')).toContain('check the network connection')
  })

  it('knows local addresses', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', '10.0.0.5', '172.20.1.1', '192.168.0.9', 'gpu.local'])
      expect(isLocalAddress(host), host).toBe(true)
    for (const host of ['api.openai.com', '172.40.0.1', '8.8.8.8']) expect(isLocalAddress(host), host).toBe(false)
  })

  it('finds the human message in the error bodies of several servers', () => {
    expect(serverMessage('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toBe(
      'Overloaded',
    )
    expect(serverMessage('{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}')).toBe(
      'Incorrect API key',
    )
    expect(serverMessage('{"object":"error","message":"model not found","code":404}')).toBe('model not found')
    expect(serverMessage('{"detail":"Not Found"}')).toBe('Not Found')
    expect(serverMessage('{"error":"model \'x\' not found"}')).toBe("model 'x' not found")
    expect(serverMessage('404 page not found')).toBe('404 page not found')
    expect(serverMessage('')).toBeUndefined()
  })
})
