/**
 * "Never a wrong change": the last word on every command the parser proposes.
 * A change (any command whose declared effect is not `read`) is proposed only
 * when every value in it is grounded:
 *
 *   - an instance it acts on is one of the live instances when a host was
 *     asked (`context.instances` not empty), in the tenant the request stated;
 *     with no host to ask, its name was written in the request;
 *   - a plug is a catalog id; a tenant, a new instance name and a host were
 *     written in the request (a tenant may also be the default one);
 *   - the parser's own confidence is at least CHANGE_CONFIDENCE.
 *
 * Otherwise the answer is one short question: the options it considered, or
 * "did you mean …" with the one command it would have run, so that a yes
 * (or "1") still gets there. A question is a fine answer; a wrong change is
 * the worst one. Reads pass unchanged.
 */
import {commandPathOf} from '../commands/argv.js'
import {commandSpec, type CommandPath} from '../commands/index.js'
import type {CommandIntent, IntentContext, IntentResult} from './types.js'

/** Below this, a change is asked about, never proposed. */
export const CHANGE_CONFIDENCE = 0.6

const OPS = /^(?:warden|alerts|site|sandbox|cluster|plug restore)\b/

/** Positional slots that name a live instance (agent kind `instance`, or `target` for export). */
function instanceSlots(path: CommandPath): Array<{index: number; kind: 'instance' | 'target'}> {
  const spec = commandSpec(path)
  return Object.entries(spec.args ?? {}).flatMap(([name, arg], index) => {
    const kind = arg.agent?.kind ?? (name === 'instance' ? 'instance' : undefined)
    return kind === 'instance' || kind === 'target' ? [{index, kind}] : []
  })
}

const fullRef = (value: string, defaultTenant: string) => (value.includes('/') ? value : `${defaultTenant}/${value}`)

