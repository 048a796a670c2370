/**
 * A Plan is what every mutating path shows before it acts: a CLI command, a
 * dock key or an ACHEEVY tool call. It is data (serializable, secrets already
 * masked); the gate shows it and asks; an engine applies the private spec that
 * travels beside it.
 */
import type {ExitCode} from '../errors.js'

export type PlanAction =
  | 'plug-up'
  | 'plug-down'
  | 'plug-start'
  | 'plug-stop'
  | 'plug-restart'
  | 'plug-scale'
  | 'export'
  | 'plug-upgrade'
  | 'plug-rollback'
  | 'plug-backup'
  | 'plug-restore'
  | 'backup-schedule'
  | 'registry-login'
  | 'build'
  | 'plug-add'
  | 'site-deploy'
  | 'site-rollback'
  | 'site-rm'
  | 'sandbox-create'
  | 'sandbox-rm'
  | 'cluster-init'
  | 'cluster-join'
  | 'cluster-label'
  | 'cluster-drain'
  | 'cluster-leave'
  | 'cluster-reroute'
  | 'warden-install'
  | 'warden-uninstall'
  | 'warden-recreate'
  | 'warden-rollback'
  | 'warden-policy'
  | 'alerts-change'

export interface PlanChange {
  action:
    | 'create'
    | 'remove'
    | 'start'
    | 'stop'
    | 'restart'
    | 'pull'
    | 'write'
    | 'reload'
    | 'update'
    | 'keep'
    | 'connect'
    | 'build'
    | 'recreate'
  kind:
    | 'container'
    | 'network'
    | 'volume'
    | 'image'
    | 'proxy-conf'
    | 'instance'
    | 'file'
    | 'catalog-entry'
    | 'site'
    | 'release'
    | 'cluster'
    | 'node'
  name: string
  detail?: string
}

export type GateId =
  'catalog' | 'names' | 'config' | 'quota' | 'host' | 'capacity' | 'port' | 'cost' | 'source' | 'secrets'

export interface GateCheck {
  id: GateId
  title: string
  status: 'pass' | 'fail' | 'warn'
  detail: string
  fix?: string
  /** Exit code when this gate fails: 2 for bad input, 1 for everything else. */
  exitCode?: ExitCode
}

export interface Plan {
  action: PlanAction
  /** One line: "Deploy n8n as acme/n8n on vps". */
  summary: string
  host: string
  /** TENANT/INSTANCE */
  target: string
  destructive: boolean
  /** `plug down` asks the user to type this (the instance name). */
  confirmWord?: string
  /** Facts worth showing: image:tag, ports, resources, cost, env (masked). */
  facts: Array<{label: string; value: string}>
  changes: PlanChange[]
  gates: GateCheck[]
}

export function failedGates(plan: Plan): GateCheck[] {
  return plan.gates.filter((gate) => gate.status === 'fail')
}

/** What a destroying plan destroys, for the question that confirms it: "acme/blog and its data". */
export function destroysWhat(plan: Plan): string {
  const data = plan.changes.some((change) => change.kind === 'volume' && change.action === 'remove')
  return `${plan.target}${data ? ' and its data' : ''}`
}
