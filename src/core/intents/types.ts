/**
 * The offline intent parser's contract: text and what aims knows about the
 * catalog and the host in, an aims command line (or one question, or an
 * honest "I did not understand") out.
 */

export interface IntentCatalogItem {
  id: string
  name: string
  tags: string[]
  category: string
  description?: string
}

export interface IntentInstance {
  tenant: string
  instance: string
  plug: string
}

export interface IntentContext {
  catalog: IntentCatalogItem[]
  /** Instances running on the host; empty when no host is reachable (names are then taken as written). */
  instances: IntentInstance[]
  /** The tenant a bare instance name lives in (the configured default, usually "default"). */
  defaultTenant: string
  /**
   * The instance the conversation is about (NAME or TENANT/NAME), so that
   * "restart it" works in a chat. Optional: without it, "it" needs a question.
   */
  focus?: string
  /** The hosts aims knows (host ls), so that "on staging" reads as --host staging. Optional. */
  hosts?: string[]
  /** The current host: a request naming it needs no --host. Optional. */
  host?: string
  /**
   * What else runs on the host, when it was read (cluster nodes, static sites, sandbox ids, alert channel
   * ids): a change on one of them is proposed only when it is in its list. Absent: names are taken as written.
   */
  nodes?: string[]
  sites?: string[]
  sandboxes?: string[]
  alerts?: string[]
}

export interface CommandIntent {
  kind: 'command'
  /** An aims command line without `aims` in front, in the canonical order (see canonical.ts). */
  argv: string[]
  /** One short sentence for people ("Deploy n8n for tenant acme"). Never holds env values. */
  summary: string
  /** True when running it changes anything (host, local config, files). */
  mutates: boolean
  /** True when running it destroys something (plug down, host rm). */
  destructive: boolean
  /** 0..1: lower when words were guessed (typos, names taken as written, verb-less requests). */
  confidence: number
}

/** A clarifying question whose answer fills one value of an otherwise complete command. */
export interface IntentPartial {
  /** The command with an empty string at `slot`, where the chosen option goes. */
  argv: string[]
  slot: number
  /** The summary with `{}` where the chosen option goes. */
  summary: string
  mutates: boolean
  destructive: boolean
}

export interface ClarifyIntent {
  kind: 'clarify'
  question: string
  /**
   * With `partial`: values for its slot (e.g. "acme/n8n"). Without: short
   * requests that parse on their own (e.g. "scale acme/n8n to 2 replicas").
   */
  options: string[]
  partial?: IntentPartial
}

export interface UnknownIntent {
  kind: 'unknown'
  /** Why, and what the parser can do instead. */
  message: string
}

export type IntentResult = CommandIntent | ClarifyIntent | UnknownIntent
