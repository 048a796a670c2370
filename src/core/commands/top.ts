/** The top-level commands (declarations only: see spec.ts). */
import {DRY_RUN, INSTANCE_ARG, LISTING_INSTANCE_TENANT, TENANT, TENANT_FILTER, YES, type CommandSpec} from './spec.js'

export const INIT = {
  path: 'init',
  description:
    'Guided first run: add and trust your VPS, check it, pick a default tenant and an AI provider for ACHEEVY',
  examples: [
    '<%= config.bin %> init                      # asks, on a terminal',
    '<%= config.bin %> init --target root@203.0.113.7 --identity ~/.ssh/id_ed25519 --domain apps.example.com ' +
      '--tenant acme --yes',
    '<%= config.bin %> init --target local --ai-provider ollama --yes',
  ],
  effect: 'change',
  flags: {
    name: {type: 'string', description: 'name for the host', default: 'vps'},
    target: {type: 'string', description: 'SSH target of the VPS (user@host[:port]), or local'},
    identity: {type: 'string', char: 'i', description: 'private key to log in with'},
    domain: {type: 'string', description: 'domain whose subdomains route to this host'},
    tenant: {type: 'string', description: 'default tenant'},
    'ai-provider': {
      type: 'string',
      description: 'ACHEEVY provider: offline, anthropic, openai, openai-compatible, ollama, vllm, llama.cpp, lmstudio',
    },
    'ai-base-url': {type: 'string', description: 'base URL of an OpenAI-compatible server'},
    'skip-doctor': {type: 'boolean', description: 'do not check the host'},
    yes: YES,
  },
} as const satisfies CommandSpec

export const DOCTOR = {
  path: 'doctor',
  description:
    'Check that a host is ready for aims: SSH, host key, Docker engine, storage, disk, memory, nginx, ports and clock',
  examples: ['<%= config.bin %> doctor', '<%= config.bin %> doctor --host vps --json'],
  effect: 'read',
  agent: {
    description:
      'Check that the host is ready for aims: SSH, host key, Docker engine, disk, memory, nginx, ports and clock.',
  },
} as const satisfies CommandSpec

/** `export` writes local files: a change, so ACHEEVY's call passes the gate. */
export const EXPORT = {
  path: 'export',
  description:
    'Write a self-host bundle that runs a plug or an instance without aims\n\nThe bundle: docker-compose.yml, ' +
    '.env.example, setup.sh, healthcheck.sh, nginx.conf and README.md. An instance export carries its non-secret ' +
    'settings, never a secret value.',
  examples: [
    '<%= config.bin %> export n8n',
    '<%= config.bin %> export acme/n8n --out ./acme-n8n',
    '<%= config.bin %> export my-blog --tenant acme --force --json',
  ],
  effect: 'change',
  args: {
    target: {
      description:
        'a plug id (aims catalog ls), or an instance: TENANT/NAME, or NAME with --tenant (a bare NAME that is no ' +
        'plug is looked up in the default tenant)',
      required: true,
      agent: {kind: 'target', description: 'a plug id (e.g. uptime-kuma) or an instance TENANT/NAME'},
    },
  },
  flags: {
    out: {
      type: 'string',
      char: 'o',
      description: 'directory to write (default: ./<plug-or-instance>-bundle)',
      agent: {kind: 'relative-dir', description: 'directory to write (relative, default chosen by aims)'},
    },
    force: {
      type: 'boolean',
      description:
        'write into a non-empty directory: the bundle files are replaced, other files (such as .env) are kept',
    },
    tenant: TENANT,
  },
  agent: {
    description:
      'Write a self-host bundle (docker-compose, .env.example, setup script, README) for a plug or an instance, so ' +
      'a client can run it without aims. Writes files: the user confirms.',
  },
} as const satisfies CommandSpec

export const DOCK = {
  path: 'dock',
  description:
    'The live dock: a full-screen view of every instance (status, health, CPU and memory sparklines, URL, uptime), ' +
    'its services, env names and live logs, and the events stream; restart, stop/start, take down or export from ' +
    'the keyboard, each change confirmed through the same gate as the CLI',
  examples: [
    '<%= config.bin %> dock',
    '<%= config.bin %> dock --tenant acme',
    '<%= config.bin %> dock --readonly   # watch only: r, s and d are disabled',
  ],
  effect: 'read',
  flags: {
    tenant: TENANT_FILTER,
    readonly: {type: 'boolean', description: 'watch only: the keys that change instances (r, s, d) are disabled'},
  },
} as const satisfies CommandSpec

