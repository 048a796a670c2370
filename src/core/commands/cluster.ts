/** `aims cluster …`: Docker Swarm clusters whose nodes are aims hosts (declarations only: see spec.ts). */
import {DRY_RUN, YES, type CommandSpec} from './spec.js'

export const CLUSTER_INIT = {
  path: 'cluster init',
  description: 'Form a Docker Swarm cluster on a host (its first manager); the cluster becomes a host of its own',
  examples: [
    '<%= config.bin %> cluster init vps1 --name prod --yes',
    '<%= config.bin %> cluster init vps1 --name prod --advertise-addr 10.0.0.5 --yes',
  ],
  effect: 'change',
  args: {host: {description: 'a configured host (aims host add) that becomes the first manager', required: true}},
  flags: {
    name: {type: 'string', description: 'the cluster\'s name, used with --host (default: "cluster")'},
    'advertise-addr': {
      type: 'string',
      description: "the address other nodes reach this one at (default: the host's first address)",
    },
    'address-pool': {
      type: 'string',
      description: 'overlay subnets Swarm allocates from (default 10.201.0.0/16)',
    },
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const CLUSTER_JOIN = {
  path: 'cluster join',
  description: 'Join a host to a cluster, as a worker or a manager',
  examples: [
    '<%= config.bin %> cluster join vps2 --cluster prod --yes',
    '<%= config.bin %> cluster join vps3 --cluster prod --manager --yes',
  ],
  effect: 'change',
  args: {host: {description: 'a configured host to join', required: true}},
  flags: {
    cluster: {type: 'string', description: 'the cluster to join (required)'},
    manager: {type: 'boolean', description: 'join as a manager (default: a worker)'},
    'advertise-addr': {
      type: 'string',
      description: "the address other nodes reach this one at (default: the host's first address)",
    },
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const CLUSTER_LS = {
  path: 'cluster ls',
  description: "List a cluster's nodes: role, state, availability, tasks, resources and labels",
  examples: ['<%= config.bin %> cluster ls --host prod', '<%= config.bin %> cluster ls --host prod --json'],
  effect: 'read',
} as const satisfies CommandSpec

export const CLUSTER_LABEL = {
  path: 'cluster label',
  description: 'Set (KEY=VALUE) or remove (KEY=) a label on a node, for placement constraints',
  examples: ['<%= config.bin %> cluster label vps2 zone=eu --host prod --yes'],
  effect: 'change',
  args: {
    node: {description: 'the node: its aims host name, Swarm hostname or node id', required: true},
    label: {description: 'KEY=VALUE (KEY= removes the label)', required: true},
  },
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const CLUSTER_DRAIN = {
  path: 'cluster drain',
  description: 'Drain a node: Swarm moves its tasks to other nodes and places none there (--undo: active again)',
  examples: [
    '<%= config.bin %> cluster drain vps2 --host prod --yes',
    '<%= config.bin %> cluster drain vps2 --undo --yes',
  ],
  effect: 'change',
  args: {node: {description: 'the node: its aims host name, Swarm hostname or node id', required: true}},
  flags: {
    undo: {type: 'boolean', description: 'make the node active again'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const CLUSTER_LEAVE = {
  path: 'cluster leave',
  description: 'Take a node out of its cluster (its tasks move elsewhere); the last node dissolves the cluster',
  examples: ['<%= config.bin %> cluster leave vps3 --host prod --yes'],
  effect: 'destroy',
  args: {node: {description: 'the node: its aims host name', required: true}},
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const CLUSTER_REROUTE = {
  path: 'cluster reroute',
  description:
    "Re-point nginx routes at the nodes now running each instance's tasks after Swarm moved them (the warden's job)",
  examples: ['<%= config.bin %> cluster reroute --host prod --yes'],
  effect: 'change',
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const CLUSTER_COMMANDS = [
  CLUSTER_INIT,
  CLUSTER_JOIN,
  CLUSTER_LS,
  CLUSTER_LABEL,
  CLUSTER_DRAIN,
  CLUSTER_LEAVE,
  CLUSTER_REROUTE,
] as const
