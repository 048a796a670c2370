import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {EVENTS} from '../src/core/commands/top.js'
import {eventToJson, parseSince, type AimsEvent} from '../src/core/events.js'
import {checkResourceName} from '../src/core/names.js'
import {eventInstance, eventLine} from '../src/ui/present/events.js'

export default class Events extends declared(EVENTS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    if (flags.tenant) checkResourceName('tenant', flags.tenant)
    const context = await this.context()
    const now = context.clock.now()
    const since =
      flags.since !== undefined ? parseSince(flags.since, now) : flags.follow ? undefined : parseSince('1h', now)
    const session = await context.session(await context.hostEntry(flags.host))
    const json = this.jsonEnabled()
    const write = (event: AimsEvent, width = 20) => {
      if (json) this.io.stdout.write(`${JSON.stringify(eventToJson(event))}\n`)
      else this.io.stdout.write(`${eventLine(event, context.clock.now(), this.style, {instance: width})}\n`)
    }
    if (flags.follow) {
      const {followEvents} = await import('../src/services/events.js')
      const controller = new AbortController()
      const stop = () => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        await followEvents(session, {
          ...(since ? {since} : {}),
          ...(flags.tenant ? {tenant: flags.tenant} : {}),
          signal: controller.signal,
          clock: context.clock,
          onEvent: (event) => write(event),
        })
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
      return undefined
    }
    const {listEvents} = await import('../src/services/events.js')
    const events = await listEvents(session, {
      since: since!,
      until: now,
      ...(flags.tenant ? {tenant: flags.tenant} : {}),
    })
    if (events.length === 0 && !json)
      this.note(
        `No events on ${session.host.name}${flags.tenant ? ` for tenant ${flags.tenant}` : ''} since ` +
          `${since!.toISOString()}.`,
      )
    const width = Math.max(8, ...events.map((event) => eventInstance(event).length))
    for (const event of events) write(event, width)
    // --json is one object per line (written above), not one document.
    return undefined
  }
}
