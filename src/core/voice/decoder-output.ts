/**
 * pocketsphinx_continuous's output with `-time yes`: per utterance, the
 * hypothesis line, then one line per word: `word start end posterior`;
 * silences and fillers are `<sil>`, `(NULL)`, `[NOISE]`…
 */
export interface DecodedWord {
  word: string
  start: number
  end: number
}

/** JSGF splits tokens at '-': names travel through the decoder with '_' instead. */
export const toDecoderToken = (token: string) => token.replace(/-/g, '_')
export const fromDecoderToken = (token: string) => token.replace(/_/g, '-')

export function parseDecoderOutput(out: string): DecodedWord[] {
  const words: DecodedWord[] = []
  for (const line of out.split('\n')) {
    const match = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) \d+(?:\.\d+)?$/.exec(line.trim())
    if (!match) continue
    const word = match[1]!.replace(/\(\d+\)$/, '')
    if (word.startsWith('<') || word.startsWith('(') || word.startsWith('[')) continue
    words.push({word, start: Number(match[2]), end: Number(match[3])})
  }
  return words
}

/** How a word the grammar does not hold is written in a transcript. */
export const UNHEARD = '…'

/** A run of garbage-loop phones (`ph-aa ph-k …`) is one word that was not heard as any known word. */
export function heardWords(words: DecodedWord[]): DecodedWord[] {
  const out: DecodedWord[] = []
  for (const word of words) {
    const phone = /^ph-[a-z]{1,2}$/.test(word.word)
    const last = out.at(-1)
    if (phone && last?.word === UNHEARD) last.end = word.end
    else out.push(phone ? {...word, word: UNHEARD} : word)
  }
  return out
}

/** Words that carry no meaning for the parser: two decodes that differ only in these agree. */
const FILLER = new Set(['the', 'a', 'an', 'please', 'um', 'uh', 'now', 'me'])

/** Whether two decodes of one audio heard the same request (the same meaningful words in order). */
export function sameRequest(a: DecodedWord[], b: DecodedWord[]): boolean {
  const meaningful = (words: DecodedWord[]) => words.map((word) => word.word).filter((word) => !FILLER.has(word))
  const [x, y] = [meaningful(a), meaningful(b)]
  return x.length > 0 && x.length === y.length && x.every((word, index) => word === y[index])
}
