/**
 * Changes to what the warden reads from the host: its policy and the alert channels. Each is a
 * plan through the one gate, audited like every other change.
 */
import {AimsError, notFoundError} from '../../core/errors.js'
import type {Plan} from '../../core/plan/plan.js'
import {checkChannelTarget, redactTarget, type AlertChannel, type AlertKind} from '../../core/warden/alerts.js'
import {policyRows, setPolicyKey, type WardenPolicy} from '../../core/warden/policy.js'
import {passGate} from '../gate.js'
import type {HostSession, LifecycleDeps} from '../ports.js'
import {recordAction} from '../record-action.js'
import {readChannels, writeChannels} from './alert-sink.js'
import {WARDEN_CONTAINER} from './install.js'
import {readPolicy, wardenPaths, writePolicy} from './store.js'

const filePlan = (action: Plan['action'], summary: string, host: string, path: string, detail: string): Plan => ({
  action,
  summary,
  host,
  target: path,
  destructive: false,
  facts: [],
  changes: [{action: 'write', kind: 'instance', name: path, detail}],
  gates: [],
})

export interface PolicyResult {
  status: 'shown' | 'applied' | 'dry-run'
  host: string
  policy: WardenPolicy
}

export async function setWardenPolicy(deps: LifecycleDeps, key: string, value: string): Promise<PolicyResult> {
  const shell = await deps.session.shell()
  const host = deps.session.host
  const before = await readPolicy(shell, host.stateDir)
  const after = setPolicyKey(before, key, value)
  const was = policyRows(before).find((row) => row.key === key)?.value
  const now = policyRows(after).find((row) => row.key === key)?.value
  const plan = filePlan(
    'warden-policy',
    `Set the warden's ${key} to ${key === 'heartbeat-url' ? redactTarget(now ?? '') : now} on ${host.name}`,
    host.name,
    wardenPaths(host.stateDir).policy,
    `${key}: ${key === 'heartbeat-url' ? '(masked)' : was} → ${key === 'heartbeat-url' ? '(masked)' : now}`,
  )
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {status: 'dry-run', host: host.name, policy: before}
  await writePolicy(shell, host.stateDir, after)
  await recordAction(deps, {
    action: 'warden policy',
    target: host.name,
    outcome: 'applied',
    detail: `${key}=${key === 'heartbeat-url' ? '(masked)' : now}`,
  })
  return {status: 'applied', host: host.name, policy: after}
}

export async function addAlertChannel(
  deps: LifecycleDeps,
  kind: string,
  target: string,
): Promise<{status: 'applied' | 'dry-run'; channel: AlertChannel}> {
  const typed: AlertKind = checkChannelTarget(kind, target)
  const shell = await deps.session.shell()
  const host = deps.session.host
  const channels = await readChannels(shell, host.stateDir)
  const channel: AlertChannel = {
    id: `al-${deps
      .newId()
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 6)
      .toLowerCase()}`,
    kind: typed,
    target,
    createdAt: deps.clock.now().toISOString(),
  }
  const shown = {...channel, target: redactTarget(target)}
  const plan = filePlan(
    'alerts-change',
    `Add the ${typed} alert channel ${shown.target} on ${host.name}`,
    host.name,
    wardenPaths(host.stateDir).alerts,
    `${channel.id}: ${typed} ${shown.target}`,
  )
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {status: 'dry-run', channel: shown}
  await writeChannels(shell, host.stateDir, [...channels, channel])
  await recordAction(deps, {
    action: 'alerts add',
    target: channel.id,
    outcome: 'applied',
    detail: `${typed} ${shown.target}`,
  })
  return {status: 'applied', channel: shown}
}

export async function removeAlertChannel(
  deps: LifecycleDeps,
  id: string,
): Promise<{status: 'applied' | 'dry-run'; channel: AlertChannel}> {
  const shell = await deps.session.shell()
  const host = deps.session.host
  const channels = await readChannels(shell, host.stateDir)
  const found = channels.find((channel) => channel.id === id)
  if (!found)
    throw notFoundError(`no alert channel ${JSON.stringify(id)} on ${host.name}`, 'see aims alerts ls for the ids')
  const shown = {...found, target: redactTarget(found.target)}
  const plan = filePlan(
    'alerts-change',
    `Remove the alert channel ${id} (${found.kind} ${shown.target}) from ${host.name}`,
    host.name,
    wardenPaths(host.stateDir).alerts,
    `remove ${id}`,
  )
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {status: 'dry-run', channel: shown}
  await writeChannels(
    shell,
    host.stateDir,
    channels.filter((channel) => channel.id !== id),
  )
  await recordAction(deps, {
    action: 'alerts rm',
    target: id,
    outcome: 'applied',
    detail: `${found.kind} ${shown.target}`,
  })
  return {status: 'applied', channel: shown}
}

/** Test alerts are sent from inside the warden's container: the same place, network and code real ones use. */
export async function testAlertChannels(
  session: HostSession,
  id?: string,
): Promise<{results: Array<{id: string; ok: boolean; detail: string}>}> {
  const shell = await session.shell()
  const channels = await readChannels(shell, session.host.stateDir)
  if (id && !channels.some((channel) => channel.id === id))
    throw notFoundError(
      `no alert channel ${JSON.stringify(id)} on ${session.host.name}`,
      'see aims alerts ls for the ids',
    )
  if (channels.length === 0)
    throw notFoundError(`no alert channels on ${session.host.name}`, 'add one: aims alerts add webhook URL')
  const engine = await session.engine()
  const warden = await engine.inspectContainer(WARDEN_CONTAINER)
  if (warden?.state !== 'running')
    throw new AimsError('not-found', `the warden is not running on ${session.host.name}: test alerts are sent by it`, {
      hint: 'aims warden install',
    })
  const run = await engine.execInContainer(WARDEN_CONTAINER, [
    '/opt/aims/bin/aims',
    'warden',
    'alert-test',
    ...(id ? [id] : []),
  ])
  const results = run.output
    .split('\n')
    .map((line) => /^(ok|failed) (\S+) ?(.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({id: match[2]!, ok: match[1] === 'ok', detail: match[3] ?? ''}))
  if (results.length === 0)
    throw new AimsError('remote', `the warden did not send the test alert: ${run.output.trim().slice(-300)}`)
  return {results}
}
