/** `aims host …`: the VPS hosts aims manages (declarations only: see spec.ts). */
import {DRY_RUN, YES, type CommandSpec} from './spec.js'

export const HOST_ADD = {
  path: 'host add',
  description: 'Add a host: a VPS reached over SSH, or "local" for this machine\'s Docker engine',
  examples: [
    '<%= config.bin %> host add vps root@203.0.113.7 --identity ~/.ssh/id_ed25519 --domain apps.example.com',
    '<%= config.bin %> host add vps root@203.0.113.7 --domain apps.example.com ' +
      '--tls-certbot-dir /etc/letsencrypt/live/apps.example.com',
    '<%= config.bin %> host add prod ssh://deploy@prod.example.com:2222 --default',
    '<%= config.bin %> host add box my-ssh-alias',
    '<%= config.bin %> host add laptop local',
  ],
  effect: 'change',
  args: {
    name: {description: 'a short name for the host (e.g. vps)', required: true},
    target: {
      description: 'ssh://user@host[:port] | user@host[:port] | an alias from ~/.ssh/config | local',
      required: true,
    },
  },
  flags: {
    identity: {type: 'string', char: 'i', description: 'private key file to log in with'},
    domain: {type: 'string', description: 'domain whose subdomains route to this host (instance.tenant.DOMAIN)'},
    default: {type: 'boolean', description: 'make this the default host'},
    force: {type: 'boolean', description: 'replace a host of the same name'},
    'docker-socket': {
      type: 'string',
      description: 'path of the Docker socket on the host (default /var/run/docker.sock)',
    },
    'nginx-conf-dir': {
      type: 'string',
      description: 'where plug nginx confs go on the host (default /etc/nginx/conf.d/plugs)',
    },
    'state-dir': {type: 'string', description: 'aims state (locks, audit copy) on the host (default /var/lib/aims)'},
    'tls-cert': {
      type: 'string',
      description: 'TLS certificate (full chain) on the host, e.g. a wildcard for *.DOMAIN',
    },
    'tls-key': {type: 'string', description: 'TLS private key on the host'},
    'tls-certbot-dir': {
      type: 'string',
      description:
        "certbot's live dir on the host (fullchain.pem, privkey.pem), e.g. /etc/letsencrypt/live/example.com",
    },
    'registry-mirror': {
      type: 'string',
      description:
        'registry that images of ghcr.io, quay.io and other non-Docker-Hub registries pull from, e.g. 127.0.0.1:5000',
    },
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const HOST_LS = {
  path: 'host ls',
  description: 'List configured hosts, the default one, and whether their SSH host keys are trusted',
  effect: 'read',
} as const satisfies CommandSpec

export const HOST_PING = {
  path: 'host ping',
  description: "Measure the round trip to a host's Docker engine over aims' one connection",
  examples: ['<%= config.bin %> host ping vps', '<%= config.bin %> host ping vps --count 50 --json'],
  effect: 'read',
  args: {name: {description: 'host name (default: the selected host)'}},
  flags: {
    count: {type: 'integer', char: 'c', description: 'number of engine API calls', default: 5, min: 1, max: 10_000},
  },
} as const satisfies CommandSpec

export const HOST_RM = {
  path: 'host rm',
  description: 'Forget a host (nothing on the host is touched)',
  effect: 'destroy',
  args: {name: {description: 'host name', required: true}},
  flags: {'dry-run': DRY_RUN, yes: YES},
} as const satisfies CommandSpec

export const HOST_TRUST = {
  path: 'host trust',
  description: "Fetch a host's SSH key, show its SHA256 fingerprint, and record it once you confirm",
  examples: [
    '<%= config.bin %> host trust vps',
    '<%= config.bin %> host trust vps --yes   # scripts: trust on first use',
    '<%= config.bin %> host trust vps --replace-key SHA256:…   # the host was re-keyed: name the new key',
  ],
  effect: 'change',
  args: {name: {description: 'host name', required: true}},
  flags: {
    yes: YES,
    'dry-run': DRY_RUN,
    'replace-key': {
      type: 'string',
      description:
        "replace a changed host key: the new key's SHA256 fingerprint, exactly (--yes alone never replaces one)",
    },
  },
} as const satisfies CommandSpec

/** `host use` changes a local preference: a change, gated like any other. */
export const HOST_USE = {
  path: 'host use',
  description: 'Make a host the default for every command',
  effect: 'change',
  args: {name: {description: 'host name', required: true}},
  flags: {'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const HOST_COMMANDS = [HOST_ADD, HOST_LS, HOST_PING, HOST_RM, HOST_TRUST, HOST_USE] as const
