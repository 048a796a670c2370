// No line in src/ or commands/ is longer than 120 characters (prettier breaks code, not strings,
// templates or regular expressions). A line whose only long part is a URL or a regular expression (a
// literal, or a String.raw pattern) is allowed: a regex cut across lines reads worse than a long one.
// Run: node tools/lint/max-len.mjs [--list]; exits 1 when a line is too long.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const MAX = 120
const URL_PATTERN = /\bhttps?:\/\/\S+/g
const RAW_PATTERN = /String\.raw`(?:[^`\\]|\\.)*`/g

/** The line without its regular expression literals (a `/` where an expression starts, to the closing `/`). */
function withoutRegexes(line) {
  let out = ''
  for (let index = 0; index < line.length; index++) {
    const before = out.trimEnd()
    if (line[index] === '/' && line[index + 1] !== '/' && (before === '' || /[(,=:[!&|?{};]$|\breturn$/.test(before))) {
      let end = index + 1
      let inClass = false
      for (; end < line.length; end++) {
        if (line[end] === '\\') end++
        else if (line[end] === '[') inClass = true
        else if (line[end] === ']') inClass = false
        else if (line[end] === '/' && !inClass) break
      }
      if (end < line.length) {
        index = end
        continue
      }
    }
    out += line[index]
  }
  return out
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sources(path)
    else if (/\.(tsx?|mjs|js)$/.test(name)) yield path
  }
}

const long = []
for (const dir of ['src', 'commands']) {
  for (const path of sources(join(root, dir))) {
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        // Characters as people count them (code points), as eslint's max-len does.
        const length = [...line].length
        if (length <= MAX) return
        if ([...withoutRegexes(line.replace(RAW_PATTERN, '')).replace(URL_PATTERN, '')].length <= MAX) return
        long.push(`${relative(root, path)}:${index + 1}: ${length} characters`)
      })
  }
}
if (long.length > 0) {
  console.error(`${long.length} line${long.length === 1 ? ' is' : 's are'} longer than ${MAX} characters:`)
  for (const line of process.argv.includes('--list') ? long : long.slice(0, 20)) console.error(`  ${line}`)
  if (!process.argv.includes('--list') && long.length > 20) console.error(`  … (node tools/lint/max-len.mjs --list)`)
  process.exit(1)
}
