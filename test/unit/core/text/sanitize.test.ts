import {describe, expect, it} from 'vitest'
import {
  C0_OR_DEL,
  CONTROL_CHARACTER,
  LINE_BREAK_OR_CONTROL,
  oneLine,
  oneLineText,
  sanitizeField,
  sanitizeStyledField,
  sanitizeUntrusted,
  terminalSafe,
  stripAnsi,
  stripTerminalControls,
} from '../../../../src/core/text/sanitize.js'

const ESC = '\u001b'

describe('sanitizeUntrusted (text from containers on its way to a terminal)', () => {
  it.each([
    ['colours', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['clear screen and cursor home', `${ESC}[2J${ESC}[Hgone`, 'gone'],
    ['a title change (OSC, BEL)', `${ESC}]0;owned\u0007after`, 'after'],
    ['a hyperlink (OSC, ST)', `${ESC}]8;;http://x${ESC}\\link${ESC}]8;;${ESC}\\`, 'link'],
    ['a carriage return that hides the line start', 'secret\rshown', 'secretshown'],
    ['backspaces', 'abc\b\b\bxyz', 'abcxyz'],
    ['DEL and C1 controls', 'a\u007fb\u0085c\u009bd', 'abcd'],
    ['NUL', 'a\u0000b', 'ab'],
  ])('removes %s', (_what, input, expected) => {
    expect(sanitizeUntrusted(input)).toBe(expected)
  })

  it('keeps tabs, newlines and ordinary Unicode', () => {
    expect(sanitizeUntrusted('a\tb\nc — ✓ 日本')).toBe('a\tb\nc — ✓ 日本')
  })
})

describe('stripTerminalControls (text on its way into a prompt)', () => {
  it('turns carriage returns into newlines and drops invisible characters', () => {
    expect(stripTerminalControls('10%\r50%\r\n100%')).toBe('10%\n50%\n100%')
    expect(stripTerminalControls('a\u202eb\u200bc\ufeffd')).toBe('abcd')
  })

  it('drops an unterminated OSC to the end and an 8-bit CSI', () => {
    expect(stripTerminalControls(`ok${ESC}]0;title without end`)).toBe('ok')
    expect(stripTerminalControls('a\u009b31mb')).toBe('ab')
  })
})

describe('oneLine (error messages)', () => {
  it('shows line breaks as ⏎ and removes C0 controls and DEL', () => {
    expect(oneLine(' first\nsecond\r\nthird\u0007\u007f ')).toBe('first ⏎ second ⏎ third')
  })
})

describe('oneLineText (prose in generated files)', () => {
  it('puts everything on one line with single spaces', () => {
    expect(oneLineText('a\nb\u2028c\r\n\td\u0085e   f')).toBe('a b c de f')
  })
})

describe('stripAnsi', () => {
  it('leaves control characters that are not escape sequences', () => {
    expect(stripAnsi(`${ESC}[1mbold${ESC}[22m\n`)).toBe('bold\n')
  })
})

describe('control-character patterns', () => {
  it('say which characters they match', () => {
    expect(CONTROL_CHARACTER.test('\u0085')).toBe(true)
    expect(C0_OR_DEL.test('\u0085')).toBe(false)
    expect(C0_OR_DEL.test('\u007f')).toBe(true)
    expect(C0_OR_DEL.test('\t')).toBe(true)
    expect(LINE_BREAK_OR_CONTROL.test('\u2028')).toBe(true)
    expect(CONTROL_CHARACTER.test('plain — ✓')).toBe(false)
  })
})

describe('sanitizeField (a one-line value from outside aims, for a terminal)', () => {
  it('removes escapes (OSC, CSI, 8-bit CSI, unterminated OSC) and controls, shows line breaks as ⏎', () => {
    expect(sanitizeField(`a${ESC}]0;pwned\u0007${ESC}[2Jb\nFORGED=1\r\u009b31mc\td`)).toBe('ab⏎FORGED=1⏎c d')
    expect(sanitizeField(`x${ESC}]0;swallow the rest`)).toBe('x')
    expect(sanitizeField('a\u2028b\u202ec\u200bd')).toBe('a⏎bcd')
  })
  it('leaves plain text alone', () => {
    expect(sanitizeField('acme/blog — ✓ 51000')).toBe('acme/blog — ✓ 51000')
  })
})

describe('sanitizeStyledField (a table cell that may carry our colours)', () => {
  it('keeps SGR, drops every other escape, puts the cell on one line', () => {
    expect(sanitizeStyledField(`${ESC}[32mok${ESC}[39m${ESC}[2J\nX`)).toBe(`${ESC}[32mok${ESC}[39m⏎X`)
  })
})

describe('terminalSafe (the last guard of what a command prints)', () => {
  it('keeps colours, newlines and tabs; removes cursor moves, titles, clears, CR, BEL and C1', () => {
    const text = `${ESC}[1mPlan${ESC}[22m\n\tline${ESC}]0;t\u0007${ESC}[2J${ESC}[1A\r\u0007\u009b2J end`
    expect(terminalSafe(text)).toBe(`${ESC}[1mPlan${ESC}[22m\n\tline end`)
  })
  it('turns CRLF into LF', () => {
    expect(terminalSafe('a\r\nb')).toBe('a\nb')
  })
})
