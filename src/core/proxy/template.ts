/**
 * A tiny template renderer for the conf files aims writes (nginx confs, and
 * the export bundle's files). Deliberately small, and strict where a general
 * engine is lenient:
 *
 *   {{name}}                      a variable (string or number)
 *   {{#name}} … {{/name}}         a section: once when true, once per item of a list
 *                                 (the item's fields come into scope), skipped when
 *                                 false or empty
 *   {{^name}} … {{/name}}         an inverted section: once when false or empty
 *   {{! a comment }}              dropped
 *
 * A tag alone on its line (sections, comments) takes its line with it, so the
 * output has no blank lines where sections were. A name that is not in scope
 * is an error, never an empty string: a typo in a template must not quietly
 * produce a conf without its `server_name`. Every substituted value can be
 * passed through `checkValue`, the last line of defence against injection
 * (the nginx renderer uses it to refuse anything but plain tokens).
 * Pure: no I/O.
 */
import {AimsError} from '../errors.js'

export type TemplateScalar = string | number | boolean
export interface TemplateContext {
  [name: string]: TemplateScalar | TemplateContext[] | undefined
}

export interface RenderOptions {
  /** Shown in errors, e.g. "nginx/plug.conf.tmpl". */
  templateName?: string
  /** Called with every value before it is written; throws to refuse it. */
  checkValue?: (name: string, value: string) => void
}

type TemplateNode =
  | {type: 'text'; text: string}
  | {type: 'variable'; name: string; line: number}
  | {type: 'section'; name: string; inverted: boolean; children: TemplateNode[]; line: number}

const TAG = /\{\{([#^/!]?)([^{}]*)\}\}/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function templateError(options: RenderOptions, line: number | undefined, message: string): AimsError {
  const where = `${options.templateName ?? 'template'}${line === undefined ? '' : `:${line}`}`
  return new AimsError('validation', `${where}: ${message}`, {
    hint: 'fix the template (sections are {{#name}} … {{/name}}, variables {{name}})',
  })
}

type Token = {kind: 'text'; text: string} | {kind: 'tag'; sigil: string; name: string; raw: string; line: number}

function tokenize(template: string): Token[] {
  const tokens: Token[] = []
  let last = 0
  let line = 1
  for (const match of template.matchAll(TAG)) {
    const index = match.index ?? 0
    const text = template.slice(last, index)
    tokens.push({kind: 'text', text})
    line += text.split('\n').length - 1
    tokens.push({kind: 'tag', sigil: match[1] ?? '', name: (match[2] ?? '').trim(), raw: match[0], line})
    line += match[0].split('\n').length - 1
    last = index + match[0].length
  }
  tokens.push({kind: 'text', text: template.slice(last)})
  // A section or comment tag alone on its line takes the line with it. Decide on
  // the original text first: the text between two such tags belongs to both.
  const trimStart = new Array<number>(tokens.length).fill(0)
  const trimEnd = new Array<number>(tokens.length).fill(0)
  for (let i = 1; i < tokens.length - 1; i += 2) {
    const tag = tokens[i] as Extract<Token, {kind: 'tag'}>
    if (tag.sigil === '') continue
    const before = (tokens[i - 1] as Extract<Token, {kind: 'text'}>).text
    const after = (tokens[i + 1] as Extract<Token, {kind: 'text'}>).text
    const lineStart = before.lastIndexOf('\n')
    const atLineStart = /^[ \t]*$/.test(before.slice(lineStart + 1)) && (lineStart !== -1 || i === 1)
    const rest = /^[ \t]*(\r?\n|$)/.exec(after)
    const atLineEnd = rest !== null && (rest[1] !== '' || i + 1 === tokens.length - 1)
    if (!atLineStart || !atLineEnd) continue
    trimEnd[i - 1] = before.length - (lineStart + 1)
    trimStart[i + 1] = rest[0].length
  }
  for (let i = 0; i < tokens.length; i += 2) {
    const token = tokens[i] as Extract<Token, {kind: 'text'}>
    token.text = token.text.slice(trimStart[i], token.text.length - trimEnd[i]!)
  }
  return tokens
}

export function parseTemplate(template: string, options: RenderOptions = {}): TemplateNode[] {
  const root: TemplateNode[] = []
  const stack: Array<{name: string; line: number; children: TemplateNode[]}> = []
  let children = root
  for (const token of tokenize(template)) {
    if (token.kind === 'text') {
      // Braces outside a well-formed tag are almost always a typo in a tag.
      if (token.text.includes('{{') || token.text.includes('}}')) {
        throw templateError(
          options,
          undefined,
          `stray braces near ` +
            `${JSON.stringify(token.text.slice(Math.max(0, token.text.search(/\{\{|\}\}/) - 10)).slice(0, 40))}`,
        )
      }
      if (token.text) children.push({type: 'text', text: token.text})
      continue
    }
    const {sigil, name, line} = token
    if (sigil === '!') continue
    if (!NAME.test(name)) throw templateError(options, line, `invalid tag ${JSON.stringify(token.raw)}`)
    if (sigil === '#' || sigil === '^') {
      const section: TemplateNode = {type: 'section', name, inverted: sigil === '^', children: [], line}
      children.push(section)
      stack.push({name, line, children})
      children = section.children
    } else if (sigil === '/') {
      const open = stack.pop()
      if (!open) throw templateError(options, line, `{{/${name}}} closes a section that was never opened`)
      if (open.name !== name)
        throw templateError(options, line, `{{/${name}}} closes {{#${open.name}}} (opened on line ${open.line})`)
      children = open.children
    } else {
      children.push({type: 'variable', name, line})
    }
  }
  const open = stack.pop()
  if (open) throw templateError(options, open.line, `{{#${open.name}}} is never closed`)
  return root
}

function lookup(scopes: TemplateContext[], name: string): TemplateContext[string] {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!
    if (Object.hasOwn(scope, name) && scope[name] !== undefined) return scope[name]
  }
  return undefined
}

function renderNodes(nodes: TemplateNode[], scopes: TemplateContext[], options: RenderOptions, out: string[]): void {
  for (const node of nodes) {
    if (node.type === 'text') {
      out.push(node.text)
      continue
    }
    const value = lookup(scopes, node.name)
    if (value === undefined) throw templateError(options, node.line, `unknown variable "${node.name}"`)
    if (node.type === 'variable') {
      if (typeof value === 'boolean' || Array.isArray(value)) {
        throw templateError(
          options,
          node.line,
          `"${node.name}" is a ${Array.isArray(value) ? 'list' : 'flag'}: use it as a section ` +
            `({{#${node.name}}} … {{/${node.name}}})`,
        )
      }
      if (typeof value === 'number' && !Number.isFinite(value))
        throw templateError(options, node.line, `"${node.name}" is not a finite number`)
      const text = String(value)
      options.checkValue?.(node.name, text)
      out.push(text)
      continue
    }
    const items = Array.isArray(value) ? value : value === true ? [{}] : value === false ? [] : undefined
    if (items === undefined)
      throw templateError(
        options,
        node.line,
        `"${node.name}" is a value, not a flag or a list: use it as {{${node.name}}}`,
      )
    if (node.inverted) {
      if (items.length === 0) renderNodes(node.children, scopes, options, out)
    } else {
      for (const item of items) renderNodes(node.children, [...scopes, item], options, out)
    }
  }
}

export function renderTemplate(template: string, context: TemplateContext, options: RenderOptions = {}): string {
  const out: string[] = []
  renderNodes(parseTemplate(template, options), [context], options, out)
  return out.join('')
}