export const EVENTS = {
  path: 'events',
  description:
    "What happened to instances: the engine's events for aims-managed containers merged with aims' own lifecycle " +
    'events (deploys, restarts, scaling, health changes, decommissions), recorded on the host so every machine ' +
    'sees them',
  examples: [
    '<%= config.bin %> events                      # the last hour',
    '<%= config.bin %> events --since 1d --tenant acme',
    '<%= config.bin %> events --follow --json      # one JSON object per line',
  ],
  effect: 'read',
  flags: {
    follow: {type: 'boolean', char: 'f', description: 'keep streaming new events (Ctrl-C to stop)'},
    since: {
      type: 'string',
      description:
        'start this long ago (90s, 10m, 2h, 1d) or at an ISO time [default: 1h; with --follow: only new events]',
    },
    tenant: TENANT_FILTER,
  },
  agent: {description: 'Recent engine and aims lifecycle events of aims-managed objects (the last hour).'},
} as const satisfies CommandSpec

const ALL_INSTANCES_ARG = {
  description: 'INSTANCE or TENANT/INSTANCE (default: all)',
  required: false,
  agent: {...INSTANCE_ARG.agent, description: `${INSTANCE_ARG.agent.description}; omit for all instances`},
} as const

export const STATS = {
  path: 'stats',
  description:
    'CPU, memory and network of every running container, summed per instance: one sample, all containers sampled ' +
    'at once',
  examples: [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats acme/n8n --json',
    '<%= config.bin %> stats --tenant acme',
  ],
  effect: 'read',
  args: {instance: ALL_INSTANCES_ARG},
  flags: {tenant: LISTING_INSTANCE_TENANT},
  agent: {description: 'Resource usage (CPU %, memory, network) of one instance or all, one sample.'},
} as const satisfies CommandSpec

export const HEALTH = {
  path: 'health',
  description:
    "Live health of every instance (or one), with each service's probe result; exits 1 when a checked instance is " +
    'unhealthy',
  examples: [
    '<%= config.bin %> health',
    '<%= config.bin %> health acme/n8n || alert',
    '<%= config.bin %> health --tenant acme --json',
    '<%= config.bin %> health acme/n8n --history   # what the warden saw and did',
  ],
  effect: 'read',
  args: {instance: ALL_INSTANCES_ARG},
  flags: {
    tenant: LISTING_INSTANCE_TENANT,
    history: {
      type: 'boolean',
      description: "the host's health history (state changes, probe failures, the warden's actions) instead of probing",
    },
    limit: {type: 'integer', description: 'with --history: the last N events', default: 50, min: 1, max: 1000},
  },
  agent: {description: 'Health of one instance or all (live probes).'},
} as const satisfies CommandSpec

export const AUDIT = {
  path: 'audit',
  description:
    'What was applied, by whom, from which command or utterance (this machine, or the host copy with --remote)',
  examples: ['<%= config.bin %> audit', '<%= config.bin %> audit --remote --host vps --json'],
  effect: 'read',
  flags: {
    remote: {type: 'boolean', description: "read the host's copy (every machine's actions on that host)"},
    limit: {type: 'integer', char: 'n', description: 'show the last N records', default: 50, min: 1},
  },
} as const satisfies CommandSpec

export const ASK = {
  path: 'ask',
  description:
    'Ask ACHEEVY once: your words become an aims command; reads run, changes need --yes (or a yes at a terminal)',
  examples: [
    `<%= config.bin %> ask "what's running?"`,
    '<%= config.bin %> ask "spin up n8n for acme" --dry-run --json   ' +
      '# {"argv": ["plug","up","n8n","--tenant","acme"], …}',
    '<%= config.bin %> ask "restart acme/n8n" --yes',
    '<%= config.bin %> ask "take down acme/blog" --yes   # a destroy needs --yes and the instance named',
    '<%= config.bin %> ask --audio request.wav --dry-run --json   # a recorded request; the result has its transcript',
  ],
  // What it reads or changes is the command it maps to; asking itself changes nothing.
  effect: 'read',
  args: {
    text: {
      description: 'what you want, in your own words (quote it); or --audio FILE',
      required: false,
      ignoreStdin: true,
    },
  },
  // Unquoted words are one request.
  variadic: true,
  flags: {
    'dry-run': {
      ...DRY_RUN,
      description: 'print the aims command the request maps to and change nothing (works without a host)',
    },
    yes: {...YES, description: 'apply a change without asking; a destroy also needs the instance named in the request'},
    audio: {
      type: 'string',
      description:
        'a recorded request instead of TEXT: a WAV file (PCM or float, any rate, mono or stereo; 16 kHz mono is best)',
    },
  },
} as const satisfies CommandSpec

export const CHAT = {
  path: 'chat',
  description:
    'Talk to ACHEEVY: ask in your own words; it runs the same commands as the CLI and asks before every change',
  examples: [
    '<%= config.bin %> chat',
    '<%= config.bin %> chat --resume            # continue the latest chat',
    '<%= config.bin %> chat --resume 20250101-120000-a1b2',
    'printf "deploy fixture-web for acme\\nyes\\n" | <%= config.bin %> chat   ' +
      '# without a terminal, answers are the next lines of stdin',
  ],
  effect: 'read',
  json: false,
  args: {
    id: {description: 'chat to continue (with --resume; default: the latest)', required: false, ignoreStdin: true},
  },
  flags: {resume: {type: 'boolean', description: 'continue a chat: the given ID, or the latest one'}},
} as const satisfies CommandSpec

