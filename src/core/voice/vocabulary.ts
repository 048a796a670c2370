/**
 * What the offline command recognizer can hear: the words of aims' command
 * grammar (each declared command's path and flag words), the words people
 * wrap them in ("deploy", "show me", "how much memory"), numbers as words,
 * and the names of the moment (catalog plugs, live instances, tenants,
 * hosts) as single tokens with the ways people say them.
 *
 * Pure: the caller passes the declarations and the names; the adapter turns
 * the result into a pocketsphinx grammar and dictionary.
 */

/** Words people wrap commands in. Kept short: every extra word is a way to mishear. */
export const EVERYDAY_WORDS = `
a about add alert alerts all an and any are as at auto autoscale autoscaling back backup backups
be bring build by called can cancel check cloud cluster copies copy cpu create date day days
delete deploy destroy disk do doctor down drain each events every everything export files for
from get gig gigs gigabyte gigabytes give go has have health history hour hours how i in install
instance instances into is it its keep kill last latest launch let limit list logs make many me
megabyte megabytes megs memory minute minutes more much my name named need new no node nodes
not now of off old on one ones out please put reboot recent release releases remove replica
replicas restart restore resume roll rollback run running sandbox scale send set show site sites
spin start state stats status stop take tell tenant tenants test than that the them then there
these this time to turn uh um up update upgrade usage use using version want warden week weeks
what whats when where which who why will with yes you your
`
  .trim()
  .split(/\s+/)

export const NUMBER_WORDS = `zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred`
  .trim()
  .split(/\s+/)

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']

/** A name's parts as a person says them: "n8n" → n eight n, "open-webui" → open webui, "k3s" → k three s. */
export function nameParts(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_.\s/]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/)
    .filter(Boolean)
    .flatMap((part) => (/^\d+$/.test(part) ? numberWords(Number(part)) : [part]))
}

function numberWords(value: number): string[] {
  if (value < 20 || value > 99)
    return value < 20 ? [NUMBER_WORDS[value]!] : [...String(value)].map((d) => DIGIT_WORDS[Number(d)]!)
  const tens = NUMBER_WORDS[18 + Math.floor(value / 10)]!
  return value % 10 === 0 ? [tens] : [tens, DIGIT_WORDS[value % 10]!]
}

/**
 * Ways to say one part that is not a dictionary word: split into two known
 * words ("vaultwarden" → vault warden, "uptime" → up time), spelled letter
 * by letter when short ("ui" → u i), and always the letter-to-sound guess of
 * the whole part (marked by returning the part itself).
 */
export function partReadings(part: string, known: (word: string) => boolean): string[][] {
  if (known(part)) return [[part]]
  const readings: string[][] = [[part]]
  for (let cut = 2; cut <= part.length - 2; cut++) {
    const head = part.slice(0, cut)
    const tail = part.slice(cut)
    if (known(head) && known(tail) && (head.length > 2 || tail.length > 2)) readings.push([head, tail])
    else if (known(head) && head.length > 2 && tail.length <= 3 && /^[a-z]+$/.test(tail)) readings.push([head, ...tail])
  }
  if (part.length <= 3 && /^[a-z]+$/.test(part)) readings.push([...part])
  return readings
}
