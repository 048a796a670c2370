import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../../src/core/errors.js'
import {renderTemplate} from '../../../../src/core/proxy/template.js'

function errorOf(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected an AimsError')
}

describe('renderTemplate', () => {
  it('substitutes variables, strings and numbers', () => {
    expect(renderTemplate('listen {{port}}; name {{name}};', {port: 80, name: 'a.example.com'})).toBe(
      'listen 80; name a.example.com;',
    )
  })

  it('renders a flag section once when true and not when false', () => {
    const template = 'a{{#on}}[on]{{/on}}{{^on}}[off]{{/on}}b'
    expect(renderTemplate(template, {on: true})).toBe('a[on]b')
    expect(renderTemplate(template, {on: false})).toBe('a[off]b')
  })

  it('repeats a list section with each item in scope, outer names still visible', () => {
    const template = 'names{{#names}} {{name}}.{{domain}}{{/names}};'
    expect(renderTemplate(template, {domain: 'example.com', names: [{name: 'a'}, {name: 'b'}]})).toBe(
      'names a.example.com b.example.com;',
    )
    expect(renderTemplate('x{{#names}}{{name}}{{/names}}{{^names}}none{{/names}}', {names: []})).toBe('xnone')
  })

  it('removes the lines of standalone section and comment tags, keeping indentation of the rest', () => {
    const template = [
      'upstream u {',
      '{{! one server per replica }}',
      '{{#servers}}',
      '    server {{host}};',
      '{{/servers}}',
      '    {{#ka}}',
      '    keepalive 4;',
      '    {{/ka}}',
      '}',
      '',
    ].join('\n')
    expect(renderTemplate(template, {servers: [{host: 'a'}, {host: 'b'}], ka: true})).toBe(
      'upstream u {\n    server a;\n    server b;\n    keepalive 4;\n}\n',
    )
    expect(renderTemplate(template, {servers: [{host: 'a'}], ka: false})).toBe('upstream u {\n    server a;\n}\n')
  })

  it('handles adjacent standalone tags and a tag on the last line without a newline', () => {
    const template = 'a\n{{#x}}\nX\n{{/x}}\n{{^x}}\nnot X\n{{/x}}'
    expect(renderTemplate(template, {x: true})).toBe('a\nX\n')
    expect(renderTemplate(template, {x: false})).toBe('a\nnot X\n')
  })

  it('refuses an unknown variable instead of rendering it empty, naming the template line', () => {
    const error = errorOf(() =>
      renderTemplate('line one\nserver_name {{serverName}};', {server: 'x'}, {templateName: 't.tmpl'}),
    )
    expect(error.kind).toBe('validation')
    expect(error.message).toBe('t.tmpl:2: unknown variable "serverName"')
    expect(errorOf(() => renderTemplate('{{#missing}}x{{/missing}}', {})).message).toContain(
      'unknown variable "missing"',
    )
  })

  it('refuses an unknown variable inside a list item', () => {
    expect(errorOf(() => renderTemplate('{{#items}}{{nope}}{{/items}}', {items: [{a: '1'}]})).message).toContain(
      'unknown variable "nope"',
    )
  })

  it('refuses malformed templates: unclosed, mismatched, stray close, bad tag, stray braces', () => {
    expect(errorOf(() => renderTemplate('a\n{{#x}}b', {x: true})).message).toBe('template:2: {{#x}} is never closed')
    expect(errorOf(() => renderTemplate('{{#x}}{{/y}}', {x: true})).message).toContain('{{/y}} closes {{#x}}')
    expect(errorOf(() => renderTemplate('{{/x}}', {x: true})).message).toContain('never opened')
    expect(errorOf(() => renderTemplate('{{a b}}', {})).message).toContain('invalid tag')
    expect(errorOf(() => renderTemplate('{{a.b}}', {})).message).toContain('invalid tag')
    expect(errorOf(() => renderTemplate('{{ {a} }}', {a: 'x'})).message).toContain('stray braces')
    expect(errorOf(() => renderTemplate('a }} b', {})).message).toContain('stray braces')
  })

  it('refuses a list or flag used as a variable, and a value used as a section', () => {
    expect(errorOf(() => renderTemplate('{{on}}', {on: true})).message).toContain('is a flag')
    expect(errorOf(() => renderTemplate('{{items}}', {items: []})).message).toContain('is a list')
    expect(errorOf(() => renderTemplate('{{#name}}x{{/name}}', {name: 'a'})).message).toContain('is a value')
    expect(errorOf(() => renderTemplate('{{n}}', {n: Number.NaN})).message).toContain('not a finite number')
  })

  it('passes every substituted value through checkValue, which may refuse it', () => {
    const seen: string[] = []
    renderTemplate(
      '{{a}} {{#l}}{{b}}{{/l}}',
      {a: 'x', l: [{b: 'y'}]},
      {checkValue: (name, value) => seen.push(`${name}=${value}`)},
    )
    expect(seen).toEqual(['a=x', 'b=y'])
    const refuse = (_: string, value: string) => {
      if (value.includes(';')) throw new AimsError('usage', `refused ${value}`)
    }
    expect(
      errorOf(() => renderTemplate('server_name {{a}};', {a: 'x; return 200'}, {checkValue: refuse})).message,
    ).toBe('refused x; return 200')
  })

  it('does not interpret template syntax inside values', () => {
    expect(renderTemplate('{{a}}', {a: '{{b}}', b: 'no'})).toBe('{{b}}')
  })
})
