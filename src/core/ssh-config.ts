/**
 * The part of OpenSSH's client config that aims honours: for a target alias,
 * HostName, User, Port and IdentityFile, with ssh's "first value wins" rule.
 * Pure: the caller reads the file(s).
 */

export interface SshConfigBlock {
  /** Host patterns; `undefined` for the lines before the first Host (apply to all). */
  patterns?: string[]
  /** A `Match` block: aims does not evaluate Match criteria and skips it. */
  match?: boolean
  options: Array<[keyword: string, value: string]>
}

export interface SshConfigResult {
  hostName?: string
  user?: string
  port?: number
  identityFiles: string[]
  identitiesOnly?: boolean
  userKnownHostsFiles?: string[]
  /** Config files named by Include that the caller may want to read too. */
}

export function parseSshConfig(text: string): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [{options: []}]
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (!match) continue
    const keyword = (match[1] ?? '').toLowerCase()
    const value = unquote((match[2] ?? '').trim())
    if (keyword === 'host') {
      blocks.push({patterns: value.split(/\s+/).filter(Boolean), options: []})
    } else if (keyword === 'match') {
      blocks.push({match: true, options: []})
    } else {
      blocks.at(-1)?.options.push([keyword, value])
    }
  }
  return blocks
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

function globMatch(pattern: string, value: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i').test(value)
}

export function hostPatternsMatch(patterns: string[], alias: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), alias)) return false
    } else if (globMatch(pattern, alias)) {
      matched = true
    }
  }
  return matched
}

export interface TokenContext {
  home: string
  localUser: string
  remoteUser?: string
  hostName: string
  alias: string
  port: number
}

/** ssh_config tokens used in IdentityFile / UserKnownHostsFile: ~ %d %h %n %p %r %u %%. */
export function expandTokens(value: string, context: TokenContext): string {
  const withHome = value.startsWith('~/') ? `${context.home}${value.slice(1)}` : value
  return withHome.replace(/%([%dhnpru])/g, (_, token: string) => {
    switch (token) {
      case '%':
        return '%'
      case 'd':
        return context.home
      case 'h':
        return context.hostName
      case 'n':
        return context.alias
      case 'p':
        return String(context.port)
      case 'r':
        return context.remoteUser ?? context.localUser
      default:
        return context.localUser
    }
  })
}

/** Applies the blocks to an alias the way ssh does: the first obtained value of each keyword wins. */
export function resolveSshConfig(blocks: SshConfigBlock[], alias: string): SshConfigResult {
  const result: SshConfigResult = {identityFiles: []}
  const seen = new Set<string>()
  for (const block of blocks) {
    if (block.match) continue
    if (block.patterns && !hostPatternsMatch(block.patterns, alias)) continue
    for (const [keyword, value] of block.options) {
      if (keyword === 'identityfile') {
        result.identityFiles.push(value)
        continue
      }
      if (seen.has(keyword)) continue
      seen.add(keyword)
      if (keyword === 'hostname') result.hostName = value
      else if (keyword === 'user') result.user = value
      else if (keyword === 'port' && /^\d+$/.test(value)) result.port = Number(value)
      else if (keyword === 'identitiesonly') result.identitiesOnly = value.toLowerCase() === 'yes'
      else if (keyword === 'userknownhostsfile') result.userKnownHostsFiles = value.split(/\s+/)
    }
  }
  return result
}

/** Paths named by Include lines (relative ones are relative to ~/.ssh), for the caller to read. */
export function includedFiles(blocks: SshConfigBlock[]): string[] {
  return blocks.flatMap((block) =>
    block.options.filter(([keyword]) => keyword === 'include').flatMap(([, value]) => value.split(/\s+/)),
  )
}
