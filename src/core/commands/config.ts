/** `aims config …`: read and change preferences (declarations only: see spec.ts). */
import {DRY_RUN, type CommandSpec} from './spec.js'

export const CONFIG_GET = {
  path: 'config get',
  description: 'Show a preference, or every preference that is set and the keys you can set',
  examples: [
    '<%= config.bin %> config get',
    '<%= config.bin %> config get ai.provider',
    '<%= config.bin %> config get tenants.acme.tier --json',
  ],
  effect: 'read',
  args: {key: {description: 'a dotted key such as default-tenant or tenants.acme.tier'}},
} as const satisfies CommandSpec

/** `config set` changes local preferences: a change, so it passes the confirmation gate like any other. */
export const CONFIG_SET = {
  path: 'config set',
  description: 'Set (or --unset) a preference: default tenant, AI provider, tiers and limits, prices, network pool',
  examples: [
    '<%= config.bin %> config set default-tenant acme',
    '<%= config.bin %> config set ai.provider ollama',
    '<%= config.bin %> config set tenants.acme.tier starter',
    '<%= config.bin %> config set tenants.acme.spending-limit 50',
    '<%= config.bin %> config set ai.model --unset',
  ],
  effect: 'change',
  args: {
    key: {description: 'dotted key (aims config get lists them)', required: true},
    value: {description: 'the new value'},
  },
  flags: {
    unset: {type: 'boolean', description: 'remove the preference'},
    'dry-run': DRY_RUN,
  },
} as const satisfies CommandSpec

export const CONFIG_COMMANDS = [CONFIG_GET, CONFIG_SET] as const
