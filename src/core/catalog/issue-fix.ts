/**
 * Splits a catalog issue into what is wrong and how to fix it, for
 * `catalog validate`'s `file: path: message — fix` lines. The rules in
 * validate.ts already end most messages with ": <what to do>"; schema-level
 * problems get a fix from their kind here, so every line says what to do.
 */
import type {CatalogIssue} from './validate.js'

export interface ExplainedIssue extends CatalogIssue {
  problem: string
  fix: string
}

const README = 'see plugs-catalog/README.md for the format'
/** Verbs the validation messages use to start their fixes. */
const FIX_START = /^(remove|rename|use|pin|keep|mark|add|declare|drop|set|fix|check|give|see)\b/

export function explainIssue(issue: CatalogIssue): ExplainedIssue {
  const field =
    issue.path
      .split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '') ?? ''
  // The fix starts after the first ": " followed by an imperative verb.
  for (
    let separator = issue.message.indexOf(': ');
    separator > 0;
    separator = issue.message.indexOf(': ', separator + 2)
  ) {
    if (FIX_START.test(issue.message.slice(separator + 2)))
      return {...issue, problem: issue.message.slice(0, separator), fix: issue.message.slice(separator + 2)}
  }
  const fix = (() => {
    const message = issue.message
    if (message.startsWith('YAML syntax')) return 'fix the YAML at that line (indentation, quoting, duplicate keys)'
    if (message.startsWith('is required')) return `add the "${field}" field`
    if (message.startsWith('must be one of')) return 'use one of the listed values'
    if (message.startsWith('must be a')) return `change "${field}" to that type; ${README}`
    if (message.includes('must be 1-32 of a-z')) return 'use lower-case letters, digits and inner dashes'
    if (message.startsWith('environment variable names')) return 'rename the variable (e.g. MY_SETTING)'
    if (message.startsWith('must be a YAML mapping')) return 'start the file with id:, name:, services: …'
    return README
  })()
  return {...issue, problem: issue.message, fix}
}

export function formatExplainedIssue(issue: ExplainedIssue): string {
  return `${issue.file}: ${issue.path || '(file)'}: ${issue.problem} — ${issue.fix}`
}
