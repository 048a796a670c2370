/**
 * Secret masking for text that leaves aims' control: prompts sent to a model
 * (container logs, inspect output) and error messages built from what an API
 * answered (some APIs echo the key they rejected).
 */

export const secretMask = '***'

/** Values shorter than this are not masked: they would hit ordinary words. */
const shortestMaskedSecret = 4

/** Replaces every occurrence of each known secret value, longest first (one may contain another). */
export function maskSecretValues(text: string, secrets: Iterable<string | undefined>): string {
  const values = [
    ...new Set(
      [...secrets].filter(
        (value): value is string => typeof value === 'string' && value.length >= shortestMaskedSecret,
      ),
    ),
  ]
  values.sort((a, b) => b.length - a.length)
  let masked = text
  for (const value of values) masked = masked.split(value).join(secretMask)
  return masked
}

// Words that make a KEY in KEY=VALUE (or "key": "value") a secret.
const secretWords = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
  'auth',
  'privatekey',
  'accesskey',
  'secretkey',
  'dsn',
])
// A word followed by `key` that makes a secret (API_KEY, ACCESS_KEY, PRIVATE-KEY, signingKey…).
const keyQualifiers = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'encryption',
  'master',
  'license',
  'client',
])

/** Splits `DB_PASSWORD`, `dbPassword`, `api-key`, `x.auth.token` into lower-case words. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase())
}

export function isSecretLookingKey(key: string): boolean {
  const words = keyWords(key)
  return words.some(
    (word, index) => secretWords.has(word) || (word === 'key' && index > 0 && keyQualifiers.has(words[index - 1]!)),
  )
}

const knownTokenShapes: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // Anthropic, OpenAI
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
]

/**
 * Masks what looks like a secret whatever its value: well-known token shapes,
 * `Bearer …`/`Basic …` credentials, passwords in URLs, and the value of
 * KEY=VALUE / KEY: VALUE / "key": "value" pairs whose key names a secret.
 */
export function maskSecretShapes(text: string): string {
  let masked = text
  for (const shape of knownTokenShapes) masked = masked.replace(shape, secretMask)
  masked = masked.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${secretMask}`)
  masked = masked.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+):([^\s@/]+)@/gi, `$1:${secretMask}@`)
  masked = masked.replace(
    // The lookbehind starts a key only at the start of a word: without it a long
    // unbroken run (base64, a minified line) is rescanned from every position.
    /(["']?)(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)\1(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"',;}\]]+)/g,
    (whole, quote: string, key: string, separator: string, value: string) => {
      if (!isSecretLookingKey(key)) return whole
      if (value.includes(secretMask) || /^["']{2}$/.test(value)) return whole
      const shownValue = /^["']/.test(value) ? `${value[0]}${secretMask}${value[0]}` : secretMask
      return `${quote}${key}${quote}${separator}${shownValue}`
    },
  )
  return masked
}

/** Known values first (exact), then anything secret-shaped. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  return maskSecretShapes(maskSecretValues(text, secrets))
}
