/**
 * One guard per model request, shared by the Anthropic and OpenAI adapters.
 *
 * Why not just the SDKs' `timeout`: both SDKs arm it only until the response
 * headers arrive (a stream that stalls after them hangs forever), and both retry
 * a timed-out request, so a 60 s timeout could cost three minutes before the user
 * hears anything. The guard is an inactivity watchdog instead: armed while an
 * HTTP attempt is in flight, re-armed by every stream event, paused while the SDK
 * sleeps before a retry. When it fires it aborts the request through the
 * request's `signal`, which the SDKs treat as a user abort (no retry), and the
 * adapter reports a timeout. Time the consumer spends holding an event does
 * not count (`holdForConsumer`).
 *
 * Retries stay the SDKs' own (429, 408, 409, 5xx and connection errors, with
 * exponential backoff; Retry-After and retry-after-ms honoured). The guard's
 * custom `fetch` only shapes that policy where it would hurt an interactive user:
 * a Retry-After longer than `maxRetryWaitMs` fails at once with the wait in the
 * error (instead of a silent multi-minute sleep), and `isPermanentFailure` can
 * mark an error response as not worth retrying (a server refusing `tools` with
 * a 500) — both through the SDKs' `x-should-retry: false` header.
 */

export interface RequestGuardOptions {
  /** Inactivity budget: no response headers or stream event for this long fails the request. */
  timeoutMs: number
  /** Longest Retry-After the SDK may sleep through before retrying. */
  maxRetryWaitMs: number
  callerSignal?: AbortSignal | undefined
  isPermanentFailure?: ((status: number, body: string) => boolean) | undefined
  /** The fetch that goes to the network (tests never need to replace it: they use fake servers). */
  baseFetch?: typeof fetch | undefined
}

export interface RateLimitFacts {
  /** What the server asked for, in ms; undefined when it did not say. */
  retryAfterMs?: number | undefined
  /** True when aims stopped retrying because the wait was longer than its budget. */
  waitTooLong: boolean
}

/** Reads `retry-after-ms` (non-standard, sent by OpenAI) or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '')
  if (Number.isFinite(ms) && ms >= 0) return ms
  const value = headers.get('retry-after')
  if (!value) return undefined
  const seconds = Number.parseFloat(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export class RequestGuard {
  readonly signal: AbortSignal
  readonly timeoutMs: number
  private readonly options: RequestGuardOptions
  private readonly watchdog = new AbortController()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  /** The watchdog fired: the request made no progress for `timeoutMs`. */
  timedOut = false
  /** HTTP attempts made (1 + retries). */
  attempts = 0
  /** Facts about the last 429 seen, if any. */
  rateLimit: RateLimitFacts | undefined
  /** The body of the last error response (already read; the SDK gets a copy). */
  lastErrorBody: string | undefined

  constructor(options: RequestGuardOptions) {
    this.options = options
    this.timeoutMs = options.timeoutMs
    this.signal = options.callerSignal
      ? AbortSignal.any([options.callerSignal, this.watchdog.signal])
      : this.watchdog.signal
  }

  get callerAborted(): boolean {
    return this.options.callerSignal?.aborted === true
  }

  /** Pass as the SDK client's `fetch`. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    this.attempts++
    this.arm()
    const baseFetch = this.options.baseFetch ?? globalThis.fetch
    let response: Response
    try {
      response = await baseFetch(input, init)
    } catch (error) {
      this.pause()
      throw error
    }
    if (response.ok) return response // stays armed until the first stream event
    try {
      return await this.shapeFailure(response)
    } finally {
      this.pause()
    }
  }

  /** Call on every stream event: the request is alive. */
  progress(): void {
    this.arm()
  }

  /**
   * Call before handing events to the consumer, and `progress()` when it asks for
   * more: time the consumer spends with an event (the agent asking the user to
   * confirm a tool call, say) is not the server being silent.
   */
  holdForConsumer(): void {
    this.pause()
  }

  /** Call when the request is over (success, failure or abandoned). */
  stop(): void {
    this.stopped = true
    this.pause()
  }

  private arm(): void {
    if (this.stopped) return
    this.pause()
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.watchdog.abort(new DOMException(`no progress for ${this.timeoutMs} ms`, 'TimeoutError'))
    }, this.timeoutMs)
  }

  private pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private async shapeFailure(response: Response): Promise<Response> {
    const body = await response.text().catch(() => '')
    this.lastErrorBody = body
    const headers = new Headers(response.headers)
    let retryable = true
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers)
      const waitTooLong = wait !== undefined && wait > this.options.maxRetryWaitMs
      this.rateLimit = {retryAfterMs: wait, waitTooLong}
      if (waitTooLong) retryable = false
    }
    if (this.options.isPermanentFailure?.(response.status, body)) retryable = false
    if (!retryable) headers.set('x-should-retry', 'false')
    return new Response(body, {status: response.status, statusText: response.statusText, headers})
  }
}
