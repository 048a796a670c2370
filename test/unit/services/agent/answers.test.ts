/**
 * Tool results in words (issue 19 item 3, issue 11 item 5): stats, health,
 * ps, logs and events as sentences for a person; tables only where a table
 * reads better; never raw JSON on the screen.
 */
import {describe, expect, it} from 'vitest'
import type {AimsEvent} from '../../../../src/core/events.js'
import type {InstanceHealthReport} from '../../../../src/core/health-report.js'
import type {InstanceView} from '../../../../src/core/instances.js'
import type {ContainerStats, InstanceStats} from '../../../../src/core/stats.js'
import {
  bytesText,
  eventsAnswer,
  healthAnswer,
  listAnswer,
  logsAnswer,
  redactedLines,
  statsAnswer,
} from '../../../../src/services/agent/answers.js'
import {renderStatusLine, renderToolData} from '../../../../src/ui/present/agent.js'
import {makeStyle} from '../../../../src/ui/style.js'

const MiB = 1024 * 1024

function container(over: Partial<ContainerStats> = {}): ContainerStats {
  return {
    service: 'app',
    replica: 1,
    container: 'aims-acme-n8n-app',
    state: 'running',
    sampled: true,
    cpuPercent: 4,
    memoryBytes: 312 * MiB,
    memoryLimitBytes: 1024 * MiB,
    networkRxBytes: 0,
    networkTxBytes: 0,
    ...over,
  }
}

function stats(ref: string, containers: ContainerStats[], status = 'running'): InstanceStats {
  const [tenant = '', instance = ''] = ref.split('/')
  const sum = (pick: (item: ContainerStats) => number) => containers.reduce((total, item) => total + pick(item), 0)
  return {
    tenant,
    instance,
    ref,
    plug: instance,
    status,
    containers,
    cpuPercent: sum((item) => item.cpuPercent),
    memoryBytes: sum((item) => item.memoryBytes),
    memoryLimitBytes: sum((item) => item.memoryLimitBytes),
    networkRxBytes: 0,
    networkTxBytes: 0,
  }
}

function health(ref: string, verdict: InstanceHealthReport['health'], detail: string): InstanceHealthReport {
  const [tenant = '', instance = ''] = ref.split('/')
  return {
    tenant,
    instance,
    ref,
    plug: instance,
    status: verdict === 'stopped' ? 'stopped' : 'running',
    health: verdict,
    detail,
    services: [
      {
        service: 'app',
        replica: 1,
        container: `aims-${tenant}-${instance}-app`,
        state: 'running',
        ok: verdict === 'healthy',
        detail,
      },
    ],
  }
}

const style = makeStyle(false)

