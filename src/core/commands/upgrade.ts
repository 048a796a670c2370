/**
 * `aims plug upgrade | rollback | releases | backup | backups | restore | outdated`,
 * `aims catalog outdated`, `aims registry login | logout`: declarations only (see spec.ts).
 */
import {DRY_RUN, INSTANCE_TENANT, TENANT, YES, type ArgSpec, type CommandSpec} from './spec.js'

const INSTANCE = {description: 'INSTANCE or TENANT/INSTANCE', required: true} as const satisfies ArgSpec
const INSTANCE_FLAG_TENANT = {...TENANT, description: INSTANCE_TENANT.description} as const

export const PLUG_UPGRADE = {
  path: 'plug upgrade',
  description:
    "Upgrade an instance's image to another tag: snapshot of its volumes, replace, health gate, automatic " +
    'rollback (exit 4) when the new one is unhealthy',
  examples: [
    '<%= config.bin %> plug upgrade acme/n8n --to 1.64.0',
    '<%= config.bin %> plug upgrade blog --to 2 --dry-run',
  ],
  effect: 'change',
  args: {instance: INSTANCE},
  flags: {
    tenant: INSTANCE_FLAG_TENANT,
    to: {type: 'string', description: 'the tag to go to (same repository; default: the newest in the pinned major)'},
    service: {type: 'string', char: 's', description: 'the service whose image changes (default: the main one)'},
    major: {type: 'boolean', description: 'without --to: also consider newer major versions'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const PLUG_ROLLBACK = {
  path: 'plug rollback',
  description: 'Go back to an earlier release of an instance (default: the one before the running one)',
  examples: ['<%= config.bin %> plug rollback acme/n8n --yes', '<%= config.bin %> plug rollback n8n --to 1'],
  effect: 'change',
  args: {instance: INSTANCE},
  flags: {
    tenant: INSTANCE_FLAG_TENANT,
    to: {type: 'integer', min: 1, description: 'the release to go back to (aims plug releases)'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const PLUG_RELEASES = {
  path: 'plug releases',
  description: 'List the releases of an instance (deploys, upgrades, rollbacks; the last 3 are kept)',
  examples: ['<%= config.bin %> plug releases acme/n8n'],
  effect: 'read',
  args: {instance: INSTANCE},
  flags: {tenant: INSTANCE_FLAG_TENANT},
} as const satisfies CommandSpec

export const PLUG_BACKUP = {
  path: 'plug backup',
  description:
    "Back up an instance's volumes (consistent: the plug's hook, or paused while copying) to the host, or " +
    'stream it to a local file; --every writes a schedule the warden runs',
  examples: [
    '<%= config.bin %> plug backup acme/n8n --yes',
    '<%= config.bin %> plug backup blog --out blog.tar.gz --yes',
    '<%= config.bin %> plug backup blog --every 1d --keep 7 --yes',
  ],
  effect: 'change',
  args: {instance: INSTANCE},
  flags: {
    tenant: INSTANCE_FLAG_TENANT,
    out: {type: 'string', char: 'o', description: 'stream the archive to this local file (FILE.sha256 beside it)'},
    'keep-on-host': {type: 'boolean', description: 'with --out: keep a copy on the host too'},
    every: {type: 'string', description: 'back up on a schedule: 30m, 12h, 1d, 1w (run by the warden)'},
    keep: {type: 'integer', min: 1, max: 1000, description: 'with --every: how many scheduled backups to keep'},
    s3: {type: 'string', description: 'with --every: also upload to s3://BUCKET/PREFIX (credentials: aims login s3)'},
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const PLUG_BACKUPS = {
  path: 'plug backups',
  description: "List an instance's backups on the host (id, time, size, sha256, reason) and its schedule",
  examples: ['<%= config.bin %> plug backups acme/n8n'],
  effect: 'read',
  args: {instance: INSTANCE},
  flags: {tenant: INSTANCE_FLAG_TENANT},
} as const satisfies CommandSpec

export const PLUG_RESTORE = {
  path: 'plug restore',
  description:
    "Restore an instance's volumes from a backup (checksum verified first): an id on the host, " +
    'TENANT/INSTANCE:ID of another instance, or a local file',
  examples: [
    '<%= config.bin %> plug restore acme/n8n 20261203T094500Z-ab12',
    '<%= config.bin %> plug restore acme/n8n-copy acme/n8n:20261203T094500Z-ab12 --yes',
    '<%= config.bin %> plug restore blog ./blog.tar.gz --yes',
  ],
  effect: 'destroy',
  args: {
    instance: INSTANCE,
    from: {description: 'ID, TENANT/INSTANCE:ID, or a local FILE', required: true},
  },
  flags: {tenant: INSTANCE_FLAG_TENANT, yes: YES, 'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const PLUG_OUTDATED = {
  path: 'plug outdated',
  description:
    "Newer tags of the images instances run, from each image's registry (within the pinned major unless " +
    '--major; digests shown)',
  examples: ['<%= config.bin %> plug outdated', '<%= config.bin %> plug outdated acme/n8n --major --json'],
  effect: 'read',
  args: {instance: {description: 'INSTANCE or TENANT/INSTANCE (default: every instance)'}},
  flags: {
    tenant: INSTANCE_FLAG_TENANT,
    major: {type: 'boolean', description: 'also list newer major versions'},
  },
} as const satisfies CommandSpec

export const CATALOG_OUTDATED = {
  path: 'catalog outdated',
  description: "Newer tags of the images the catalog pins, from each image's registry (digests shown)",
  examples: ['<%= config.bin %> catalog outdated', '<%= config.bin %> catalog outdated --major --json'],
  effect: 'read',
  flags: {
    major: {type: 'boolean', description: 'also list newer major versions'},
    registry: {type: 'string', description: 'only images of this registry (HOST[:PORT], docker.io for Docker Hub)'},
  },
} as const satisfies CommandSpec

export const REGISTRY_LOGIN = {
  path: 'registry login',
  description:
    'Store credentials for a private registry (checked against it first; kept in the keychain or the ' +
    'encrypted file, passed to the engine per pull, never printed)',
  examples: [
    '<%= config.bin %> registry login ghcr.io --username me',
    'printf %s "$TOKEN" | <%= config.bin %> registry login 127.0.0.1:5001 --username ci --password-stdin',
  ],
  effect: 'change',
  args: {registry: {description: 'HOST or HOST:PORT of the registry', required: true}},
  flags: {
    username: {type: 'string', char: 'u', description: 'the user name (asked on a terminal when absent)'},
    'password-stdin': {type: 'boolean', description: 'read the password or token from stdin'},
  },
} as const satisfies CommandSpec

export const REGISTRY_LOGOUT = {
  path: 'registry logout',
  description: 'Forget the stored credentials of a registry',
  examples: ['<%= config.bin %> registry logout ghcr.io'],
  effect: 'change',
  args: {registry: {description: 'HOST or HOST:PORT of the registry', required: true}},
} as const satisfies CommandSpec

export const UPGRADE_COMMANDS = [
  PLUG_OUTDATED,
  CATALOG_OUTDATED,
  REGISTRY_LOGIN,
  REGISTRY_LOGOUT,
  PLUG_UPGRADE,
  PLUG_ROLLBACK,
  PLUG_RELEASES,
  PLUG_BACKUP,
  PLUG_BACKUPS,
  PLUG_RESTORE,
] as const
