/**
 * Catalog search: ranks plugs for a free-text query. Pure and deterministic.
 * Per query term the best field wins: exact id > id prefix > name > tag >
 * description words, then typo-tolerant matches ("uptimekuma", "n8m").
 * Several terms add up, and plugs matching more of the terms rank first.
 */
import {editDistance} from '../suggest.js'

export interface SearchablePlug {
  id: string
  name: string
  tags: readonly string[]
  description: string
}

export type MatchKind = 'id' | 'id-prefix' | 'name' | 'tag' | 'description' | 'fuzzy'

export interface SearchHit<T extends SearchablePlug> {
  plug: T
  score: number
  /** The strongest reason this plug matched. */
  matched: MatchKind
}

const SCORE = {
  id: 1000,
  compact: 850, // the id or name once spaces and dashes are ignored: "uptimekuma"
  idPrefix: 800,
  name: 700,
  namePrefix: 600,
  tag: 500,
  tagPrefix: 400,
  description: 300,
  descriptionPrefix: 200,
  fuzzy: 150,
} as const

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
const compact = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Typos allowed for a term of this length: none under 3 characters, else one per 4. */
const allowedTypos = (length: number) => (length < 3 ? 0 : Math.max(1, Math.floor(length / 4)))

function scoreTerm(term: string, plug: SearchablePlug): {score: number; matched: MatchKind} | undefined {
  const id = plug.id.toLowerCase()
  const nameWords = words(plug.name)
  const tags = plug.tags.map((tag) => tag.toLowerCase())
  const descriptionWords = words(plug.description)
  const compactTerm = compact(term)
  if (id === term) return {score: SCORE.id, matched: 'id'}
  if (compactTerm.length > 0 && (compact(id) === compactTerm || compact(plug.name) === compactTerm))
    return {score: SCORE.compact, matched: 'id'}
  if (id.startsWith(term)) return {score: SCORE.idPrefix - (id.length - term.length), matched: 'id-prefix'}
  if (plug.name.toLowerCase() === term || nameWords.includes(term)) return {score: SCORE.name, matched: 'name'}
  if (term.length >= 2 && nameWords.some((word) => word.startsWith(term)))
    return {score: SCORE.namePrefix, matched: 'name'}
  if (tags.includes(term)) return {score: SCORE.tag, matched: 'tag'}
  if (term.length >= 3 && tags.some((tag) => tag.startsWith(term) || tag.split('-').includes(term)))
    return {score: SCORE.tagPrefix, matched: 'tag'}
  if (descriptionWords.includes(term)) return {score: SCORE.description, matched: 'description'}
  if (term.length >= 3 && descriptionWords.some((word) => word.startsWith(term)))
    return {score: SCORE.descriptionPrefix, matched: 'description'}

  const typos = allowedTypos(compactTerm.length)
  if (typos === 0) return undefined
  // A near-miss of the id or name counts more than a near-miss of a tag.
  const nearName = Math.min(
    ...[compact(id), compact(plug.name), ...nameWords].map((candidate) => editDistance(compactTerm, candidate)),
  )
  if (nearName <= typos) return {score: SCORE.fuzzy - 40 * nearName, matched: 'fuzzy'}
  const nearTag = Math.min(...tags.map((tag) => editDistance(compactTerm, compact(tag))))
  if (nearTag <= typos) return {score: SCORE.fuzzy - 50 - 40 * nearTag, matched: 'fuzzy'}
  return undefined
}

const STRENGTH: Record<MatchKind, number> = {id: 6, 'id-prefix': 5, name: 4, tag: 3, description: 2, fuzzy: 1}

export function searchPlugs<T extends SearchablePlug>(plugs: readonly T[], query: string): SearchHit<T>[] {
  const whole = query.trim().toLowerCase()
  const terms = [...new Set(words(whole))]
  if (terms.length === 0) return []
  const hits: SearchHit<T>[] = []
  for (const plug of plugs) {
    let score = 0
    let matchedTerms = 0
    let best: MatchKind | undefined
    for (const term of terms) {
      const match = scoreTerm(term, plug)
      if (!match) continue
      matchedTerms++
      score += match.score
      if (!best || STRENGTH[match.matched] > STRENGTH[best]) best = match.matched
    }
    // "uptime kuma", "open-webui": the query as a whole may name the plug.
    const phrase = terms.length > 1 ? scoreTerm(whole, plug) : undefined
    if (phrase && STRENGTH[phrase.matched] >= STRENGTH['id-prefix']) {
      score = Math.max(score, phrase.score * terms.length)
      matchedTerms = terms.length
      best = phrase.matched
    }
    if (!best) continue
    // Plugs matching every term outrank plugs matching a few of them strongly.
    hits.push({plug, score: Math.round((score * matchedTerms) / terms.length), matched: best})
  }
  return hits.sort((a, b) => b.score - a.score || a.plug.id.localeCompare(b.plug.id))
}
