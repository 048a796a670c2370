/**
 * NtNtN offline: a description becomes a stack choice and a small app filled from the facts it gives
 * (a name, opening hours, a contact form, sections). Pure: the templates come in as text. With a model
 * configured the model may write the files instead (bounded by `checkGeneratedFiles`).
 */
import {AimsError} from '../errors.js'

export type DescribedStack = 'static' | 'node' | 'python'

export interface AppIntent {
  stack: DescribedStack
  /** Why that stack (the words that chose it). */
  why: string
  /** Display name: "Crumb". */
  title: string
  /** What it is: "bakery", when said. */
  kind?: string
  hours?: string
  contactForm: boolean
  sections: string[]
  /** Text the built app must show (the smoke test checks each). */
  expect: string[]
  description: string
}

const STACK_WORDS: Array<[DescribedStack, RegExp]> = [
  ['python', /\b(python|flask|django|fastapi)\b/i],
  ['node', /\b(node|express|javascript|api|backend|json|endpoint|rest)\b/i],
]

const SECTION_WORDS = ['menu', 'prices', 'gallery', 'about', 'services', 'team', 'location', 'faq', 'events']

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

export function describeIntent(description: string): AppIntent {
  const text = description.replace(/\s+/g, ' ').trim()
  let stack: DescribedStack = 'static'
  let why = 'a page (no server code asked for)'
  for (const [candidate, words] of STACK_WORDS) {
    const match = words.exec(text)
    if (match) {
      stack = candidate
      why = `"${match[1]}"`
      break
    }
  }
  const kind = /\b(?:for|of)\s+(?:my|our|a|an|the)\s+([a-z][a-z-]{2,30})/i.exec(text)?.[1]?.toLowerCase()
  const called = /\b(?:called|named)\s+["'“]?([A-Za-z0-9][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)/.exec(text)?.[1]
  const title = (called ?? (kind ? `My ${capitalize(kind)}` : 'My App')).replace(/[.,;:!?'"”]+$/, '')
  const hoursMatch =
    /\bopen(?:ing)?(?:\s+hours)?(?:\s+(?:from|is|are))?\s*:?\s*(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\s*(?:-|–|to)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)/i.exec(
      text,
    )
  const hours = hoursMatch?.[1]?.replace(/\s*(?:–|to)\s*/, '-').replace(/\s*-\s*/, '-')
  const contactForm = /\bcontact\b/i.test(text)
  const sections = SECTION_WORDS.filter((word) => new RegExp(`\\b${word}\\b`, 'i').test(text))
  return {
    stack,
    why,
    title,
    ...(kind ? {kind} : {}),
    ...(hours ? {hours} : {}),
    contactForm,
    sections,
    expect: [title, ...(hours ? [hours] : [])],
    description: text,
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** The values the app templates (templates/stacks/<stack>/app/) are filled with, HTML-escaped. */
export function intentValues(intent: AppIntent): Record<string, string | boolean | Array<{name: string}>> {
  return {
    title: escapeHtml(intent.title),
    tagline: escapeHtml(intent.kind ? `${capitalize(intent.kind)} · ${intent.title}` : intent.title),
    description: escapeHtml(intent.description),
    hours: escapeHtml(intent.hours ?? ''),
    hasHours: Boolean(intent.hours),
    contact: intent.contactForm,
    sections: intent.sections.map((name) => ({name: escapeHtml(capitalize(name))})),
  }
}

/** Bounds on files a model writes: count, size, paths inside the app, allowed names. */
export const GENERATED_LIMITS = {files: 12, bytesPerFile: 64 * 1024, totalBytes: 256 * 1024}

export function checkGeneratedFiles(files: Array<{path: string; content: string}>): void {
  if (files.length === 0 || files.length > GENERATED_LIMITS.files)
    throw new AimsError(
      'validation',
      `the generated app has ${files.length} files (1-${GENERATED_LIMITS.files} allowed)`,
      {
        hint: 'nothing was written or built; try again with a simpler description',
      },
    )
  let total = 0
  for (const file of files) {
    const parts = file.path.split('/')
    if (
      !/^[A-Za-z0-9._/-]{1,100}$/.test(file.path) ||
      file.path.startsWith('/') ||
      parts.includes('..') ||
      parts.some((part) => part === '' || part === '.') ||
      parts[0] === '.git'
    )
      throw new AimsError(
        'validation',
        `the generated app writes outside its directory: ${JSON.stringify(file.path)}`,
        {
          hint: 'nothing was written or built; files must be relative paths inside the app',
        },
      )
    const size = Buffer.byteLength(file.content)
    total += size
    if (size > GENERATED_LIMITS.bytesPerFile || total > GENERATED_LIMITS.totalBytes)
      throw new AimsError('validation', `the generated app is too large (${file.path})`, {
        hint:
          `at most ${GENERATED_LIMITS.bytesPerFile / 1024} KiB a file and ` +
          `${GENERATED_LIMITS.totalBytes / 1024} KiB in all`,
      })
  }
}
