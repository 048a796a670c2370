/**
 * Alert delivery for the warden: the notes worth a message (down, each healing step, needs
 * approval, gave up, recovered) go to every channel on the host, deduplicated (one message per
 * note key: a step of an incident is announced once) and throttled per instance (the policy's
 * alerts-per-hour), queued and retried a few times, never blocking the sweep.
 */
import {LABEL} from '../../core/engine-types.js'
import {
  alertPayload,
  redactTarget,
  withinThrottle,
  type AlertChannel,
  type AlertKind,
  type AlertPayload,
} from '../../core/warden/alerts.js'
import {ALERTING, type Note} from '../../core/warden/healing.js'
import type {WardenPolicy} from '../../core/warden/policy.js'
import type {Clock, HostSession, HostShell} from '../ports.js'
import {wardenPaths} from './store.js'
import type {AlertSink} from './loop.js'

export interface AlertTransport {
  send(kind: AlertKind, url: string, payload: AlertPayload): Promise<void>
}

export async function readChannels(shell: HostShell, stateDir: string): Promise<AlertChannel[]> {
  const data = await shell.readFile(wardenPaths(stateDir).alerts)
  if (!data) return []
  try {
    const parsed = JSON.parse(data.toString('utf8')) as {channels?: AlertChannel[]}
    return Array.isArray(parsed.channels) ? parsed.channels : []
  } catch {
    return []
  }
}

/** Mode 600: targets may hold credentials. */
export async function writeChannels(shell: HostShell, stateDir: string, channels: AlertChannel[]): Promise<void> {
  await shell.mkdirp(stateDir)
  await shell.writeFile(wardenPaths(stateDir).alerts, `${JSON.stringify({v: 1, channels}, null, 2)}\n`, 0o600)
}

/** An n8n channel's URL: the instance's entry port on the host, its webhook path. */
export async function channelUrl(session: HostSession, channel: AlertChannel): Promise<string> {
  if (channel.kind !== 'n8n') return channel.target
  const [tenant = '', instance = '', ...path] = channel.target.split('/')
  const engine = await session.engine()
  const containers = await engine.listContainers({labels: {[LABEL.tenant]: tenant, [LABEL.instance]: instance}})
  const entry = containers.find((container) => container.labels[LABEL.entry] === 'true') ?? containers[0]
  const port = Number(entry?.labels[LABEL.port])
  if (!port) throw new Error(`n8n instance ${tenant}/${instance} is not running`)
  return `http://127.0.0.1:${port}/webhook/${path.length > 0 ? path.join('/') : 'aims-alerts'}`
}

/** Sends one payload to one channel; the error names the channel by its redacted target only. */
export async function deliver(
  session: HostSession,
  transport: AlertTransport,
  channel: AlertChannel,
  payload: AlertPayload,
): Promise<void> {
  try {
    await transport.send(channel.kind, await channelUrl(session, channel), payload)
  } catch (error) {
    const message = (error as Error).message.split(channel.target).join(redactTarget(channel.target))
    throw new Error(`${channel.id} (${channel.kind} ${redactTarget(channel.target)}): ${message}`, {cause: error})
  }
}

const noteKey = (note: Note) => `${note.ref}|${note.incident ?? ''}|${note.kind}|${note.step ?? ''}|${note.detail}`

/**
 * A reopened (flapping) incident: its first "down again" is sent (it says it flaps), later ones are not;
 * its "recovered" is sent only when something else was said since the last one (a new step, "gave up").
 * Its steps stay one message each, so a flapping instance is one incident, not a message per flap.
 */
function flapWorth(note: Note, lastSent: Map<string, string>, flapSaid: Set<string>): boolean {
  if (!note.reopened || (note.kind !== 'down' && note.kind !== 'recovered')) return true
  const incident = `${note.ref}|${note.incident ?? ''}`
  if (note.kind === 'down') {
    if (flapSaid.has(incident)) return false
    flapSaid.add(incident)
    return true
  }
  return lastSent.get(incident) !== 'recovered'
}

interface Queued {
  channel: AlertChannel
  payload: AlertPayload
  tries: number
}

export async function hostAlertSink(options: {
  shell: HostShell
  stateDir: string
  clock: Clock
  log: (line: string) => void
  session: HostSession
  newId: () => string
  transport: AlertTransport
  policy?: () => WardenPolicy
}): Promise<AlertSink> {
  const transport = options.transport
  const queue: Queued[] = []
  const seen = new Set<string>()
  const seenOrder: string[] = []
  const sent = new Map<string, number[]>()
  const lastSent = new Map<string, string>()
  const flapSaid = new Set<string>()
  let draining: Promise<void> | undefined
  const drain = async () => {
    while (queue.length > 0) {
      const item = queue.shift()!
      try {
        await deliver(options.session, transport, item.channel, item.payload)
        options.log(`alert sent: ${item.payload.event} ${item.payload.instance} → ${item.channel.id}`)
      } catch (error) {
        item.tries += 1
        options.log(`alert not sent (try ${item.tries}): ${(error as Error).message}`)
        if (item.tries < 3) {
          await options.clock.sleep(1000 * item.tries)
          queue.push(item)
        }
      }
    }
  }
  const kick = () => {
    draining ??= drain().finally(() => {
      draining = undefined
    })
  }
  return {
    notify(notes, now) {
      const worth = notes.filter((note) => ALERTING.has(note.kind))
      if (worth.length === 0) return
      void (async () => {
        const channels = await readChannels(options.shell, options.stateDir)
        const perHour = options.policy?.().alertsPerHour ?? 20
        for (const note of worth) {
          const key = noteKey(note)
          const flap = note.reopened && (note.kind === 'down' || note.kind === 'recovered')
          if (!flap && seen.has(key)) continue
          seen.add(key)
          if (!flapWorth(note, lastSent, flapSaid)) {
            options.log(`alert merged into the open incident (flapping): ${note.kind} ${note.ref}`)
            continue
          }
          seenOrder.push(key)
          if (seenOrder.length > 10_000) seen.delete(seenOrder.shift()!)
          const throttle = withinThrottle(sent.get(note.ref) ?? [], now.getTime(), perHour)
          sent.set(note.ref, throttle.kept)
          if (!throttle.allowed) {
            options.log(`alert throttled: ${note.kind} ${note.ref}`)
            continue
          }
          lastSent.set(`${note.ref}|${note.incident ?? ''}`, note.kind)
          if (lastSent.size > 10_000) lastSent.delete(lastSent.keys().next().value!)
          const payload = alertPayload(note, options.session.host.name, now)
          for (const channel of channels) if (queue.length < 1000) queue.push({channel, payload, tries: 0})
        }
        kick()
      })().catch((error: Error) => options.log(`alerts: ${error.message}`))
    },
    notifyLifecycle(payloads, now) {
      if (payloads.length === 0) return
      void (async () => {
        const channels = await readChannels(options.shell, options.stateDir)
        const perHour = options.policy?.().alertsPerHour ?? 20
        for (const payload of payloads) {
          const throttle = withinThrottle(sent.get(payload.instance) ?? [], now.getTime(), perHour)
          sent.set(payload.instance, throttle.kept)
          if (!throttle.allowed) {
            options.log(`alert throttled: ${payload.event} ${payload.instance}`)
            continue
          }
          for (const channel of channels) if (queue.length < 1000) queue.push({channel, payload, tries: 0})
        }
        kick()
      })().catch((error: Error) => options.log(`alerts: ${error.message}`))
    },
    queued: () => queue.length,
    async flush() {
      await draining
    },
  }
}
