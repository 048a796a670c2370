/** `aims site …`: static sites served by the host's nginx (declarations only: see spec.ts). */
import {DRY_RUN, TENANT, YES, type CommandSpec} from './spec.js'

const SITE_ARG = {
  description: 'the site: NAME (in --tenant or the default tenant) or TENANT/NAME',
  required: true,
} as const

export const SITE_DEPLOY = {
  path: 'site deploy',
  description:
    "Publish a static site: the directory's files are served by the host's nginx (no container)\n\n" +
    'Each deploy is a new release, switched to atomically; --password protects the site with basic auth (asked ' +
    'on a terminal, else read from AIMS_SITE_PASSWORD; only its hash reaches the host).',
  examples: [
    '<%= config.bin %> site deploy ./public --name docs',
    '<%= config.bin %> site deploy ./dist --name preview --tenant acme --password --yes',
  ],
  effect: 'change',
  args: {dir: {description: 'the directory to publish (it needs an index.html)', required: true}},
  flags: {
    name: {type: 'string', char: 'n', description: 'site name (default: the directory name)'},
    tenant: TENANT,
    domain: {type: 'string', description: 'serve it at this domain (default: NAME.TENANT.<host domain>)'},
    password: {type: 'boolean', description: 'protect the site with basic auth (user: aims, or --user)'},
    user: {type: 'string', description: 'basic-auth user name (with --password)'},
    public: {type: 'boolean', description: "drop a previous deploy's basic auth"},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const SITE_LS = {
  path: 'site ls',
  description: 'List the static sites on the host: URL, current release, releases, protection',
  examples: ['<%= config.bin %> site ls', '<%= config.bin %> site ls --tenant acme --json'],
  effect: 'read',
  flags: {tenant: {...TENANT, description: 'only this tenant'}},
} as const satisfies CommandSpec

export const SITE_ROLLBACK = {
  path: 'site rollback',
  description: 'Serve the previous release of a site again (or --to RELEASE), switched atomically',
  examples: [
    '<%= config.bin %> site rollback docs',
    '<%= config.bin %> site rollback acme/docs --to 20261203T101500Z-1a2b3c',
  ],
  effect: 'change',
  args: {site: SITE_ARG},
  flags: {
    tenant: TENANT,
    to: {type: 'string', description: 'the release to serve (aims site ls --json lists them)'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const SITE_RM = {
  path: 'site rm',
  description: 'Remove a site: its nginx route and every release',
  examples: ['<%= config.bin %> site rm docs --yes'],
  effect: 'destroy',
  args: {site: SITE_ARG},
  flags: {tenant: TENANT, yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const SITE_COMMANDS = [SITE_DEPLOY, SITE_LS, SITE_ROLLBACK, SITE_RM] as const
