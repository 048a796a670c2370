// Figures about the shape of the code (src/ and commands/), for reviews and closing notes:
// the longest functions, files over 400 lines, lines over 120 characters.
// Run: node tools/lint/code-figures.mjs [--top N]
// It parses with the TypeScript API installed next to this file (the project's TypeScript 7 has none).
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('../..', import.meta.url))
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 10

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sources(path)
    else if (/\.tsx?$/.test(name)) yield path
  }
}

const files = [...sources(join(root, 'src')), ...sources(join(root, 'commands'))]
const functions = []
const longFiles = []
let longLines = 0
let totalLines = 0
for (const path of files) {
  const text = readFileSync(path, 'utf8')
  const lines = text.split('\n')
  totalLines += lines.length
  if (lines.length > 400) longFiles.push([relative(root, path), lines.length])
  longLines += lines.filter((line) => line.length > 120).length
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const line = (pos) => file.getLineAndCharacterOfPosition(pos).line
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
      const name =
        node.name?.getText(file) ??
        (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent)
          ? node.parent.name.getText(file)
          : '(anonymous)')
      functions.push([
        `${relative(root, path)}:${line(node.getStart(file)) + 1} ${name}`,
        line(node.end) - line(node.getStart(file)) + 1,
      ])
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
}
functions.sort((a, b) => b[1] - a[1])
longFiles.sort((a, b) => b[1] - a[1])
console.log(`${files.length} files, ${totalLines} lines; ${longLines} lines over 120 characters`)
console.log(`longest functions:`)
for (const [name, count] of functions.slice(0, top)) console.log(`  ${String(count).padStart(4)}  ${name}`)
console.log(`${longFiles.length} files over 400 lines:`)
for (const [name, count] of longFiles) console.log(`  ${String(count).padStart(4)}  ${name}`)
