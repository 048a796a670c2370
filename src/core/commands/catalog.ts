/** `aims catalog …`: browse, search and validate the plug catalog (declarations only: see spec.ts). */
import {CATEGORIES} from '../catalog/model.js'
import type {CommandSpec} from './spec.js'

export const CATALOG_LS = {
  path: 'catalog ls',
  description: 'List the plugs you can deploy, with their size, minimum tier and estimated monthly cost',
  aliases: ['catalog list'],
  examples: [
    '<%= config.bin %> catalog ls',
    '<%= config.bin %> catalog ls --category ai',
    '<%= config.bin %> catalog ls --json',
  ],
  effect: 'read',
  flags: {
    category: {
      type: 'string',
      char: 'c',
      description: `only plugs of this category (${CATEGORIES.join(', ')})`,
      agent: {
        kind: 'text',
        max: 40,
        lowercase: true,
        description: `${CATEGORIES.slice(0, -1).join(', ')} or ${CATEGORIES.at(-1)}`,
      },
    },
  },
  agent: {
    description:
      'List the plugs (apps) that can be deployed, optionally of one category, with size and estimated monthly cost.',
  },
} as const satisfies CommandSpec

export const CATALOG_SEARCH = {
  path: 'catalog search',
  description: 'Search the catalog by id, name, tags and description (typos forgiven)',
  examples: [
    '<%= config.bin %> catalog search automation',
    '<%= config.bin %> catalog search "uptime kuma"',
    '<%= config.bin %> catalog search llm --json',
  ],
  effect: 'read',
  args: {
    query: {
      description: 'words to look for',
      required: true,
      agent: {kind: 'text', max: 100, description: 'words to look for, e.g. "monitoring"'},
    },
  },
  // Several words without quotes are one query.
  variadic: true,
  agent: {description: 'Search the catalog by words (name, tags, description; typos forgiven).'},
} as const satisfies CommandSpec

export const CATALOG_SHOW = {
  path: 'catalog show',
  description:
    'Show a plug: services, ports, volumes, health checks, the questions it asks, resources and estimated cost',
  examples: ['<%= config.bin %> catalog show n8n', '<%= config.bin %> catalog show ghost --json'],
  effect: 'read',
  args: {
    plug: {
      description: 'plug id (see aims catalog ls)',
      required: true,
      agent: {kind: 'text', max: 64, lowercase: true, description: 'plug id, e.g. n8n or uptime-kuma'},
    },
  },
  agent: {
    description:
      'Show one plug: its services, the settings (env) it asks for, resources and estimated cost. Use it before ' +
      "deploying to learn a plug's questions.",
  },
} as const satisfies CommandSpec

export const CATALOG_VALIDATE = {
  path: 'catalog validate',
  description:
    'Check catalog files (a file or a directory; default: every configured catalog directory) and explain each problem',
  examples: [
    '<%= config.bin %> catalog validate',
    '<%= config.bin %> catalog validate ./my-plugs',
    '<%= config.bin %> catalog validate ./my-plugs/app.yaml --json',
  ],
  effect: 'read',
  args: {path: {description: 'a plug file (<id>.yaml) or a directory of them'}},
} as const satisfies CommandSpec

export const CATALOG_COMMANDS = [CATALOG_LS, CATALOG_SEARCH, CATALOG_SHOW, CATALOG_VALIDATE] as const
