/**
 * Turns what the SDKs throw into AimsErrors a user can act on, the same way for
 * every provider. Both SDKs come from the same generator, so their errors share
 * a shape (`status`, `error` body, class names): this reads that shape instead
 * of importing either SDK.
 *
 * Nothing from the request goes into a message, and everything from the server
 * is passed through secret masking: some APIs echo the key they rejected.
 */
import {AimsError, shown} from '../../core/errors.js'
import {redactSecrets} from '../../core/ai/redact.js'
import type {ProviderName} from '../../core/ai/types.js'
import type {RequestGuard} from './request-guard.js'

export interface ProviderErrorContext {
  provider: ProviderName
  /** "the Anthropic API", "the OpenAI-compatible server at http://…/v1" */
  label: string
  baseUrl: string
  model: string
  /** Env var holding the key (for hints); undefined for a keyless local server. */
  apiKeyEnv?: string | undefined
  /** Values to mask from any text shown (the API key). */
  secrets: string[]
  guard: RequestGuard
}

/** Local servers people run themselves, by their usual port, with how to start them. */
const knownLocalServers: Record<string, {name: string; start?: string}> = {
  '11434': {name: 'Ollama', start: 'start it with `ollama serve`'},
  '8000': {name: 'vLLM', start: 'start it with `vllm serve MODEL`'},
  '8080': {name: 'the llama.cpp server', start: 'start it with `llama-server -m MODEL.gguf --jinja`'},
  '1234': {name: 'LM Studio', start: 'start its local server'},
}

export function isLocalAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host === '::1' ||
    host === '0.0.0.0' ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    host === 'host.docker.internal'
  )
}

/** "is Ollama running at http://127.0.0.1:11434/v1? start it with `ollama serve`" */
export function unreachableHint(baseUrl: string): string {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return 'check ai.base-url'
  }
  if (!isLocalAddress(url.hostname))
    return `check the network connection and any proxy, or ai.base-url / AIMS_AI_BASE_URL (now ${baseUrl})`
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const known = knownLocalServers[port]
  return known
    ? `is ${known.name} running at ${baseUrl}? ${known.start ?? ''}`.trim()
    : `is the model server running at ${baseUrl}? (or fix ai.base-url / AIMS_AI_BASE_URL)`
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const code = (current as {code?: unknown}).code
    if (typeof code === 'string') codes.push(code)
    const errors = (current as {errors?: unknown}).errors // AggregateError (IPv4 + IPv6 attempts)
    if (Array.isArray(errors)) codes.push(...errors.flatMap((inner) => errorCodes(inner)))
    current = (current as {cause?: unknown}).cause
  }
  return codes
}

/** The human part of an API error body: Anthropic, OpenAI, vLLM, FastAPI and plain-text shapes. */
export function serverMessage(body: unknown): string | undefined {
  let value = body
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return undefined
    try {
      value = JSON.parse(text)
    } catch {
      return text
    }
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const nested = record.error
  if (typeof nested === 'string') return nested
  if (nested && typeof nested === 'object') {
    const inner = serverMessage(nested)
    if (inner) return inner
  }
  for (const key of ['message', 'detail', 'msg']) {
    const candidate = record[key]
    if (typeof candidate === 'string' && candidate.trim()) return candidate
    if (candidate !== undefined && key === 'detail') return JSON.stringify(candidate)
  }
  return undefined
}

function serverErrorType(body: unknown): string | undefined {
  let value = body
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (!value || typeof value !== 'object') return undefined
  const nested = (value as {error?: unknown}).error
  const source = (nested && typeof nested === 'object' ? nested : value) as {type?: unknown; code?: unknown}
  return [source.code, source.type].find((candidate): candidate is string => typeof candidate === 'string')
}

