/**
 * Alert channels and messages. A channel is stored on the host (`<stateDir>/alerts.json`); its
 * target may hold secrets (a Slack hook's token, SMTP credentials, a token in a query string), so
 * what is shown anywhere is `redactTarget`. The payload every JSON channel receives is
 * `AlertPayload` (docs/warden.md documents it). Pure.
 */
import {usageError, shown} from '../errors.js'
import {RESOURCE_NAME} from '../names.js'
import type {LifecycleAction, LifecycleEvent} from '../events.js'
import type {Note} from './healing.js'

export const ALERT_KINDS = ['webhook', 'ntfy', 'slack', 'n8n', 'email'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export interface AlertChannel {
  id: string
  kind: AlertKind
  target: string
  createdAt: string
}

export interface AlertPayload {
  v: 1
  /** down | healing | needs-approval | gave-up | recovered | test */
  event: string
  severity: 'critical' | 'warning' | 'info'
  host: string
  instance: string
  incident?: string
  step?: string
  message: string
  time: string
}

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/

/** Checks a channel as typed (`aims alerts add KIND TARGET`): a usage error names what is wrong. */
export function checkChannelTarget(kind: string, target: string): AlertKind {
  if (!(ALERT_KINDS as readonly string[]).includes(kind))
    throw usageError(`unknown alert channel kind ${shown(kind)}`, `kinds: ${ALERT_KINDS.join(', ')}`)
  const typed = kind as AlertKind
  if (typed === 'n8n') {
    const [tenant = '', instance = '', ...path] = target.split('/')
    if (!RESOURCE_NAME.test(tenant) || !RESOURCE_NAME.test(instance) || path.some((part) => !/^[\w.-]+$/.test(part)))
      throw usageError(`invalid n8n target ${shown(target)}`, 'use TENANT/INSTANCE or TENANT/INSTANCE/WEBHOOK-PATH')
    return typed
  }
  if (typed === 'email') {
    let url: URL
    try {
      url = new URL(target)
    } catch {
      throw usageError(
        `invalid SMTP URL ${shown(redactTarget(target))}`,
        'use smtp://[user:pass@]host[:port]?to=ops@example.com',
      )
    }
    if (!['smtp:', 'smtps:'].includes(url.protocol) || !url.searchParams.get('to'))
      throw usageError(
        `invalid SMTP URL ${shown(redactTarget(target))}`,
        'use smtp://[user:pass@]host[:port]?to=ops@example.com[&from=aims@example.com]',
      )
    return typed
  }
  if (!HTTP_URL.test(target))
    throw usageError(`invalid ${typed} URL ${shown(redactTarget(target))}`, 'use an http:// or https:// URL')
  return typed
}

/**
 * The target as it may be shown: passwords, query values and long path segments (tokens, as in
 * Slack's hooks.slack.com/services/T/B/SECRET) are masked. n8n targets hold no secret.
 */
export function redactTarget(target: string): string {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    return /^[a-z0-9-]+\/[a-z0-9-]+/.test(target) ? target : '***'
  }
  const user = url.username ? `${decodeURIComponent(url.username)}${url.password ? ':***' : ''}@` : ''
  const path = url.pathname
    .split('/')
    .map((segment) =>
      segment.length >= 16 || (/\d.*[a-zA-Z]|[a-zA-Z].*\d/.test(segment) && segment.length >= 8) ? '***' : segment,
    )
    .join('/')
  const query = [...url.searchParams.keys()].map((key) =>
    ['to', 'from'].includes(key) ? `${key}=${url.searchParams.get(key)}` : `${key}=***`,
  )
  return `${url.protocol}//${user}${url.host}${path}${query.length > 0 ? `?${query.join('&')}` : ''}`
}

const SEVERITY: Record<string, AlertPayload['severity']> = {
  down: 'critical',
  'gave-up': 'critical',
  healing: 'warning',
  'needs-approval': 'warning',
  recovered: 'info',
  test: 'info',
}

export function alertPayload(
  note: Pick<Note, 'ref' | 'detail' | 'incident' | 'step'> & {kind: Note['kind'] | 'test'},
  host: string,
  time: Date,
): AlertPayload {
  const label: Record<string, string> = {
    down: 'is down',
    healing: 'is being healed',
    'needs-approval': 'needs you',
    'gave-up': 'the warden gave up',
    recovered: 'recovered',
    test: 'test alert',
  }
  return {
    v: 1,
    event: note.kind,
    severity: SEVERITY[note.kind] ?? 'warning',
    host,
    instance: note.ref,
    ...(note.incident ? {incident: note.incident} : {}),
    ...(note.step ? {step: note.step} : {}),
    message: `${note.ref} on ${host}: ${label[note.kind] ?? note.kind}: ${note.detail}`,
    time: time.toISOString(),
  }
}

/** Per instance, at most `perHour` alerts in any hour; the rest are counted, not sent. */
export function withinThrottle(sentAt: number[], nowMs: number, perHour: number): {allowed: boolean; kept: number[]} {
  const kept = sentAt.filter((time) => nowMs - time < 3_600_000)
  return kept.length < perHour ? {allowed: true, kept: [...kept, nowMs]} : {allowed: false, kept}
}

/** The lifecycle events each `alert-on` name sends to the channels. */
export const LIFECYCLE_ALERT_ACTIONS: Record<string, readonly LifecycleAction[]> = {
  deploy: ['deploy-ready', 'deploy-failed'],
  scale: ['scaled', 'scale-failed'],
  down: ['decommissioned', 'decommission-failed'],
  upgrade: ['upgraded', 'upgrade-failed'],
  'rolled-back': ['deploy-rolled-back', 'upgrade-rolled-back', 'rolled-back'],
  'backup-failed': ['backup-failed'],
}

/** The payloads for the lifecycle events the policy's `alert-on` names (event: the lifecycle action). */
export function lifecycleAlertPayloads(
  events: LifecycleEvent[],
  alertOn: readonly string[],
  host: string,
): AlertPayload[] {
  const wanted = new Set(alertOn.flatMap((name) => LIFECYCLE_ALERT_ACTIONS[name] ?? []))
  return events
    .filter((event) => wanted.has(event.action))
    .map((event) => ({
      v: 1 as const,
      event: event.action,
      severity: /failed$/.test(event.action) ? 'critical' : /rolled-back$/.test(event.action) ? 'warning' : 'info',
      host,
      instance: `${event.tenant}/${event.instance}`,
      message: `${event.tenant}/${event.instance} on ${host}: ${event.action} by ${event.actor}: ${event.message}`,
      time: event.time,
    }))
}
