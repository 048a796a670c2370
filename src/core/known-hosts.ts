/**
 * OpenSSH known_hosts, parsed and matched the way `ssh` does it, so keys users
 * already trust keep working and keys aims records are usable by `ssh`.
 */
import {createHash, createHmac} from 'node:crypto'
import {shown, usageError} from './errors.js'

export interface HostKey {
  /** e.g. ssh-ed25519 */
  type: string
  /** The raw public key blob (what the server sends). */
  blob: Buffer
}

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority'
  patterns: string[]
  key: HostKey
  file: string
  line: number
}

export type HostKeyVerdict =
  | {status: 'trusted'; entry: KnownHostEntry}
  | {status: 'unknown'}
  | {status: 'changed'; known: KnownHostEntry[]}
  | {status: 'revoked'; entry: KnownHostEntry}

/** `SHA256:…` exactly as `ssh` and `ssh-keygen -lf` print it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** A SHA256 fingerprint as ssh-keygen -lf prints it: "SHA256:" and 43 base64 characters (no padding). */
export const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/

/** A fingerprint the user typed (host trust --replace-key), checked before anything is read or written. */
export function checkFingerprint(value: string, flag = '--replace-key'): string {
  const trimmed = value.trim().replace(/=+$/, '')
  if (SHA256_FINGERPRINT.test(trimmed)) return trimmed
  throw usageError(
    value === '' ? `${flag} is empty` : `invalid ${flag} ${shown(value)}: not a SHA256 fingerprint`,
    "give the new key's fingerprint as ssh-keygen -lf prints it on the host, e.g. SHA256:" + 'A'.repeat(43),
  )
}

/** The key type stored inside the blob (first SSH string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const length = blob.readUInt32BE(0)
  return blob.subarray(4, 4 + length).toString('latin1')
}

/** ED25519, RSA, ECDSA… as in "ED25519 key fingerprint is SHA256:…". */
export function keyTypeLabel(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519'
  if (type === 'ssh-rsa' || type.startsWith('rsa-')) return 'RSA'
  if (type.startsWith('ecdsa-')) return 'ECDSA'
  if (type === 'ssh-dss') return 'DSA'
  return type.toUpperCase()
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry['marker']
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker']
    const [patterns, type, base64] = fields
    if (!patterns || !type || !base64) return
    const blob = Buffer.from(base64, 'base64')
    if (blob.length === 0 || keyTypeOf(blob) !== type) return
    entries.push({...(marker ? {marker} : {}), patterns: patterns.split(','), key: {type, blob}, file, line: index + 1})
  })
  return entries
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i')
}

function matchesHashed(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|')
  if (magic !== '1' || !salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

/** OpenSSH semantics: any negated match excludes the line; otherwise any positive match includes it. */
export function patternsMatch(patterns: string[], name: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    if (pattern.startsWith('|')) {
      if (matchesHashed(pattern, name)) matched = true
      continue
    }
    const negated = pattern.startsWith('!')
    const body = negated ? pattern.slice(1) : pattern
    if (globToRegExp(body).test(name)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

/**
 * What `ssh` would decide for this key: trusted when a line for this host has
 * this exact key, changed when lines for this host exist but none has it.
 */
export function verifyHostKey(entries: KnownHostEntry[], names: string[], offered: HostKey): HostKeyVerdict {
  const forHost = entries.filter(
    (entry) => entry.marker !== '@cert-authority' && names.some((name) => patternsMatch(entry.patterns, name)),
  )
  const revoked = entries.find((entry) => entry.marker === '@revoked' && entry.key.blob.equals(offered.blob))
  if (revoked) return {status: 'revoked', entry: revoked}
  const trusted = forHost.find((entry) => entry.marker === undefined && entry.key.blob.equals(offered.blob))
  if (trusted) return {status: 'trusted', entry: trusted}
  const known = forHost.filter((entry) => entry.marker === undefined)
  return known.length > 0 ? {status: 'changed', known} : {status: 'unknown'}
}

/** Key types already recorded for a host, so the handshake asks for those first (as ssh does). */
export function knownKeyTypes(entries: KnownHostEntry[], names: string[]): string[] {
  return [
    ...new Set(
      entries
        .filter((entry) => entry.marker === undefined && names.some((name) => patternsMatch(entry.patterns, name)))
        .map((entry) => entry.key.type),
    ),
  ]
}

export function formatKnownHostLine(name: string, key: HostKey): string {
  return `${name} ${key.type} ${key.blob.toString('base64')}`
}