describe('answers in words', () => {
  it('says what one instance uses, as the issue writes it', () => {
    expect(statsAnswer([stats('acme/n8n', [container()])])).toBe('acme/n8n uses 312 MiB of 1 GiB (30 %) and 4 % CPU.')
    expect(statsAnswer([stats('acme/n8n', [container(), container({replica: 2})])])).toBe(
      'acme/n8n uses 624 MiB of 2 GiB (30 %) and 8 % CPU across 2 containers.',
    )
    expect(
      statsAnswer([stats('acme/blog', [container({sampled: false, cpuPercent: 0, memoryBytes: 0})], 'stopped')]),
    ).toBe('acme/blog is stopped: it uses no CPU or memory now.')
    expect(statsAnswer([])).toMatch(/nothing to measure/)
  })

  it('sums many instances and names the hungriest', () => {
    const answer = statsAnswer([
      stats('acme/n8n', [container()]),
      stats('globex/web', [container({memoryBytes: 100 * MiB, cpuPercent: 0.3})]),
      stats('acme/blog', [container({sampled: false, cpuPercent: 0, memoryBytes: 0})], 'stopped'),
    ])
    expect(answer).toBe(
      '2 running instances use 412 MiB of memory and 4.3 % CPU in all; the most memory: acme/n8n with 312 MiB of ' +
        '1 GiB (30 %) and 4 % CPU. Not running: acme/blog.',
    )
  })

  it('gives one sentence per instance that is not healthy', () => {
    expect(healthAnswer([health('acme/n8n', 'healthy', 'HTTP 200 on /healthz')])).toBe(
      'acme/n8n is healthy (HTTP 200 on /healthz).',
    )
    expect(healthAnswer([health('acme/n8n', 'healthy', ''), health('acme/blog', 'healthy', '')])).toBe(
      'All 2 instances are healthy.',
    )
    expect(
      healthAnswer([
        health('acme/n8n', 'unhealthy', 'HTTP 502 on /healthz'),
        health('acme/blog', 'stopped', ''),
        health('globex/web', 'healthy', ''),
        health('initech/redis', 'healthy', ''),
      ]),
    ).toBe('acme/n8n is unhealthy: HTTP 502 on /healthz. acme/blog is stopped. The other 2 are healthy.')
  })

  it('summarises ps by health, naming the few that need a look', () => {
    const view = (ref: string, status: string, healthOf: string) => ({ref, status, health: healthOf}) as InstanceView
    expect(
      listAnswer(
        [
          view('acme/n8n', 'running', 'healthy'),
          view('acme/blog', 'running', 'healthy'),
          view('globex/web', 'running', 'unhealthy'),
        ],
        'prod',
      ),
    ).toBe('3 instances on prod: 2 healthy, 1 unhealthy (globex/web).')
    expect(listAnswer([], 'prod', 'acme')).toBe('Nothing is deployed on prod for tenant acme.')
  })

  it('counts log lines and errors, with secrets redacted from the quoted line', () => {
    const lines = [
      {service: 'app', text: 'n8n ready on :5678'},
      {service: 'app', text: 'ERROR could not connect with password=hunter22 to db'},
      {service: 'worker', text: 'warning: using key s3cr3tvalue-abcdef'},
    ]
    const answer = logsAnswer(lines, 'acme/n8n', ['s3cr3tvalue-abcdef'])
    expect(answer).toMatch(
      /^3 log lines of acme\/n8n from 2 services, 2 of them errors or warnings \(the last: "warning: using key /,
    )
    expect(answer).not.toContain('s3cr3tvalue-abcdef')
    expect(logsAnswer(lines.slice(0, 1), 'acme/n8n')).toBe(
      '1 log line of acme/n8n, none of them an error or a warning.',
    )
    const shown = redactedLines(lines, ['s3cr3tvalue-abcdef'])
    expect(shown.map((line) => line.text).join('\n')).not.toMatch(/hunter22|s3cr3tvalue-abcdef/)
  })

  it('summarises events with the latest', () => {
    const event = (minute: number, message: string): AimsEvent => ({
      type: 'container',
      action: 'start',
      tenant: 'acme',
      instance: 'n8n',
      time: new Date(Date.UTC(2026, 11, 3, 9, minute)),
      source: 'engine',
      message,
      key: `k${minute}`,
    })
    expect(eventsAnswer([event(1, 'app started'), event(5, 'app restarted')])).toBe(
      '2 events in the last hour about 1 instance; the latest: acme/n8n: app restarted.',
    )
    expect(eventsAnswer([])).toBe('No events in the last hour.')
  })

  it('uses binary units', () => {
    expect([bytesText(512), bytesText(640 * 1024), bytesText(1.5 * 1024 * MiB), bytesText(312 * MiB)]).toEqual([
      '512 B',
      '640 KiB',
      '1.5 GiB',
      '312 MiB',
    ])
  })
})

describe('the chat display of reads', () => {
  const outcome = (data: unknown, summary: string) => ({status: 'ok' as const, content: {summary}, data})

  it('shows stats of one instance as its sentence alone, of several with the stats table, never as JSON', () => {
    const one = {host: 'vps', sampledAt: '', durationMs: 1, instances: [stats('acme/n8n', [container()])]}
    expect(renderToolData('stats', outcome(one, 'x'), style)).toBeUndefined()
    const two = {...one, instances: [stats('acme/n8n', [container()]), stats('globex/web', [container()])]}
    const table = renderToolData('stats', outcome(two, 'x'), style)!
    expect(table).toMatch(/INSTANCE\s+PLUG\s+STATUS\s+CPU/)
    expect(table).not.toMatch(/[{}"]/)
    expect(renderStatusLine(outcome(one, statsAnswer(one.instances)), style)).toBe(
      '✓ acme/n8n uses 312 MiB of 1 GiB (30 %) and 4 % CPU.',
    )
  })

  it('shows health as sentences, with the failing services only when something fails', () => {
    const healthy = [health('acme/n8n', 'healthy', 'HTTP 200')]
    expect(renderToolData('health', outcome(healthy, 'x'), style)).toBeUndefined()
    const failing = [...healthy, health('globex/web', 'unhealthy', 'HTTP 502 on /')]
    const body = renderToolData('health', outcome(failing, 'x'), style)!
    expect(body).toContain('globex/web')
    expect(body).not.toContain('acme/n8n')
    expect(body).not.toMatch(/[{}"]/)
  })

  it('shows events as lines, the latest last', () => {
    const events: AimsEvent[] = [
      {
        type: 'container',
        action: 'die',
        tenant: 'acme',
        instance: 'n8n',
        time: new Date(2),
        source: 'engine',
        message: 'app exited',
        key: 'a',
      },
      {
        type: 'container',
        action: 'start',
        tenant: 'acme',
        instance: 'n8n',
        time: new Date(3),
        source: 'engine',
        message: 'app started',
        key: 'b',
      },
    ]
    const body = renderToolData('events', outcome(events, 'x'), style, new Date(4))!
    expect(body.split('\n')).toHaveLength(2)
    expect(body.split('\n')[1]).toMatch(/acme\/n8n\s+app started$/)
    expect(body).not.toMatch(/[{}"]/)
  })
})
