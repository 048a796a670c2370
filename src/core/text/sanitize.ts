/**
 * The one home of every function that cleans text and every pattern that
 * recognises control characters. Text from outside aims (container logs,
 * labels, env values, catalog fields, model output, remote error messages)
 * is data: before it reaches a terminal, a prompt, a message or a file it
 * goes through one of these, so it cannot move the cursor, retitle the
 * terminal, hide or forge lines. Pure: no I/O.
 *
 *   sanitizeUntrusted      for a terminal: escapes and controls removed, tabs and newlines kept
 *   sanitizeField          a one-line value (env value, label, name) for a terminal: line breaks shown as ⏎
 *   sanitizeStyledField    the same for a table cell that carries our own colours
 *   terminalSafe           the last guard before a terminal: every escape but our own colours removed
 *   stripTerminalControls  for a model's prompt: the same, CRs become newlines, invisible characters go too
 *   oneLine                for an error message: line breaks shown as ⏎, controls removed
 *   oneLineText            for prose in a file (comments, READMEs): line breaks become spaces
 *   stripAnsi              our own styling removed (to measure or compare text)
 */

/** CSI (colours, cursor moves), OSC (titles, hyperlinks; BEL or ST terminated), other two-byte escapes. */
const ANSI_SEQUENCE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g
/** The same, plus an OSC left unterminated (it would swallow the rest) and the 8-bit CSI. */
const ANSI_SEQUENCE_LOOSE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g
/** C0 controls but tab and newline, DEL, C1 controls. */
const CONTROLS_BUT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
/** C0 controls but tab and newline, and DEL (error messages have always kept C1 characters). */
const C0_BUT_TAB_NEWLINE_AND_DEL = /[\u0000-\u0008\u000b-\u001f\u007f]/g
/**
 * Bidi overrides and isolates (can reorder what a reader sees), zero-width characters,
 * and Unicode tag characters (invisible text some models still read).
 */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g

/** Any C0 control (tab and newline included), DEL or C1 control. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/
/** Any C0 control (tab and newline included) or DEL: what a one-line value typed by a person never holds. */
export const C0_OR_DEL = /[\u0000-\u001f\u007f]/
/** Controls and the Unicode line separators: nothing that may break a line of a generated file. */
export const LINE_BREAK_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '')
}

/**
 * Text from containers (logs, inspect, labels) on its way to a terminal:
 * escape sequences and control characters stripped so it can't move the
 * cursor, retitle the terminal or hide lines. Tabs and newlines stay.
 */
export function sanitizeUntrusted(text: string): string {
  return stripAnsi(text).replace(CONTROLS_BUT_TAB_NEWLINE, '')
}

/** Any line break: CR, LF, CRLF and the Unicode line and paragraph separators. */
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029/g
/** Every C0 control (tab and newline too), DEL and every C1 control. */
const ALL_CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g
/** SGR (colour, bold, dim): the only escape aims itself writes in text it prints. */
const SGR = /^\u001b\[[0-9;]*m$/
/** An escape sequence (tried first) or a control character other than tab and newline. */
const ESCAPE_OR_CONTROL = new RegExp(`${ANSI_SEQUENCE_LOOSE.source}|${CONTROLS_BUT_TAB_NEWLINE.source}`, 'g')

/**
 * A one-line value from outside aims (an env value, a label, a service or
 * plug name, a probe detail) on its way to a terminal: escapes, controls and
 * invisible characters removed, tabs become spaces and a line break shows as
 * ⏎, so a value can neither move the cursor nor forge a line of its own.
 */
export function sanitizeField(text: string): string {
  return text
    .replace(ANSI_SEQUENCE_LOOSE, '')
    .replace(LINE_BREAK, '⏎')
    .replace(/\t/g, ' ')
    .replace(ALL_CONTROLS, '')
    .replace(INVISIBLE, '')
}

/** A table cell that may carry aims' own colours: sanitizeField, our SGR kept. */
export function sanitizeStyledField(text: string): string {
  return terminalSafe(text).replace(LINE_BREAK, '⏎').replace(/\t/g, ' ')
}

/**
 * The last guard of text a command prints for people (say, note): escape
 * sequences other than colours, and control characters other than newline
 * and tab, are removed, whatever path the text took. Untrusted one-line values
 * are cleaned earlier, with sanitizeField, so they cannot forge lines.
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(ESCAPE_OR_CONTROL, (found) => (SGR.test(found) ? found : ''))
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
}

/** Removes terminal escapes and invisible or control characters; keeps newlines and tabs (for prompts). */
export function stripTerminalControls(text: string): string {
  return text
    .replace(ANSI_SEQUENCE_LOOSE, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r/g, '\n') // progress bars redraw with CR: keep each state on its own line
    .replace(CONTROLS_BUT_TAB_NEWLINE, '')
    .replace(INVISIBLE, '')
}

/**
 * Messages must stay on one line: values that come from users or remote hosts
 * may hold newlines or control characters, which would let them forge output.
 */
export function oneLine(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ⏎ ')
    .replace(C0_BUT_TAB_NEWLINE_AND_DEL, '')
    .trim()
}

/** Free text (names, descriptions) on one line, control characters dropped, for comments and prose. */
export function oneLineText(text: string): string {
  return text
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}
