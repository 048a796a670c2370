/**
 * Catalog `pattern`s (env.KEY.pattern) are text from catalog files, which
 * anyone may write, and a backtracking engine (JavaScript's RegExp) can take
 * exponential time on them: `^(a+)+$` against 38 a's and a "!" spins for
 * minutes. So patterns are matched by RE2 (re2js, a pure-JS port), whose
 * time is linear in the value, and a pattern RE2 cannot run in linear time
 * (backreferences, lookaround) is refused when the catalog is read, with the
 * reason; `aims catalog validate` shows it. Catalog patterns are RE2 syntax,
 * which for the usual `^[a-z0-9-]{1,32}$` is the same as JavaScript's.
 * Pure: no I/O.
 */
import {RE2JS} from 're2js'

export const PATTERN_MAX_LENGTH = 1000

export type CatalogPattern = {ok: true; test(value: string): boolean} | {ok: false; reason: string}

const WHY = 'aims matches catalog patterns in linear time (RE2)'

export function compileCatalogPattern(source: string): CatalogPattern {
  if (source.length > PATTERN_MAX_LENGTH)
    return {
      ok: false,
      reason: `is ${source.length} characters long (at most ${PATTERN_MAX_LENGTH}): ${WHY}; write a shorter pattern`,
    }
  if (/\\[1-9]|\\k</.test(source))
    return {
      ok: false,
      reason:
        `uses a backreference, which ${WHY} cannot run in linear time: ` +
        'describe the value without referring back to a group',
    }
  if (/\(\?<?[=!]/.test(source))
    return {
      ok: false,
      reason:
        `uses lookahead or lookbehind ((?=, (?!, (?<=, (?<!), which ${WHY} cannot run in linear time: ` +
        'match the value itself, e.g. ^[a-z0-9-]+$',
    }
  let compiled: ReturnType<typeof RE2JS.compile>
  try {
    compiled = RE2JS.compile(source)
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '')
    return {ok: false, reason: `is not a valid regular expression (RE2 syntax): ${detail}`}
  }
  // JavaScript's RegExp.test semantics: a match anywhere unless the pattern anchors itself.
  return {ok: true, test: (value) => compiled.matcher(value).find()}
}

/** Whether `value` matches a catalog pattern; a pattern that cannot be run matches nothing. */
export function matchesCatalogPattern(source: string, value: string): boolean {
  const pattern = compileCatalogPattern(source)
  return pattern.ok && pattern.test(value)
}
