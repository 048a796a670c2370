import {describe, expect, it} from 'vitest'
import {
  JsonModeAnswerReader,
  jsonModeInstructions,
  parseJsonModeAnswer,
  topLevelJsonSpans,
} from '../../../../src/core/ai/json-mode.js'
import type {ToolSpec} from '../../../../src/core/ai/types.js'

describe('parseJsonModeAnswer', () => {
  const table: Array<[string, string, ReturnType<typeof parseJsonModeAnswer>]> = [
    [
      'the documented tool shape',
      '{"tool": "plug_ls", "arguments": {"tenant": "acme"}}',
      {text: '', calls: [{name: 'plug_ls', arguments: {tenant: 'acme'}}]},
    ],
    ['the documented reply shape', '{"reply": "Hello"}', {text: 'Hello', calls: []}],
    [
      'name/arguments',
      '{"name": "plug_up", "arguments": {"plug": "n8n"}}',
      {text: '', calls: [{name: 'plug_up', arguments: {plug: 'n8n'}}]},
    ],
    [
      'arguments as a JSON string',
      '{"tool": "plug_up", "arguments": "{\\"plug\\": \\"n8n\\"}"}',
      {text: '', calls: [{name: 'plug_up', arguments: {plug: 'n8n'}}]},
    ],
    ['no arguments', '{"tool": "plug_ls"}', {text: '', calls: [{name: 'plug_ls', arguments: {}}]}],
    [
      'OpenAI-shaped tool_calls list',
      '{"tool_calls": [{"type": "function", "function": {"name": "plug_ls", "arguments": "{}"}}, {"name": "plug_up", "parameters": {"plug": "gitea"}}]}',
      {
        text: '',
        calls: [
          {name: 'plug_ls', arguments: {}},
          {name: 'plug_up', arguments: {plug: 'gitea'}},
        ],
      },
    ],
    [
      'fenced JSON',
      '```json\n{"tool": "plug_ls", "arguments": {}}\n```',
      {text: '', calls: [{name: 'plug_ls', arguments: {}}]},
    ],
    [
      'prose around the object',
      'Sure! Here you go: {"tool": "plug_ls", "arguments": {"tenant": "a}b"}} Let me know.',
      {text: '', calls: [{name: 'plug_ls', arguments: {tenant: 'a}b'}}]},
    ],
    [
      'two objects',
      '{"reply": "Checking both."}\n{"tool": "plug_ls", "arguments": {}}',
      {text: 'Checking both.', calls: [{name: 'plug_ls', arguments: {}}]},
    ],
    ['plain text', 'I can deploy n8n for you.', {text: 'I can deploy n8n for you.', calls: []}],
    ['JSON that is neither', '{"status": "ok"}', {text: '{"status": "ok"}', calls: []}],
  ]
  it.each(table)('reads %s', (_name, raw, expected) => {
    expect(parseJsonModeAnswer(raw)).toEqual(expected)
  })

  it('flags arguments that are not an object', () => {
    const [call] = parseJsonModeAnswer('{"tool": "plug_up", "arguments": [1, 2]}').calls
    expect(call).toMatchObject({
      name: 'plug_up',
      arguments: {},
      argumentsError: expect.stringContaining('must be a JSON object'),
    })
  })

  it('finds top-level spans, ignoring braces inside strings', () => {
    expect(topLevelJsonSpans('a {"x": "}{"} b [1, {"y": 2}] c')).toEqual(['{"x": "}{"}', '[1, {"y": 2}]'])
  })
})

describe('JsonModeAnswerReader', () => {
  const reply = 'café ☕ 😀 "quoted" \\ back\nslash\ttab é'
  const raw = `{"reply": ${JSON.stringify(reply).replace('é', '\\u00e9').replace('😀', '\\ud83d\\ude00')}}`

  it('streams a reply as it arrives, whatever the chunk boundaries (escapes and surrogate pairs included)', () => {
    for (const size of [1, 2, 3, 5, 7, 13, raw.length]) {
      const reader = new JsonModeAnswerReader()
      const deltas: string[] = []
      for (let index = 0; index < raw.length; index += size) {
        const delta = reader.push(raw.slice(index, index + size))
        if (delta) deltas.push(delta)
      }
      const end = reader.finish()
      expect(deltas.join('') + end.remainingText, `chunk size ${size}`).toBe(reply)
      expect(end.remainingText).toBe('')
      expect(end.calls).toEqual([])
      for (const delta of deltas) expect(delta).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/) // never half a character
      if (size === 1) expect(deltas.length).toBeGreaterThan(10)
    }
  })

  it('buffers a tool call and returns it at the end', () => {
    const reader = new JsonModeAnswerReader()
    const text = '{"tool": "plug_up", "arguments": {"plug": "n8n", "tenant": "acme"}}'
    const shown = [...text].map((char) => reader.push(char)).join('')
    expect(shown).toBe('')
    expect(reader.finish()).toEqual({
      text: '',
      calls: [{name: 'plug_up', arguments: {plug: 'n8n', tenant: 'acme'}}],
      remainingText: '',
    })
  })

  it('buffers plain text and hands it over at the end', () => {
    const reader = new JsonModeAnswerReader()
    expect(reader.push('Hello ')).toBe('')
    expect(reader.push('there')).toBe('')
    expect(reader.finish()).toMatchObject({text: 'Hello there', remainingText: 'Hello there', calls: []})
  })

  it('keeps what it showed when a reply is cut off', () => {
    const reader = new JsonModeAnswerReader()
    expect(reader.push('{"reply": "hello wor')).toBe('hello wor')
    expect(reader.finish()).toMatchObject({text: 'hello wor', remainingText: '', calls: []})
  })
})

describe('jsonModeInstructions', () => {
  it('lists each tool with its schema and states the two shapes', () => {
    const tools: ToolSpec[] = [
      {
        name: 'plug_ls',
        description: 'List\n plugs',
        parameters: {type: 'object', properties: {tenant: {type: 'string'}}},
        effect: 'read',
      },
    ]
    const text = jsonModeInstructions(tools)
    expect(text).toContain('- plug_ls: List plugs')
    expect(text).toContain('{"type":"object","properties":{"tenant":{"type":"string"}}}')
    expect(text).toContain('{"tool": "<tool name>"')
    expect(text).toContain('{"reply": "<your message to the user>"}')
    expect(text.toLowerCase()).toContain('json') // response_format json_object requires the word
  })
})
