/**
 * From a typed (or transcribed) request to normalised tokens. The text is
 * data: it is screened for shell syntax and control characters first, and
 * nothing here ever interprets it beyond matching words.
 */

export interface Token {
  /** As typed (case kept: env values, paths and config values need it). */
  raw: string
  /** Lower-case, contractions expanded, typos in command words fixed. */
  norm: string
  /** True when `norm` was corrected from a typo (lowers confidence). */
  corrected?: boolean
}

export const MAX_UTTERANCE_LENGTH = 500

/**
 * Why a request is refused before parsing, or undefined. Shell syntax is
 * refused rather than stripped: silently dropping `; rm -rf /` and acting on
 * the rest would hide from the user that their text was not what it seemed.
 */
export function screenUtterance(text: string): string | undefined {
  if (text.length > MAX_UTTERANCE_LENGTH)
    return (
      `that request is ${text.length} characters long; I read one short request at a time (at most ` +
      `${MAX_UTTERANCE_LENGTH})`
    )
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f\u2028\u2029]/.test(text))
    return 'that request holds control characters; type it as plain text'
  const lines = text.split(/\r?\n|\r/).filter((line) => line.trim() !== '')
  if (lines.length > 1) return 'that request spans several lines; send one request per message'
  const shell = /[;|`$<>\\]|&&/.exec(text)
  if (shell)
    return (
      `that request holds shell syntax (${JSON.stringify(shell[0])}); I only understand plain requests, and ` +
      `nothing typed here is ever run as a shell command`
    )
  return undefined
}

const EXPANDED_IS: Record<string, string[]> = {
  what: ['what', 'is'],
  that: ['that', 'is'],
  it: ['it', 'is'],
  there: ['there', 'is'],
  here: ['here', 'is'],
  who: ['who', 'is'],
  where: ['where', 'is'],
  how: ['how', 'is'],
  he: ['he', 'is'],
  she: ['she', 'is'],
  let: ['let', 'us'],
  which: ['which', 'is'],
  everything: ['everything', 'is'],
  nothing: ['nothing', 'is'],
  anything: ['anything', 'is'],
  something: ['something', 'is'],
  when: ['when', 'is'],
  why: ['why', 'is'],
}
const NEGATIONS: Record<string, string[]> = {
  "don't": ['do', 'not'],
  "doesn't": ['does', 'not'],
  "didn't": ['did', 'not'],
  "can't": ['can', 'not'],
  "won't": ['will', 'not'],
  "isn't": ['is', 'not'],
  "aren't": ['are', 'not'],
  "wasn't": ['was', 'not'],
  "shouldn't": ['should', 'not'],
  "wouldn't": ['would', 'not'],
  "couldn't": ['could', 'not'],
  "haven't": ['have', 'not'],
  "hasn't": ['has', 'not'],
  dont: ['do', 'not'],
  doesnt: ['does', 'not'],
  cant: ['can', 'not'],
  wont: ['will', 'not'],
  isnt: ['is', 'not'],
  arent: ['are', 'not'],
  whats: ['what', 'is'],
  hows: ['how', 'is'],
  wheres: ['where', 'is'],
  thats: ['that', 'is'],
  whos: ['who', 'is'],
}
const SUFFIXES: Record<string, string> = {re: 'are', ll: 'will', ve: 'have', d: 'would', m: 'am'}

/** Words as typed, split on spaces, with surrounding punctuation removed. */
function chunks(text: string): string[] {
  const out: string[] = []
  for (let chunk of text.split(/\s+/)) {
    chunk = chunk.replace(/^[("'[{]+/, '').replace(/[)"'\]},.!?:]+$/, '')
    if (chunk === '') continue
    // "n8n,gitea" is two words; "FOO=a,b" is one value.
    const parts = chunk.includes('=') ? [chunk] : chunk.split(',')
    for (const part of parts) if (part !== '') out.push(part)
  }
  return out
}

function expand(raw: string): Token[] {
  const lower = raw.toLowerCase()
  const negation = NEGATIONS[lower]
  if (negation) return negation.map((norm, index) => ({raw: index === 0 ? raw : '', norm}))
  const possessive = /^(.+)'s$/.exec(lower)
  if (possessive) {
    const base = possessive[1]!
    const expanded = EXPANDED_IS[base]
    if (expanded) return expanded.map((norm, index) => ({raw: index === 0 ? raw : '', norm}))
    // "acme's": the owner, then a marker the tenant patterns look for.
    return [
      {raw: raw.slice(0, -2), norm: base},
      {raw: '', norm: "'s"},
    ]
  }
  const suffix = /^([a-z]+)'(re|ll|ve|d|m)$/.exec(lower)
  if (suffix)
    return [
      {raw, norm: suffix[1]!},
      {raw: '', norm: SUFFIXES[suffix[2]!]!},
    ]
  // "globex'" (plural possessive) and stray apostrophes.
  if (/^[a-z0-9-]+'$/.test(lower))
    return [
      {raw: raw.slice(0, -1), norm: lower.slice(0, -1)},
      {raw: '', norm: "'s"},
    ]
  return [{raw, norm: lower.includes("'") && !lower.includes('=') ? lower.replace(/'/g, '') : lower}]
}

/** Fillers of speech and typing that carry no meaning ("um", "uh", "please"): dropped before any rule looks. */
const FILLERS = new Set([
  'um',
  'umm',
  'uh',
  'uhh',
  'uhm',
  'er',
  'erm',
  'hmm',
  'hm',
  'mm',
  'ah',
  'please',
  'pls',
  'plz',
  'kindly',
])
/** "like" is a filler unless someone likes something ("i'd like", "would like", "we like"). */
const LIKERS = new Set(['would', 'i', 'we', 'you', 'they', 'do', 'dont', 'not', 'really', 'also'])

function withoutFillers(tokens: Token[]): Token[] {
  const out: Token[] = []
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!
    const previous = out.at(-1)?.norm ?? ''
    if (FILLERS.has(token.norm)) continue
    if (token.norm === 'like' && !LIKERS.has(previous)) continue
    if (
      token.norm === 'you' &&
      tokens[index + 1]?.norm === 'know' &&
      !['do', 'did', 'would', 'will'].includes(previous)
    ) {
      index++
      continue
    }
    out.push(token)
  }
  return out
}

const SPOKEN_DIGITS: Record<string, string> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
}

/**
 * Names spelled out by a voice transcript, joined back: "n eight n" → n8n, "open web u i" → open web ui.
 * A run of single letters (not "a"; "i" only after another letter) and digit words, holding a letter.
 */
function spelledOut(tokens: Token[]): Token[] {
  const out: Token[] = []
  const isLetter = (token: Token | undefined, first: boolean) =>
    token !== undefined && /^[b-z]$/.test(token.norm) && !(first && token.norm === 'i')
  for (let index = 0; index < tokens.length; index++) {
    let end = index
    while (
      end < tokens.length &&
      (isLetter(tokens[end], end === index) || (end > index && tokens[end]!.norm in SPOKEN_DIGITS))
    )
      end++
    // A digit word only joins when a letter follows it too ("n eight n"), so "x two cpus" stays.
    while (end - 1 > index && tokens[end - 1]!.norm in SPOKEN_DIGITS) end--
    if (end - index >= 2) {
      const run = tokens.slice(index, end)
      const norm = run.map((token) => SPOKEN_DIGITS[token.norm] ?? token.norm).join('')
      out.push({raw: run.map((token) => token.raw).join(' '), norm})
      index = end - 1
      continue
    }
    out.push(tokens[index]!)
  }
  return out
}

/**
 * Tokens of a screened request. "self host", "self-hosting" become one
 * word so that "host" in them is never taken for a server.
 */
export function tokenize(text: string): Token[] {
  const flat = text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc\u00b4]/g, "'")
    .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"')
    .replace(/&/g, ' and ')
  const tokens = spelledOut(withoutFillers(chunks(flat).flatMap(expand)))
  const merged: Token[] = []
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!
    const next = tokens[index + 1]
    if (token.norm === 'self' && next && /^host/.test(next.norm)) {
      merged.push({raw: `${token.raw} ${next.raw}`, norm: `self${next.norm}`})
      index++
      continue
    }
    if (/^self-host/.test(token.norm)) {
      merged.push({raw: token.raw, norm: token.norm.replace('self-host', 'selfhost')})
      continue
    }
    merged.push(token)
  }
  return merged
}

/**
 * Optimal-string-alignment distance: Levenshtein plus adjacent
 * transpositions, the most common typo ("restrat", "lgos").
 */
export function typoDistance(a: string, b: string): number {
  if (a === b) return 0
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array(rows * cols).fill(0)
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1)
      d[i * cols + j] = best
    }
  }
  return d[rows * cols - 1]!
}

/** How many typos a word of this length may carry and still be recognised. */
export function typoAllowance(length: number): number {
  return length <= 6 ? 1 : 2
}

/** Letters and digits only: "Open WebUI", "open-webui" and "open web ui" all become "openwebui". */
export const compact = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '')

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  single: 1,
  two: 2,
  couple: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  fifty: 50,
  hundred: 100,
  half: 0.5,
}
/** A number as people type it: digits or a word ("three", "half"). */
export const NUMBER = String.raw`(?:\d+(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|fifty|hundred|half(?: a| an)?|a couple(?: of)?|a single|a|an)`

export function numberValue(text: string): number | undefined {
  const trimmed = text
    .trim()
    .replace(/ (a|an|of)$/, '')
    .replace(/^a (couple|single)$/, '$1')
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  return NUMBER_WORDS[trimmed]
}
