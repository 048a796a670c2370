/** Plans as the lifecycle services build them, for dock tests. */
import type {Plan} from '../../src/core/plan/plan.js'

export const restartPlan = (instance = 'app-001'): Plan => ({
  action: 'plug-restart',
  summary: `Restart acme/${instance} (fixture-web) on vps`,
  host: 'vps',
  target: `acme/${instance}`,
  destructive: false,
  facts: [{label: 'instance', value: `acme/${instance}: fixture-web, running`}],
  changes: [{action: 'restart', kind: 'container', name: `aims-acme-${instance}-web`, detail: 'running'}],
  gates: [],
})

export const downPlan = (instance = 'app-001'): Plan => ({
  action: 'plug-down',
  summary: `Decommission acme/${instance} (fixture-web) on vps`,
  host: 'vps',
  target: `acme/${instance}`,
  destructive: true,
  confirmWord: instance,
  facts: [{label: 'instance', value: `acme/${instance}: fixture-web, running`}],
  changes: [
    {
      action: 'remove',
      kind: 'container',
      name: `aims-acme-${instance}-web`,
      detail: 'stop gracefully, then remove (running)',
    },
    {action: 'remove', kind: 'volume', name: `aims-acme-${instance}-data`, detail: 'its data is deleted'},
  ],
  gates: [],
})