/** Every word of the request, lower-case, split at spaces and slashes ("acme/n8n" gives acme and n8n too). */
export function wordsOf(text: string): Set<string> {
  const words = new Set<string>()
  for (const word of text.toLowerCase().split(/[\s,;:!?()"]+/)) {
    const bare = word.replace(/^['"]+|['".]+$/g, '').replace(/'s$/, '')
    if (bare === '') continue
    words.add(bare)
    for (const part of bare.split('/')) if (part !== '') words.add(part)
  }
  return words
}

type Problem =
  | {kind: 'instance'; slot: number; value: string; options: string[]}
  | {kind: 'word'; what: string}
  | {kind: 'exists'; ref: string}

function problemsOf(
  intent: CommandIntent,
  path: CommandPath,
  context: IntentContext,
  words: Set<string>,
  focus: string | undefined,
  text: string,
): Problem[] {
  const problems: Problem[] = []
  const base = path.split(' ').length
  const live = context.instances
  const liveRefs = new Set(live.map((instance) => `${instance.tenant}/${instance.instance}`))
  const plugs = new Set(context.catalog.map((plug) => plug.id))
  const written = (value: string) =>
    value.split('/').every((part) => words.has(part)) || (focus !== undefined && value === focus)
  for (const {index, kind} of instanceSlots(path)) {
    const value = intent.argv[base + index]
    if (value === undefined || value === '') continue
    if (kind === 'target' && !value.includes('/') && plugs.has(value)) continue
    const ref = fullRef(value, context.defaultTenant)
    const grounded = live.length > 0 ? liveRefs.has(ref) : written(value)
    if (grounded) continue
    const name = value.split('/').at(-1)!
    const tenant = value.includes('/') ? value.split('/')[0] : undefined
    const sameName = live.filter((instance) => instance.instance === name)
    const sameTenant = live.filter((instance) => instance.tenant === tenant)
    const options = (sameName.length > 0 ? sameName : sameTenant.length > 0 ? sameTenant : live)
      .slice(0, 12)
      .map((instance) =>
        instance.tenant === context.defaultTenant ? instance.instance : `${instance.tenant}/${instance.instance}`,
      )
    problems.push({kind: 'instance', slot: base + index, value, options})
  }
  // This round's operations (warden policy, alerts, sites, sandboxes, nodes, restores): every value was written.
  if (OPS.test(path)) {
    const said = text.toLowerCase()
    const slots = new Set(instanceSlots(path).map(({index}) => base + index))
    for (const [at, value] of intent.argv.entries()) {
      if (at < base || value.startsWith('--') || slots.has(at)) continue
      const flag = intent.argv[at - 1]
      if (flag === '--policy') {
        // KEY=VALUE built from the words: its value was said ("for acme", "every 15 seconds").
        if (!words.has(value.split('=')[1] ?? '') && !/^interval=\d+$/.test(value))
          problems.push({kind: 'word', what: value})
        continue
      }
      if (flag?.startsWith('--')) continue
      if (path === 'alerts add' && at === base) continue // the channel kind, read from its target
      if (path === 'warden policy' && at === base + 1 && ['yes', 'no', 'ask'].includes(value)) continue // said in words
      const grounded = said.includes(value.toLowerCase()) || value.split('/').every((part) => words.has(part))
      if (!grounded) problems.push({kind: 'word', what: value})
    }
  }
  const flags = intent.argv.slice(base)
  const flagValue = (flag: string) => {
    const at = flags.indexOf(flag)
    return at >= 0 ? flags[at + 1] : undefined
  }
  const tenant = flagValue('--tenant')
  if (tenant !== undefined && tenant !== context.defaultTenant && !words.has(tenant))
    problems.push({kind: 'word', what: `tenant ${tenant}`})
  const name = flagValue('--name')
  if (name !== undefined && !words.has(name)) problems.push({kind: 'word', what: `name ${name}`})
  const host = flagValue('--host')
  if (host !== undefined && !words.has(host)) problems.push({kind: 'word', what: `host ${host}`})
  if (path === 'plug up') {
    const plug = intent.argv[base]
    if (plug === undefined || !plugs.has(plug)) problems.push({kind: 'word', what: `plug ${plug ?? ''}`})
    const owner = tenant ?? context.defaultTenant
    const instance = name ?? plug ?? ''
    if (liveRefs.has(`${owner}/${instance}`))
      problems.push({kind: 'exists', ref: owner === context.defaultTenant ? instance : `${owner}/${instance}`})
  }
  for (const [at, flag] of flags.entries()) {
    if (flag !== '--link') continue
    const value = flags[at + 1] ?? ''
    if (live.length > 0 ? !liveRefs.has(value) : !written(value)) problems.push({kind: 'word', what: `link ${value}`})
  }
  return problems
}

/** The command as a question: "Did you mean …?" with the command's one value as the option to pick. */
function confirmQuestion(intent: CommandIntent, path: CommandPath, why: string): IntentResult {
  const slot = path.split(' ').length
  const value = intent.argv[slot]
  const question = `${why} Did you mean: ${intent.summary}?`
  if (value === undefined || value.startsWith('--'))
    return {kind: 'clarify', question, options: [intent.argv.join(' ')]}
  const argv = [...intent.argv]
  argv[slot] = ''
  return {
    kind: 'clarify',
    question,
    options: [value],
    partial: {
      argv,
      slot,
      summary: intent.summary.split(value).join('{}'),
      mutates: intent.mutates,
      destructive: intent.destructive,
    },
  }
}

/** The intent itself when it is a read or a grounded change; otherwise the one question to ask. */
export function groundChange(result: IntentResult, context: IntentContext, text: string): IntentResult {
  if (result.kind !== 'command' || !result.mutates) return result
  const path = commandPathOf(result.argv)
  if (!path) return {kind: 'unknown', message: 'I could not tell which command that is; say it differently.'}
  const words = wordsOf(text)
  const problems = problemsOf(result, path, context, words, context.focus, text)
  const instance = problems.find((problem) => problem.kind === 'instance')
  if (instance?.kind === 'instance') {
    const argv = [...result.argv]
    argv[instance.slot] = ''
    const verb = path.split(' ').at(-1)
    const where = context.instances.length > 0 ? 'runs on this host' : 'was named'
    const question =
      instance.options.length > 0
        ? `No instance "${instance.value}" ${where}. Which one should I ${verb}?`
        : `Which instance should I ${verb}? (e.g. acme/n8n)`
    return {
      kind: 'clarify',
      question,
      options: instance.options,
      partial: {
        argv,
        slot: instance.slot,
        summary: result.summary.split(instance.value).join('{}'),
        mutates: result.mutates,
        destructive: result.destructive,
      },
    }
  }
  const exists = problems.find((problem) => problem.kind === 'exists')
  if (exists?.kind === 'exists')
    return {
      kind: 'clarify',
      question:
        `${exists.ref} already runs. To deploy another one, give it a new name ("… called NAME"); or did you ` +
        `mean the one that runs?`,
      options: [`status of ${exists.ref}`, `restart ${exists.ref}`],
    }
  if (problems.length > 0) {
    const what = problems.flatMap((problem) => (problem.kind === 'word' ? [problem.what] : [])).join(', ')
    return confirmQuestion(result, path, `I am not sure of the ${what}.`)
  }
  if (result.confidence < CHANGE_CONFIDENCE) return confirmQuestion(result, path, 'I am not sure I understood.')
  return result
}
