/**
 * Needs analysis before a deploy proposed in chat: the short list of
 * questions worth asking — the plug's required settings, its optional ones
 * that carry a question, the tenant, the domain and the size — minus
 * everything already answered: by the tool call itself, by KEY=VALUE the user
 * typed earlier in the conversation, or by an answer given to an earlier
 * intake in this session. Pure: the agent asks, this module decides and checks.
 */
import {AimsError, shown, usageError} from '../errors.js'
import type {Plug} from '../catalog/schema.js'
import {checkDomain, checkResourceName, formatBytes, parseCpus, parseMemorySize} from '../names.js'
import {checkEnvValue} from '../plan/env.js'

export type IntakeKind = 'env' | 'tenant' | 'domain' | 'size'

export interface IntakeQuestion {
  /** 'env:KEY', 'tenant', 'domain', 'size' */
  id: string
  kind: IntakeKind
  key?: string
  text: string
  required: boolean
  secret: boolean
  /** What an empty answer means (shown in the question). */
  fallback?: string
}

/** The deploy as the tool call has it (normalized plug_up arguments). */
export interface IntakeRequest {
  plug: string
  name?: string
  tenant?: string
  env: Array<[string, string]>
  domain?: string
  cpus?: string
  memory?: string
}

/** Earlier answers, keyed by question id (env ones by `PLUG:env:KEY`); kept in memory for the session. */
export type IntakeMemory = Map<string, string>

export interface IntakePlan {
  questions: IntakeQuestion[]
  /** Values taken from the conversation or earlier answers, to add to the request. */
  filled: Partial<Record<string, string>>
  /** Question ids not asked, with why. */
  skipped: Array<{id: string; why: 'given' | 'conversation' | 'answered' | 'generated' | 'default'}>
}

const memoryKey = (plug: string, id: string) =>
  id.startsWith('env:') ? `${plug}:${id}` : id === 'tenant' ? 'tenant' : `${plug}:${id}`

/** KEY=VALUE pairs the user typed in the conversation (last one wins), for the keys a plug declares. */
export function envFromConversation(texts: readonly string[], keys: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {}
  const wanted = new Set(keys)
  for (const text of texts) {
    for (const match of text.matchAll(/(?:^|[\s,;])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s,;]+)/g)) {
      const key = match[1]!
      if (!wanted.has(key)) continue
      const raw = match[2]!
      found[key] = /^["']/.test(raw) ? raw.slice(1, -1) : raw
    }
  }
  return found
}

export function planIntake(
  plug: Plug,
  request: IntakeRequest,
  context: {conversation: readonly string[]; memory: IntakeMemory; defaultTenant: string; hostDomain?: string},
): IntakePlan {
  const questions: IntakeQuestion[] = []
  const filled: IntakePlan['filled'] = {}
  const skipped: IntakePlan['skipped'] = []
  const given = new Set(request.env.map(([key]) => key))
  const fromConversation = envFromConversation(context.conversation, Object.keys(plug.env))

  for (const [key, spec] of Object.entries(plug.env)) {
    const id = `env:${key}`
    const secret = spec.secret || Boolean(spec.generate)
    const remembered = context.memory.get(memoryKey(plug.id, id))
    if (given.has(key)) skipped.push({id, why: 'given'})
    else if (fromConversation[key] !== undefined) {
      filled[id] = fromConversation[key]
      skipped.push({id, why: 'conversation'})
    } else if (remembered !== undefined) {
      filled[id] = remembered
      skipped.push({id, why: 'answered'})
    } else if (spec.generate) skipped.push({id, why: 'generated'})
    else if (spec.required && spec.default === undefined) {
      questions.push({
        id,
        kind: 'env',
        key,
        text: spec.question ?? `${key} (${spec.description})`,
        required: true,
        secret,
      })
    } else if (spec.question) {
      questions.push({
        id,
        kind: 'env',
        key,
        text: spec.question,
        required: false,
        secret,
        ...(spec.default !== undefined
          ? {fallback: secret ? 'keep the default' : `"${spec.default}"`}
          : {fallback: 'leave it unset'}),
      })
    } else skipped.push({id, why: 'default'})
  }

  const rememberedTenant = context.memory.get('tenant')
  if (request.tenant) skipped.push({id: 'tenant', why: 'given'})
  else if (rememberedTenant) {
    filled.tenant = rememberedTenant
    skipped.push({id: 'tenant', why: 'answered'})
  } else
    questions.push({
      id: 'tenant',
      kind: 'tenant',
      text: 'Which tenant is it for?',
      required: false,
      secret: false,
      fallback: context.defaultTenant,
    })

  const tenant = request.tenant ?? filled.tenant ?? context.defaultTenant
  const instance = request.name ?? plug.id
  const rememberedDomain = context.memory.get(memoryKey(plug.id, 'domain'))
  if (request.domain) skipped.push({id: 'domain', why: 'given'})
  else if (rememberedDomain !== undefined) {
    if (rememberedDomain !== '') filled.domain = rememberedDomain
    skipped.push({id: 'domain', why: 'answered'})
  } else {
    const automatic = context.hostDomain ? `${instance}.${tenant}.${context.hostDomain}` : undefined
    questions.push({
      id: 'domain',
      kind: 'domain',
      text: 'Which domain should it answer on?',
      required: false,
      secret: false,
      fallback: automatic ?? "none: reachable on the host's 127.0.0.1 port",
    })
  }

  const rememberedSize = context.memory.get(memoryKey(plug.id, 'size'))
  if (request.cpus || request.memory) skipped.push({id: 'size', why: 'given'})
  else if (rememberedSize !== undefined) {
    if (rememberedSize !== '') filled.size = rememberedSize
    skipped.push({id: 'size', why: 'answered'})
  } else {
    const entry = Object.values(plug.services).find((service) => service.entry) ?? Object.values(plug.services)[0]
    const defaults = entry?.resources
      ? `${entry.resources.cpus ?? '?'} CPU, ` +
        `${entry.resources.memory ? formatBytes(parseMemorySize(String(entry.resources.memory))) : '? memory'}`
      : "the plug's defaults"
    questions.push({
      id: 'size',
      kind: 'size',
      text: `How big? A memory limit such as 256m or 1g, and/or CPUs such as "0.5 cpu" (size ${plug.size})`,
      required: false,
      secret: false,
      fallback: defaults,
    })
  }
  return {questions, filled, skipped}
}

