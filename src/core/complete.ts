/**
 * Shell completion (pure): the words typed after `aims` (the last one is the word being completed, maybe empty)
 * and what aims knows (hosts, tenants, instances, plug ids, config keys) in; the candidates out. Commands, flags
 * and arguments come from the declarations, so a new command completes without a change here.
 */
import type {CommandSpec} from './commands/spec.js'

export interface CompletionData {
  hosts: readonly string[]
  tenants: readonly string[]
  /** TENANT/NAME of every instance known. */
  instances: readonly string[]
  plugs: readonly string[]
  configKeys: readonly string[]
  defaultTenant?: string | undefined
}

const GLOBAL = ['--host', '--json', '--help']
const HOST_ARG_COMMANDS = new Set(['host use', 'host rm', 'host trust', 'host ping'])

function commandPaths(commands: readonly CommandSpec[]): Map<string, CommandSpec> {
  const paths = new Map<string, CommandSpec>()
  for (const spec of commands) {
    paths.set(spec.path, spec)
    for (const alias of spec.aliases ?? []) paths.set(alias, spec)
  }
  return paths
}

/** Values of a flag, by what it names. */
function flagValues(name: string, spec: CommandSpec | undefined, data: CompletionData): readonly string[] {
  if (name === 'host') return data.hosts
  if (name === 'tenant') return data.tenants
  const flag = spec?.flags?.[name]
  if (flag?.type === 'string' && !flag.multiple && flag.options) return flag.options
  return []
}

function argValues(spec: CommandSpec, index: number, data: CompletionData): readonly string[] {
  const name = Object.keys(spec.args ?? {})[index]
  if (!name) return []
  if (HOST_ARG_COMMANDS.has(spec.path)) return data.hosts
  if (name === 'instance') return instanceChoices(data)
  if (name === 'target') return [...data.plugs, ...instanceChoices(data)]
  if (name === 'plug') return data.plugs
  if (name === 'key') return data.configKeys
  if (name === 'action' && spec.path === 'quickstart') return ['up', 'down']
  return []
}

/** TENANT/NAME of every instance, and the bare NAME of those in the default tenant. */
function instanceChoices(data: CompletionData): string[] {
  const bare = data.defaultTenant
    ? data.instances.filter((ref) => ref.startsWith(`${data.defaultTenant}/`)).map((ref) => ref.split('/')[1]!)
    : []
  return [...bare, ...data.instances]
}

export function complete(words: readonly string[], commands: readonly CommandSpec[], data: CompletionData): string[] {
  const current = words.at(-1) ?? ''
  const typed = words.slice(0, -1)
  const paths = commandPaths(commands)
  // The longest command path the leading words spell.
  let spec: CommandSpec | undefined
  let used = 0
  for (let length = Math.min(typed.length, 3); length > 0; length--) {
    const found = paths.get(typed.slice(0, length).join(' '))
    if (found) {
      spec = found
      used = length
      break
    }
  }
  const matching = (candidates: Iterable<string>) =>
    [...new Set(candidates)].filter((candidate) => candidate.startsWith(current)).sort()
  if (!spec) {
    if (typed.some((word) => word.startsWith('-'))) return []
    const prefix = typed.join(' ')
    const next = [...paths.keys()]
      .filter((path) => (prefix === '' ? true : path.startsWith(`${prefix} `)))
      .map((path) => path.split(' ')[typed.length]!)
      .filter(Boolean)
    return matching(next)
  }
  const rest = typed.slice(used)
  const previous = rest.at(-1)
  const flagOf = (word: string | undefined) => {
    if (!word?.startsWith('-')) return undefined
    const name = word.replace(/^--?/, '')
    if (word.startsWith('--')) return name
    return Object.entries(spec.flags ?? {}).find(([, flag]) => flag.char === name)?.[0]
  }
  const takesValue = (name: string | undefined) =>
    name !== undefined &&
    (name === 'host' || (spec.flags?.[name] !== undefined && spec.flags[name]!.type !== 'boolean'))
  const previousFlag = flagOf(previous)
  if (previous && !previous.includes('=') && takesValue(previousFlag))
    return matching(flagValues(previousFlag!, spec, data))
  if (current.startsWith('-')) return matching([...Object.keys(spec.flags ?? {}).map((name) => `--${name}`), ...GLOBAL])
  // Positionals so far: words that are neither flags nor a flag's value.
  let positionals = 0
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index]!
    if (word.startsWith('-')) {
      if (!word.includes('=') && takesValue(flagOf(word))) index++
      continue
    }
    positionals++
  }
  return matching(argValues(spec, positionals, data))
}

/** The scripts `aims completion SHELL` prints: each asks `aims completion --complete -- WORDS…` at every TAB. */
export function completionScript(shell: 'bash' | 'zsh' | 'fish', bin = 'aims'): string {
  if (shell === 'bash')
    return [
      `# aims completion for bash: eval "$(${bin} completion bash)" (e.g. in ~/.bashrc)`,
      `_${bin}_complete() {`,
      "  local IFS=$'\\n'",
      `  COMPREPLY=($(${bin} completion --complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))`,
      '}',
      `complete -o default -F _${bin}_complete ${bin}`,
      '',
    ].join('\n')
  if (shell === 'zsh')
    return [
      `# aims completion for zsh: eval "$(${bin} completion zsh)" (e.g. in ~/.zshrc, after compinit)`,
      `_${bin}() {`,
      '  local -a candidates',
      `  candidates=("\${(@f)$(${bin} completion --complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")`,
      '  compadd -- "${candidates[@]}"',
      '}',
      `compdef _${bin} ${bin}`,
      '',
    ].join('\n')
  return [
    `# aims completion for fish: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f -a '(${bin} completion --complete -- (commandline -opc)[2..-1] (commandline -ct))'`,
    '',
  ].join('\n')
}

/** Which parts of CompletionData completing `words` reads (so a TAB loads only those: the catalog is slow). */
export function completionNeeds(words: readonly string[], commands: readonly CommandSpec[]): Set<keyof CompletionData> {
  const needs = new Set<keyof CompletionData>()
  const empty: CompletionData = {hosts: [], tenants: [], instances: [], plugs: [], configKeys: []}
  const tracking = new Proxy(empty, {
    get(target, property: keyof CompletionData) {
      needs.add(property)
      return target[property]
    },
  })
  complete(words, commands, tracking)
  return needs
}
