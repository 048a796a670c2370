/** `aims warden …` and `aims alerts …`: the resident manager on the host (declarations only: see spec.ts). */
import {DRY_RUN, YES, type CommandSpec} from './spec.js'

export const WARDEN_INSTALL = {
  path: 'warden install',
  description:
    'Install (or update) the warden on the host: a container built there from this aims that sweeps health, ' +
    'heals with escalation, keeps history and sends alerts while no aims runs anywhere',
  examples: [
    '<%= config.bin %> warden install --yes',
    '<%= config.bin %> warden install --policy tenants=acme --policy interval=15 --yes',
  ],
  effect: 'change',
  flags: {
    policy: {
      type: 'string',
      multiple: true,
      description: 'KEY=VALUE policy to set before the first sweep (see aims warden policy)',
    },
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const WARDEN_UNINSTALL = {
  path: 'warden uninstall',
  description: "Remove the warden's container, images and files from the host (--purge: its history and alerts too)",
  examples: ['<%= config.bin %> warden uninstall --yes', '<%= config.bin %> warden uninstall --purge --yes'],
  effect: 'change',
  flags: {
    purge: {type: 'boolean', description: 'also remove the health history, alert channels and intents'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const WARDEN_STATUS = {
  path: 'warden status',
  description:
    "The warden's version, uptime, last sweep and its duration, probes per minute, CPU, memory, queued alerts and " +
    'what it thinks of each instance',
  examples: ['<%= config.bin %> warden status', '<%= config.bin %> warden status --json'],
  effect: 'read',
} as const satisfies CommandSpec

export const WARDEN_LOGS = {
  path: 'warden logs',
  description: "The warden's own log (its sweeps, healing steps, alerts)",
  effect: 'read',
  json: false,
  flags: {tail: {type: 'integer', char: 'n', description: 'lines from the end', default: 100, min: 1, max: 10_000}},
} as const satisfies CommandSpec

export const WARDEN_POLICY = {
  path: 'warden policy',
  description:
    'Show the warden policy, or set one KEY VALUE: what it may do on its own (restart, recreate, rollback, stop: ' +
    'yes, ask or no) and how patient it is (interval, interval-for, fail-after, recover-after, restart-attempts, ' +
    'max-backoff, alerts-per-hour, flap-cooldown, alert-on, tenants, heartbeat-url)',
  examples: [
    '<%= config.bin %> warden policy',
    '<%= config.bin %> warden policy restart no --yes',
    '<%= config.bin %> warden policy interval 15 --yes',
  ],
  effect: 'change',
  args: {
    key: {description: 'the policy key to set', required: false},
    value: {description: 'its new value', required: false},
  },
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const WARDEN_RUN = {
  path: 'warden run',
  description: 'The warden itself (what its container runs)',
  hidden: true,
  json: false,
  effect: 'read',
  flags: {once: {type: 'boolean', description: 'one round of every task, then exit'}},
} as const satisfies CommandSpec

export const WARDEN_ALERT_TEST = {
  path: 'warden alert-test',
  description: 'Sends a test alert from inside the warden (what aims alerts test runs there)',
  hidden: true,
  json: false,
  effect: 'read',
  args: {id: {description: 'channel id (default: every channel)', required: false}},
} as const satisfies CommandSpec

export const ALERTS_ADD = {
  path: 'alerts add',
  description:
    'Add an alert channel (kept on the host; secrets in it are masked everywhere): webhook URL, ntfy URL, ' +
    'slack URL, n8n TENANT/INSTANCE[/PATH], email smtp://[user:pass@]host[:port]?to=ADDRESS',
  examples: [
    '<%= config.bin %> alerts add webhook https://hooks.example.com/aims --yes',
    '<%= config.bin %> alerts add ntfy https://ntfy.sh/my-topic --yes',
    '<%= config.bin %> alerts add n8n acme/n8n/aims-alerts --yes',
    "<%= config.bin %> alerts add email 'smtp://user:pass@mail.example.com:587?to=ops@example.com' --yes",
  ],
  effect: 'change',
  args: {
    kind: {description: 'webhook | ntfy | slack | n8n | email', required: true},
    target: {description: 'URL, TENANT/INSTANCE[/PATH] or SMTP URL', required: true},
  },
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const ALERTS_LS = {
  path: 'alerts ls',
  description: 'The alert channels on the host (secrets masked)',
  effect: 'read',
} as const satisfies CommandSpec

export const ALERTS_RM = {
  path: 'alerts rm',
  description: 'Remove an alert channel',
  effect: 'change',
  args: {id: {description: 'channel id (from aims alerts ls)', required: true}},
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const ALERTS_TEST = {
  path: 'alerts test',
  description: 'Send a test alert through one channel or all, from the host (the way the warden sends them)',
  effect: 'read',
  args: {id: {description: 'channel id (default: every channel)', required: false}},
} as const satisfies CommandSpec

export const WARDEN_COMMANDS = [
  WARDEN_INSTALL,
  WARDEN_UNINSTALL,
  WARDEN_STATUS,
  WARDEN_LOGS,
  WARDEN_POLICY,
  WARDEN_RUN,
  WARDEN_ALERT_TEST,
  ALERTS_ADD,
  ALERTS_LS,
  ALERTS_RM,
  ALERTS_TEST,
] as const
