/**
 * `aims build SOURCE`: what SOURCE is (a directory, a git URL or a description) and the instance it
 * becomes, checked before any effect (exit 2).
 */
import {AimsError} from '../errors.js'
import {instanceRef, type InstanceRef} from '../names.js'

export type BuildSource =
  {kind: 'dir'; path: string} | {kind: 'git'; url: string; ref?: string} | {kind: 'description'; text: string}

export interface BuildRequest {
  source: BuildSource
  ref: InstanceRef
  /** Keep generated files here (a description's app). */
  out?: string
  /** Skip the deploy: build and verify only. */
  noDeploy: boolean
}

const GIT_URL = /^(?:(?:https?|git|ssh|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/

/** A git URL, with an optional #ref (branch or tag). */
export function classifySource(source: string): BuildSource {
  const text = source.trim()
  if (text === '')
    throw new AimsError('usage', 'SOURCE is empty', {hint: 'pass a directory, a git URL or "a description"'})
  if (GIT_URL.test(text) && !/\s/.test(text)) {
    const [url, ref] = text.split('#', 2) as [string, string | undefined]
    if (ref !== undefined && !/^[A-Za-z0-9._/-]{1,100}$/.test(ref))
      throw new AimsError('usage', `invalid git ref ${JSON.stringify(ref)}`, {hint: 'write URL#branch or URL#tag'})
    return {kind: 'git', url, ...(ref ? {ref} : {})}
  }
  // Several words that are not a path: a description.
  if (/\s/.test(text) && !/^[./~]/.test(text) && text.split(/\s+/).length >= 3) {
    if (text.length > 2000)
      throw new AimsError('usage', 'the description is longer than 2000 characters', {
        hint: 'describe the app in a few sentences',
      })
    return {kind: 'description', text}
  }
  return {kind: 'dir', path: text}
}

/** A resource name from a directory or repository name: "My App_2" → "my-app-2". */
export function nameFromWords(text: string, fallback = 'app'): string {
  const name = text
    .toLowerCase()
    .replace(/\.git$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '')
  return name === '' ? fallback : name
}

export function buildRequest(options: {
  source: string
  tenant: string
  name?: string | undefined
  out?: string | undefined
  noDeploy?: boolean | undefined
  /** The default name, when --name is absent (the command derives it from the source). */
  defaultName: (source: BuildSource) => string
}): BuildRequest {
  const source = classifySource(options.source)
  const ref = instanceRef(options.tenant, options.name ?? options.defaultName(source))
  return {source, ref, noDeploy: Boolean(options.noDeploy), ...(options.out ? {out: options.out} : {})}
}