/** Reads "512m", "1g", "0.5 cpu", "2 cpus 1g" into the plug up flags. */
export function parseSizeAnswer(answer: string): {cpus?: string; memory?: string} {
  const result: {cpus?: string; memory?: string} = {}
  const words = answer.toLowerCase().replace(/,/g, ' ').split(/\s+/).filter(Boolean)
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!
    const next = words[index + 1]
    const cpuWord = /^(?:v?cpus?|cores?)$/
    const inline = /^(\d+(?:\.\d+)?)(?:v?cpus?|cores?)$/.exec(word)
    if (inline) {
      result.cpus = String(parseCpus(inline[1]!))
    } else if (/^\d+(?:\.\d+)?$/.test(word) && next && cpuWord.test(next)) {
      result.cpus = String(parseCpus(word))
      index++
    } else if (/^\d+(?:\.\d+)?\s*[kmgt]i?b?$/.test(word)) {
      parseMemorySize(word)
      result.memory = word
    } else if (/^\d+(?:\.\d+)?$/.test(word) && next && /^(?:[kmg]i?b?|gigs?|megs?)$/.test(next)) {
      const memory = `${word}${next[0]}`
      parseMemorySize(memory)
      result.memory = memory
      index++
    } else if (!['and', 'with', 'of', 'memory', 'ram', 'mem'].includes(word)) {
      throw usageError(
        `I could not read ${shown(word, 30)} as a size`,
        'answer like 256m, 1g, "0.5 cpu" or "2 cpus 1g"',
      )
    }
  }
  return result
}

/** Checks one answer; returns the value to use ('' when the fallback applies). Throws a usage error to re-ask. */
export function checkIntakeAnswer(question: IntakeQuestion, answer: string, plug: Plug): string {
  const value = question.secret ? answer : answer.trim()
  if (value === '') {
    if (question.required) throw usageError(`${question.key ?? question.id} is required`, 'give a value')
    return ''
  }
  switch (question.kind) {
    case 'env': {
      const spec = plug.env[question.key!]
      checkEnvValue(question.key!, value)
      if (spec?.pattern && !new RegExp(spec.pattern).test(value))
        throw usageError(
          `${question.key} ${question.secret ? '(secret)' : shown(value)} does not match ${spec.pattern}`,
          spec.example ? `e.g. ${spec.example}` : spec.description,
        )
      return value
    }
    case 'tenant':
      return checkResourceName('tenant', value.toLowerCase())
    case 'domain':
      if (/^(?:none|no|-)$/i.test(value)) return ''
      return checkDomain(
        value
          .replace(/^https?:\/\//, '')
          .replace(/\/$/, '')
          .toLowerCase(),
      )
    case 'size':
      parseSizeAnswer(value)
      return value
  }
}

export function rememberAnswer(memory: IntakeMemory, plug: string, question: IntakeQuestion, value: string): void {
  memory.set(memoryKey(plug, question.id), value)
}

export function isIntakeError(error: unknown): error is AimsError {
  return error instanceof AimsError && (error.kind === 'usage' || error.kind === 'validation')
}