/** Flags people try for a key: declared only to refuse them, and masked wherever the command line is recorded. */
const REFUSED_KEY_FLAG = {
  type: 'string',
  description: 'refused: keys never go on the command line',
  hidden: true,
  secret: true,
} as const

export const LOGIN = {
  path: 'login',
  description:
    'Store an API key for ACHEEVY in the OS keychain (an encrypted file where there is none); --status shows where ' +
    'each key comes from, never the key',
  examples: [
    '<%= config.bin %> login anthropic',
    '<%= config.bin %> login openai-compatible http://127.0.0.1:8000/v1',
    'printf %s "$OPENAI_API_KEY" | <%= config.bin %> login openai --with-key-stdin',
    '<%= config.bin %> login --status',
  ],
  effect: 'change',
  args: {
    provider: {description: 'anthropic, openai or openai-compatible (ls: the same as --status)', ignoreStdin: true},
    url: {description: "the server's base URL, for openai-compatible", ignoreStdin: true},
    extra: {description: 'refused: a key given as an argument', hidden: true, ignoreStdin: true},
  },
  flags: {
    'with-key-stdin': {
      type: 'boolean',
      description: 'read the key from stdin (CI, scripts); never pass it as an argument',
    },
    status: {type: 'boolean', description: 'show where each key comes from (env, keychain, encrypted file)'},
    store: {
      type: 'string',
      description: 'where to keep it: auto (the keychain when there is one), keychain, or file',
      options: ['auto', 'keychain', 'file'],
    },
    'dry-run': DRY_RUN,
    key: REFUSED_KEY_FLAG,
    'api-key': REFUSED_KEY_FLAG,
    token: REFUSED_KEY_FLAG,
    password: REFUSED_KEY_FLAG,
  },
} as const satisfies CommandSpec

export const LOGOUT = {
  path: 'logout',
  description: 'Remove an API key stored by aims login (keychain or encrypted file); env vars are not touched',
  examples: [
    '<%= config.bin %> logout anthropic',
    '<%= config.bin %> logout openai-compatible http://127.0.0.1:8000/v1',
  ],
  effect: 'change',
  args: {
    provider: {description: 'anthropic, openai or openai-compatible', required: true, ignoreStdin: true},
    url: {description: "the server's base URL, for openai-compatible", ignoreStdin: true},
    extra: {description: 'refused: a key given as an argument', hidden: true, ignoreStdin: true},
  },
  flags: {'dry-run': DRY_RUN},
} as const satisfies CommandSpec

// In the order ACHEEVY lists its tools.
/** The first run: a real plug deployed on this machine, and taken down again. */
export const QUICKSTART = {
  path: 'quickstart',
  description:
    'Deploy a small plug on this machine to see aims work, and take it down again\n\n' +
    'Builds a tiny web image here (no registry needed), deploys it to the local Docker engine through the same ' +
    'plan, gates and health check as any plug, and prints its URL. "quickstart down" removes the instance and the ' +
    'image. On Debian without Docker, --install (as root) installs and starts docker.io, nginx and busybox-static.',
  examples: [
    '<%= config.bin %> quickstart',
    '<%= config.bin %> quickstart down',
    'sudo <%= config.bin %> quickstart --install --yes',
  ],
  effect: 'change',
  args: {
    action: {description: 'up (the default) or down', ignoreStdin: true},
  },
  flags: {
    tenant: {...TENANT, description: 'tenant of the instance', default: 'quickstart'},
    install: {
      type: 'boolean',
      description: 'without a Docker engine, install and start docker.io, nginx, busybox-static (Debian, root)',
    },
    yes: YES,
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

/** Shell completion: the script for a shell, and the candidates its TAB asks for (--complete). */
export const COMPLETION = {
  path: 'completion',
  description:
    'Print the shell completion script for bash, zsh or fish: commands, flags, plug ids, instances, hosts, ' +
    'tenants and config keys complete on TAB\n\nbash: eval "$(aims completion bash)" in ~/.bashrc; zsh: ' +
    'eval "$(aims completion zsh)" in ~/.zshrc; fish: aims completion fish > ~/.config/fish/completions/aims.fish',
  examples: ['<%= config.bin %> completion bash', '<%= config.bin %> completion --complete -- plug logs '],
  effect: 'read',
  args: {shell: {description: 'bash, zsh or fish', ignoreStdin: true}},
  variadic: true,
  json: false,
  flags: {
    complete: {type: 'boolean', hidden: true, description: 'print the candidates for the words after --'},
  },
} as const satisfies CommandSpec

export const TOP_COMMANDS = [
  QUICKSTART,
  COMPLETION,
  EXPORT,
  STATS,
  HEALTH,
  EVENTS,
  DOCTOR,
  INIT,
  DOCK,
  AUDIT,
  ASK,
  CHAT,
  LOGIN,
  LOGOUT,
] as const
