/** `aims login` / `aims logout`: API keys in the OS keychain (declarations only: see spec.ts). */
import {DRY_RUN, type CommandSpec, type FlagSpec} from './spec.js'

/** Flags people try for a key: declared only to refuse them without echoing the value. */
const REFUSED_KEY = {
  type: 'string',
  description: 'refused: a key is never an argument',
  hidden: true,
} as const satisfies FlagSpec

export const LOGIN = {
  path: 'login',
  description:
    'Store an API key for ACHEEVY in the OS keychain (an encrypted file where there is none); ' +
    '--status shows where each key comes from, never the key',
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
    extra: {description: 'refused: a key is never an argument', hidden: true, ignoreStdin: true},
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
    key: {...REFUSED_KEY, secret: true},
    'api-key': {...REFUSED_KEY, secret: true},
    token: {...REFUSED_KEY, secret: true},
    password: {...REFUSED_KEY, secret: true},
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
    extra: {description: 'refused: a key is never an argument', hidden: true, ignoreStdin: true},
  },
  flags: {'dry-run': DRY_RUN},
} as const satisfies CommandSpec

export const LOGIN_COMMANDS = [LOGIN, LOGOUT] as const
