/** "Did you mean …": the closest known names to what the user typed. */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  const previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

/** Up to `limit` candidates within a distance that scales with the length, closest first. */
export function closest(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase()
  const scored = [...new Set(candidates)]
    .map((candidate) => {
      const lower = candidate.toLowerCase()
      const distance =
        lower.includes(needle) || needle.includes(lower)
          ? Math.min(1, editDistance(needle, lower))
          : editDistance(needle, lower)
      return {candidate, distance}
    })
    .filter(
      ({candidate, distance}) => distance <= Math.max(2, Math.floor(Math.max(candidate.length, needle.length) / 3)),
    )
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
  return scored.slice(0, limit).map(({candidate}) => candidate)
}

export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const matches = closest(input, candidates)
  if (matches.length === 0) return undefined
  return `did you mean ${matches.map((match) => `"${match}"`).join(' or ')}?`
}
