/** `aims sandbox …`: throwaway containers with a TTL (declarations only: see spec.ts). */
import {DRY_RUN, TENANT, YES, type CommandSpec} from './spec.js'

const SANDBOX_ID_ARG = {description: 'the sandbox id (sb-…, from aims sandbox ls)', required: true} as const

export const SANDBOX = {
  path: 'sandbox',
  description:
    'Start a throwaway sandbox: a resource-limited container on its own network, removed at its TTL\n\n' +
    'No published ports, no mounts (no Docker socket), CPU, memory and process limits. The engine removes it at ' +
    'its TTL by itself (its main process is the TTL), and every sandbox command and the warden sweep what is overdue.',
  examples: ['<%= config.bin %> sandbox', '<%= config.bin %> sandbox --image python:3.11-slim --ttl 30m --memory 1g'],
  effect: 'change',
  flags: {
    image: {type: 'string', description: 'image to start (default debian:bookworm-slim)'},
    ttl: {type: 'string', description: 'how long it lives: 30m, 1h, 2d (5s to 7d)', default: '1h'},
    cpus: {type: 'string', description: 'CPU limit', default: '1'},
    memory: {type: 'string', description: 'memory limit', default: '512m'},
    tenant: TENANT,
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const SANDBOX_LS = {
  path: 'sandbox ls',
  description: 'List the sandboxes on the host and the time each has left',
  examples: ['<%= config.bin %> sandbox ls --json'],
  effect: 'read',
  flags: {tenant: {...TENANT, description: 'only this tenant'}},
} as const satisfies CommandSpec

export const SANDBOX_EXEC = {
  path: 'sandbox exec',
  description: 'Run a command in a sandbox: aims sandbox exec ID -- CMD [ARGS…]; exits with its exit code',
  examples: ['<%= config.bin %> sandbox exec sb-1a2b3c4d -- uname -a'],
  effect: 'change',
  variadic: true,
  args: {id: SANDBOX_ID_ARG},
} as const satisfies CommandSpec

export const SANDBOX_SHELL = {
  path: 'sandbox shell',
  description: 'Open a shell in a sandbox (bash when the image has it, else sh)',
  examples: ['<%= config.bin %> sandbox shell sb-1a2b3c4d'],
  effect: 'change',
  json: false,
  args: {id: SANDBOX_ID_ARG},
} as const satisfies CommandSpec

export const SANDBOX_RM = {
  path: 'sandbox rm',
  description: 'Remove a sandbox now (everything in it is lost)',
  examples: ['<%= config.bin %> sandbox rm sb-1a2b3c4d --yes'],
  effect: 'change',
  args: {id: SANDBOX_ID_ARG},
  flags: {yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const SANDBOX_COMMANDS = [SANDBOX, SANDBOX_LS, SANDBOX_EXEC, SANDBOX_SHELL, SANDBOX_RM] as const