const formatDuration = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`)

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

function providerEnvHint(context: ProviderErrorContext): string {
  return context.provider === 'openai-compatible' ? 'AIMS_AI_API_KEY' : (context.apiKeyEnv ?? 'the API key variable')
}

export function providerFailure(error: unknown, context: ProviderErrorContext): Error {
  const {guard, label} = context
  const clean = (text: string) => clip(redactSecrets(text, context.secrets).replace(/\s+/g, ' ').trim())

  if (guard.timedOut) {
    return new AimsError(
      'connection',
      `no response from ${label} for ${formatDuration(guard.timeoutMs)} (model ${context.model})`,
      {
        hint:
          `try again; if the model is slow to start (a local model loading), raise the limit with aims config ` +
          `set ai.timeout SECONDS or AIMS_AI_TIMEOUT`,
        details: {provider: context.provider, timeoutMs: guard.timeoutMs},
      },
    )
  }
  if (guard.callerAborted) {
    // The caller asked for it: give back its own reason, untouched.
    return guard.signal.reason instanceof Error
      ? guard.signal.reason
      : new DOMException('the request was aborted', 'AbortError')
  }
  if (error instanceof AimsError) return error

  const err = error as {
    status?: unknown
    error?: unknown
    message?: unknown
    name?: unknown
    constructor?: {name?: string}
  }
  const className = err?.constructor?.name ?? ''
  const status = typeof err?.status === 'number' ? err.status : undefined
  // lastErrorBody belongs to the last failed HTTP response; an error event inside a stream carries its own body.
  const body = status !== undefined ? (guard.lastErrorBody ?? err?.error) : err?.error
  const fromServer = serverMessage(body)
  const said = fromServer ? `: ${clean(fromServer)}` : ''
  const details = {provider: context.provider, ...(status !== undefined ? {status} : {}), attempts: guard.attempts}

  if (status === 401 || status === 403) {
    const keyName = providerEnvHint(context)
    const hint =
      context.apiKeyEnv === undefined
        ? `the server wants an API key: aims login openai-compatible ${context.baseUrl} (or export ${keyName}=…)`
        : status === 403
          ? `check ${context.apiKeyEnv}: the key may lack access to model ${shown(context.model)} or this API`
          : `check ${context.apiKeyEnv}: the key is wrong, revoked or for another provider`
    return new AimsError('auth', `${label} rejected the key (HTTP ${status})`, {hint, details})
  }

  if (status === 429) {
    const type = serverErrorType(body)
    if (type === 'insufficient_quota') {
      return new AimsError('quota', `${label} says the account has no credit left (HTTP 429 insufficient_quota)`, {
        hint: 'add credit or check billing for that account, or use another provider (aims config set ai.provider …)',
        details,
      })
    }
    const wait = guard.rateLimit?.retryAfterMs
    const waitText = wait === undefined ? undefined : `${Math.max(1, Math.ceil(wait / 1000))} s`
    const message = guard.rateLimit?.waitTooLong
      ? `${label} is rate limiting requests and asks to wait ${waitText} (HTTP 429)`
      : `${label} is still rate limiting requests after ${guard.attempts} ` +
        `attempt${guard.attempts === 1 ? '' : 's'} (HTTP 429)`
    return new AimsError('quota', message, {
      hint: waitText ? `try again in ${waitText}` : "wait a minute and try again; check the account's rate limits",
      details: {...details, ...(wait !== undefined ? {retryAfterMs: wait} : {})},
    })
  }

  if (status === 404) {
    const aboutModel = /model/i.test(fromServer ?? '')
    return new AimsError(
      'not-found',
      aboutModel
        ? `${label} has no model ${shown(context.model)}${said}`
        : `${label} answered 404 for the chat endpoint${said}`,
      {
        hint: aboutModel
          ? `choose another with aims config set ai.model NAME or ` +
            `AIMS_AI_MODEL${context.provider === 'openai-compatible' ? ' (for Ollama: ollama pull NAME)' : ''}`
          : `check ai.base-url / AIMS_AI_BASE_URL (now ${context.baseUrl}); OpenAI-compatible servers usually ` +
            `serve under /v1`,
        details,
      },
    )
  }

  if (status !== undefined && status >= 400 && status < 500) {
    const tooLong = /context|too long|too many tokens|maximum.*tokens|prompt is too long/i.test(fromServer ?? '')
    return new AimsError('internal', `${label} refused the request (HTTP ${status})${said}`, {
      hint: tooLong
        ? 'the conversation is too long for the model: start a new chat or ask for less output'
        : 'this is probably a bug in aims: please report it with this message',
      details,
    })
  }

  if (status !== undefined) {
    return new AimsError(
      'connection',
      `${label} failed (HTTP ${status}${guard.attempts > 1 ? `, ${guard.attempts} attempts` : ''})${said}`,
      {hint: 'the service is having trouble: try again in a moment', details},
    )
  }

  if (className === 'APIConnectionTimeoutError') {
    return new AimsError('connection', `no response from ${label} in time (model ${context.model})`, {
      hint: 'try again, or raise ai.timeout / AIMS_AI_TIMEOUT',
      details,
    })
  }

  if (className === 'APIConnectionError') {
    const codes = errorCodes(error)
    const code = codes.find((candidate) => /^E[A-Z]+$/.test(candidate)) ?? codes[0]
    const what =
      code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'unknown host'
          : code
            ? code
            : 'connection failed'
    return new AimsError('connection', `cannot reach ${label} (${what})`, {
      hint: unreachableHint(context.baseUrl),
      details: {...details, ...(code ? {code} : {})},
    })
  }

  if (className === 'APIError' || className.endsWith('APIError')) {
    // An `event: error` in the middle of a stream (overloaded, server error).
    const type = serverErrorType(body)
    return new AimsError('connection', `${label} reported an error while answering${type ? ` (${type})` : ''}${said}`, {
      hint: 'try again in a moment',
      details,
    })
  }

  const message = typeof err?.message === 'string' ? err.message : String(error)
  const codes = errorCodes(error)
  if (
    message === 'terminated' ||
    codes.some((code) =>
      /^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_BODY_TIMEOUT|ERR_STREAM_PREMATURE_CLOSE)$/.test(code),
    )
  ) {
    // undici's way of saying the connection broke while the body was streaming.
    return new AimsError('connection', `the connection to ${label} broke while it was answering`, {
      hint: 'try again',
      details: {...details, ...(codes[0] ? {code: codes[0]} : {})},
    })
  }
  return new AimsError('internal', `unexpected failure talking to ${label}: ${clean(message)}`, {
    hint: 'try again; report it if it persists',
    details,
  })
}
