/**
 * What goes into a build context (or a site upload) and what must not: `.dockerignore` rules as
 * Docker reads them, a size limit, and a scan for secrets (keys, tokens, .env files) that would end
 * up in an image layer. Pure: the caller walks the directory and passes paths and contents in.
 */

/** One `.dockerignore` rule: a pattern, or an exception (`!pattern`). */
interface IgnoreRule {
  regex: RegExp
  exception: boolean
}

/** Always left out, whatever .dockerignore says: version control and aims' own build output. */
export const ALWAYS_IGNORED = ['.git', '.hg', '.svn']

/** Default limit of a build context or site upload (bytes). */
export const CONTEXT_LIMIT_BYTES = 200 * 1024 * 1024

function patternRegex(pattern: string): RegExp {
  let source = ''
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!
    if (char === '*' && pattern[index + 1] === '*') {
      // "**/" matches any number of directories, including none.
      if (pattern[index + 2] === '/') {
        source += '(?:.*/)?'
        index += 2
      } else {
        source += '.*'
        index += 1
      }
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  // A pattern naming a directory excludes everything below it.
  return new RegExp(`^${source}(?:/.*)?$`)
}

/** Parses a .dockerignore file: comments and blank lines dropped, leading "/" and "./" removed. */
export function parseIgnoreFile(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const exception = line.startsWith('!')
    if (exception) line = line.slice(1).trim()
    line = line
      .replace(/^(\.\/)+/, '')
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
    if (line === '' || line === '.') continue
    rules.push({regex: patternRegex(line), exception})
  }
  return rules
}

/** Docker's rule: the last matching pattern decides; an exception re-includes. */
export function isIgnored(path: string, rules: IgnoreRule[]): boolean {
  if (ALWAYS_IGNORED.some((name) => path === name || path.startsWith(`${name}/`))) return true
  let ignored = false
  for (const rule of rules) if (rule.regex.test(path)) ignored = !rule.exception
  return ignored
}

export interface SecretFinding {
  path: string
  /** What was found (never the value). */
  what: string
}

const SECRET_FILES: Array<[RegExp, string]> = [
  [/(^|\/)\.env(\.[a-z0-9_-]+)?$/i, 'an environment file'],
  [/(^|\/)id_(rsa|dsa|ecdsa|ed25519)$/, 'an SSH private key file'],
  [/\.(pem|key|p12|pfx)$/i, 'a key or certificate file'],
  [/(^|\/)\.npmrc$/, 'an npm credentials file'],
  [/(^|\/)\.aws\/credentials$/, 'AWS credentials'],
]

const SECRET_CONTENT: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}\b/, 'an API key (sk-…)'],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
]

/** Files whose name or content looks like a secret; `.env.example`-style templates are allowed. */
export function scanForSecrets(files: Array<{path: string; content: Buffer}>): SecretFinding[] {
  const findings: SecretFinding[] = []
  for (const file of files) {
    if (/\.(example|sample|template|dist)$/i.test(file.path)) continue
    const byName = SECRET_FILES.find(([pattern]) => pattern.test(file.path))
    if (byName) {
      findings.push({path: file.path, what: byName[1]})
      continue
    }
    if (file.content.length > 2 * 1024 * 1024 || file.content.includes(0)) continue
    const text = file.content.toString('utf8')
    const byContent = SECRET_CONTENT.find(([pattern]) => pattern.test(text))
    if (byContent) findings.push({path: file.path, what: byContent[1]})
  }
  return findings
}
