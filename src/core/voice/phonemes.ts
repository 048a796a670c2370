/**
 * espeak-ng's phoneme mnemonics (`espeak-ng -q -x`, English voices) to the
 * CMU/ARPAbet phones of pocketsphinx's en-us acoustic model. Used for the
 * words the CMU dictionary does not have (plug ids, instance and tenant
 * names): espeak-ng is the letter-to-sound rule set Debian ships.
 */

const TABLE: Record<string, string[]> = {
  'aI@': ['AY', 'ER'],
  'aU@': ['AW', 'ER'],
  'i@3': ['IH', 'R'],
  'oU#': ['OW'],
  'A@': ['AA', 'R'],
  'A:': ['AA'],
  'O@': ['AO', 'R'],
  'o@': ['AO', 'R'],
  'O:': ['AO'],
  OI: ['OY'],
  oU: ['OW'],
  aI: ['AY'],
  aU: ['AW'],
  'a#': ['AH'],
  a2: ['AH'],
  '@L': ['AH', 'L'],
  '@2': ['AH'],
  '@5': ['AH'],
  '3:': ['ER'],
  'e@': ['EH', 'R'],
  eI: ['EY'],
  'i@': ['IY', 'AH'],
  'i:': ['IY'],
  I2: ['IH'],
  'I#': ['IH'],
  'U@': ['UH', 'R'],
  'u:': ['UW'],
  tS: ['CH'],
  dZ: ['JH'],
  't#': ['T'],
  'r-': ['R'],
  'n-': ['N'],
  'l-': ['L'],
  a: ['AE'],
  A: ['AA'],
  '@': ['AH'],
  '3': ['ER'],
  E: ['EH'],
  I: ['IH'],
  i: ['IY'],
  '0': ['AA'],
  O: ['AO'],
  U: ['UH'],
  V: ['AH'],
  b: ['B'],
  d: ['D'],
  D: ['DH'],
  f: ['F'],
  g: ['G'],
  h: ['HH'],
  j: ['Y'],
  k: ['K'],
  l: ['L'],
  m: ['M'],
  n: ['N'],
  N: ['NG'],
  p: ['P'],
  r: ['R'],
  s: ['S'],
  S: ['SH'],
  t: ['T'],
  T: ['TH'],
  v: ['V'],
  w: ['W'],
  x: ['K'],
  z: ['Z'],
  Z: ['ZH'],
}
const KEYS = Object.keys(TABLE).sort((a, b) => b.length - a.length)

/** ARPAbet phones of one word's espeak mnemonics; stress marks, lengths and pauses are dropped. */
export function espeakToArpabet(mnemonics: string): string[] {
  const phones: string[] = []
  let rest = mnemonics.trim()
  while (rest.length > 0) {
    const key = KEYS.find((candidate) => rest.startsWith(candidate))
    if (key) {
      phones.push(...TABLE[key]!)
      rest = rest.slice(key.length)
    } else rest = rest.slice(1) // ' , 2 ; _ ! = and other marks
  }
  return phones
}
