/** Random ids and generated secrets from the OS CSPRNG (rejection sampling: no modulo bias). */
import {randomBytes, randomInt} from 'node:crypto'

const CHARSETS: Record<string, string> = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  numeric: '0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
}

export function generateSecret(spec: {length: number; charset: string}): string {
  const alphabet = CHARSETS[spec.charset] ?? CHARSETS.alnum!
  let out = ''
  for (let index = 0; index < spec.length; index++) out += alphabet[randomInt(alphabet.length)]
  return out
}

export function newId(): string {
  return randomBytes(6).toString('hex')
}
