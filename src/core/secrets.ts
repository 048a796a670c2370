/**
 * Names and rules for the secrets aims keeps for the user (API keys, registry
 * credentials, speech-to-text keys). Pure: where they are stored is the
 * SecretStore's business (services/secret-store.ts).
 *
 * A secret's name is `KIND:QUALIFIER`: `ai:anthropic`, `ai:openai`,
 * `ai:openai-compatible:http://127.0.0.1:8000/v1`, `registry:HOST[:PORT]`,
 * `stt:PROVIDER[:URL]`. The name is not secret (it is shown by
 * `aims login --status`); the value never leaves the store except to the
 * code that uses it.
 */
import {AimsError, shown} from './errors.js'
import {didYouMean} from './suggest.js'
import {aiSecretNames, keyEnvNames, normalizeBaseUrl} from './ai/settings.js'

export {aiSecretNames}

/** Printable ASCII without spaces, after a lowercase kind and a colon. */
const SECRET_NAME = /^[a-z][a-z0-9-]{0,31}:[\x21-\x7e]{1,512}$/

export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name))
    throw new AimsError('usage', `${shown(name.slice(0, 80))} is not a secret name`, {
      hint: 'names look like ai:anthropic, registry:HOST or stt:openai',
    })
  return name
}

export const registrySecretName = (host: string) => checkSecretName(`registry:${host.toLowerCase()}`)

/** What `aims login` can store a key for. */
export interface LoginTarget {
  /** The secret's name in the store. */
  name: string
  provider: 'anthropic' | 'openai' | 'openai-compatible'
  /** Set for openai-compatible: the normalized base URL the key belongs to. */
  baseUrl?: string
  /** The env var that wins over the stored key. */
  envVar: string
  /** How a person names it: "anthropic", "openai-compatible http://…/v1". */
  label: string
  /** The arguments that name it again (`aims login …`, `aims logout …`). */
  argv: string[]
}

const loginAliases: Record<string, LoginTarget['provider']> = {
  anthropic: 'anthropic',
  claude: 'anthropic',
  openai: 'openai',
  'openai-compatible': 'openai-compatible',
  compatible: 'openai-compatible',
}

/** A word that is more likely a pasted key than a provider name or a URL. */
export function looksLikeKey(value: string): boolean {
  const text = value.trim()
  return /^(sk|pk|rk|ak|key|token|ghp|gho|glpat|xox[abp])[-_]/i.test(text) || (text.length >= 24 && !/[:/.]/.test(text))
}

export function keyAsArgumentError(command: string): AimsError {
  return new AimsError(
    'usage',
    'refusing a key given on the command line (it would stay in your shell history and the process list)',
    {
      hint: `run ${command} and paste the key when asked, or pipe it: printf %s "$KEY" | ${command} --with-key-stdin`,
    },
  )
}

export function parseLoginTarget(providerWord: string, url: string | undefined, verb: 'login' | 'logout'): LoginTarget {
  const word = providerWord.trim().toLowerCase()
  const provider = loginAliases[word]
  if (!provider) {
    if (looksLikeKey(providerWord)) throw keyAsArgumentError(`aims ${verb} PROVIDER`)
    const suggestion = didYouMean(word, ['anthropic', 'openai', 'openai-compatible'])
    throw new AimsError('usage', `aims ${verb} does not know the provider ${shown(providerWord.slice(0, 80))}`, {
      hint: `${suggestion ? `${suggestion} ` : ''}use anthropic, openai, or openai-compatible URL`,
    })
  }
  if (provider !== 'openai-compatible') {
    if (url !== undefined) {
      if (looksLikeKey(url) || !/^https?:\/\//i.test(url.trim())) throw keyAsArgumentError(`aims ${verb} ${provider}`)
      throw new AimsError('usage', `aims ${verb} ${provider} takes no URL`, {
        hint: `for a server of your own, use aims ${verb} openai-compatible ${url.slice(0, 200)}`,
      })
    }
    const name = provider === 'anthropic' ? aiSecretNames.anthropic : aiSecretNames.openai
    return {name, provider, envVar: keyEnvNames[provider], label: provider, argv: [provider]}
  }
  if (url === undefined || url.trim() === '')
    throw new AimsError('usage', `aims ${verb} openai-compatible needs the server's URL`, {
      hint: `for example aims ${verb} openai-compatible http://127.0.0.1:8000/v1`,
    })
  if (looksLikeKey(url) && !/^https?:\/\//i.test(url.trim()))
    throw keyAsArgumentError(`aims ${verb} openai-compatible URL`)
  const baseUrl = normalizeBaseUrl(url, 'openai-compatible', `aims ${verb}`)
  return {
    name: aiSecretNames.compatible(baseUrl),
    provider,
    baseUrl,
    envVar: keyEnvNames.compatible,
    label: `openai-compatible ${baseUrl}`,
    argv: ['openai-compatible', baseUrl],
  }
}

/** The login target a stored name belongs to, if it is an AI key. */
export function loginTargetForName(name: string): LoginTarget | undefined {
  if (name === aiSecretNames.anthropic) return parseLoginTarget('anthropic', undefined, 'login')
  if (name === aiSecretNames.openai) return parseLoginTarget('openai', undefined, 'login')
  const prefix = aiSecretNames.compatible('')
  if (name.startsWith(prefix)) {
    try {
      return parseLoginTarget('openai-compatible', name.slice(prefix.length), 'login')
    } catch {
      return undefined
    }
  }
  return undefined
}

export const MAX_SECRET_LENGTH = 16_384

/**
 * Checks a key as typed or piped: surrounding whitespace (the newline of
 * `echo`) is dropped; inner whitespace or control characters mean something
 * else was pasted. Messages never repeat the value.
 */
export function checkSecretValue(raw: string, what = 'the key'): string {
  const value = raw.replace(/^[\s\uFEFF]+|[\s\uFEFF]+$/g, '')
  if (value === '') throw new AimsError('usage', `${what} is empty`, {hint: 'paste the key itself, then press Enter'})
  if (value.length > MAX_SECRET_LENGTH)
    throw new AimsError('usage', `${what} is ${value.length} characters long, more than ${MAX_SECRET_LENGTH}`, {
      hint: 'paste only the key, not a file',
    })
  if (/[\s\x00-\x1f\x7f]/.test(value))
    throw new AimsError('usage', `${what} contains spaces, line breaks or control characters`, {
      hint: 'paste only the key (one line, no quotes around it)',
    })
  return value
}

/**
 * The env vars that win over a stored secret, by name. Other features add
 * their own kinds here (registry credentials have none: `docker login` files
 * are not read).
 */
export function envVarsForSecret(name: string): string[] {
  if (name === aiSecretNames.anthropic) return [keyEnvNames.anthropic]
  if (name === aiSecretNames.openai) return [keyEnvNames.openai]
  if (name.startsWith(aiSecretNames.compatible(''))) return [keyEnvNames.compatible]
  return []
}
