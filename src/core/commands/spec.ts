/**
 * A command's shape, declared once as data: its arguments and flags (with
 * descriptions, types, defaults, whether repeatable, short letters, which
 * hold secrets), whether it changes anything, and whether ACHEEVY gets it as
 * a tool. Everything else is derived from the declaration:
 *
 *   the oclif args and flags of the command class   src/cli/declared.ts
 *   the canonical argv and its flag order           ./argv.ts
 *   audit masking of secret flag values             ./argv.ts
 *   ACHEEVY's tool schema, argument checks, argv    src/services/agent/tool-shape.ts
 *
 * Pure data, loadable without oclif (the parser and the agent load it too).
 * docs/ARCHITECTURE.md says how a new command is added.
 */

/** What a command does to the world; decides the gate (reads run at once) and the tool's effect. */
export type CommandEffect = 'read' | 'change' | 'destroy'

/**
 * How ACHEEVY's tool reads and checks one argument (src/services/agent/tool-args.ts
 * implements each kind, with the same checks the CLI runs on the flag):
 *
 *   text       a one-line string (max: its longest length; lowercase: folded to lower case)
 *   plug-id    a catalog id, lower-cased, PLUG_ID
 *   name       a resource name (instance name)
 *   tenant     a tenant name
 *   service    a service name
 *   instance   NAME or TENANT/NAME; a `tenant` argument of kind instance-tenant folds into it
 *   instance-tenant  the tenant of a bare instance NAME (never on the command line: folded in)
 *   target     a plug id or an instance (checked as an instance reference)
 *   cpus, memory, domain   as --cpus, --memory, --domain check them
 *   env        KEY=VALUE settings, as an object {KEY: value} (or a list of "KEY=VALUE")
 *   link       a list of TENANT/INSTANCE
 *   integer    a whole number from min to max
 *   boolean    true or false (false is as if not given)
 *   relative-dir  a directory below the current one (where ACHEEVY may write)
 */
export type ParamKind =
  | 'text'
  | 'plug-id'
  | 'name'
  | 'tenant'
  | 'service'
  | 'instance'
  | 'instance-tenant'
  | 'target'
  | 'cpus'
  | 'memory'
  | 'domain'
  | 'env'
  | 'link'
  | 'integer'
  | 'boolean'
  | 'relative-dir'

/** One argument of ACHEEVY's tool for a command: an argument or flag of the command, as the model sees it. */
export interface AgentParam {
  kind: ParamKind
  /** The tool argument's name; default: the flag's name with "-" as "_" (keep-data → keep_data). */
  name?: string
  /** What the model reads; default: the CLI description. */
  description?: string
  /** text: the longest accepted value; integer: the largest. */
  max?: number
  /** integer: the smallest. */
  min?: number
  /** text: folded to lower case. */
  lowercase?: boolean
}

/** ACHEEVY gets this command as a tool. */
export interface AgentToolSpec {
  /** The tool's name; default: the command path with "_" (plug up → plug_up). */
  name?: string
  /** What the model reads: what the tool does, and what to ask the user first. */
  description: string
  /** The tool needs at least one of these arguments (tool argument names). */
  requireOneOf?: readonly string[]
  /** How the refusal of requireOneOf reads: "<tool> needs …" and its hint. */
  requireOneOfMessage?: {needs: string; hint: string}
}

export interface ArgSpec {
  description: string
  required?: boolean
  /** oclif reads a missing argument from a piped stdin unless this is set. */
  ignoreStdin?: boolean
  /** Left out of --help (an argument taken only to refuse it). */
  hidden?: boolean
  agent?: AgentParam
}

type FlagLetter =
  | 'a'
  | 'b'
  | 'c'
  | 'd'
  | 'e'
  | 'f'
  | 'g'
  | 'h'
  | 'i'
  | 'j'
  | 'k'
  | 'l'
  | 'm'
  | 'n'
  | 'o'
  | 'p'
  | 'q'
  | 'r'
  | 's'
  | 't'
  | 'u'
  | 'v'
  | 'w'
  | 'x'
  | 'y'
  | 'z'

interface FlagCommon {
  description: string
  char?: FlagLetter
  /** The heading the flag is listed under in --help. */
  helpGroup?: string
  /** Left out of --help (a flag taken only to refuse it). */
  hidden?: boolean
  /**
   * The value is a secret and is masked in audit records and transcripts:
   * true masks the whole value, 'assignment' only what follows the first "=" (KEY=VALUE).
   */
  secret?: true | 'assignment'
  /** ACHEEVY's tool takes this flag (absent: the tool does not offer it). */
  agent?: AgentParam
}

export interface BooleanFlagSpec extends FlagCommon {
  type: 'boolean'
}
export interface StringFlagSpec extends FlagCommon {
  type: 'string'
  multiple?: false
  default?: string
  /** The only values accepted. */
  options?: readonly string[]
}
/** Repeatable: --env A=1 --env B=2 (the value is a list, [] when absent). */
export interface StringListFlagSpec extends FlagCommon {
  type: 'string'
  multiple: true
}
export interface IntegerFlagSpec extends FlagCommon {
  type: 'integer'
  default?: number
  min?: number
  max?: number
}
export type FlagSpec = BooleanFlagSpec | StringFlagSpec | StringListFlagSpec | IntegerFlagSpec

export interface CommandSpec {
  /** The command words: "plug up", "doctor". */
  path: string
  description: string
  examples?: readonly string[]
  aliases?: readonly string[]
  /** Positional arguments, in order. */
  args?: Readonly<Record<string, ArgSpec>>
  /** Flags in their canonical order (the grammar's; the argv the parser and ACHEEVY produce keeps it). */
  flags?: Readonly<Record<string, FlagSpec>>
  /** Unquoted words after the arguments are one value (oclif strict: false). */
  variadic?: boolean
  /** Takes --json (default true). */
  json?: boolean
  effect: CommandEffect
  /** Left out of --help and the command list (a command aims runs itself, e.g. inside the warden). */
  hidden?: boolean
  /** ACHEEVY gets the command as a tool (absent: it does not; its argv is then only shown, never run). */
  agent?: AgentToolSpec
}

// ---- shared flags and patterns ---------------------------------------------------

/** The flags every command takes (AimsCommand's baseFlags); --host is last in every canonical argv. */
export const GLOBAL_FLAGS = {
  host: {
    type: 'string',
    description: 'host to act on (default: AIMS_HOST, the default host, or the local engine)',
    helpGroup: 'GLOBAL',
  },
} as const satisfies Record<string, FlagSpec>

export const DRY_RUN = {type: 'boolean', description: 'show the plan and change nothing'} as const satisfies FlagSpec
export const YES = {
  type: 'boolean',
  char: 'y',
  description: 'confirm without asking (for scripts and CI)',
} as const satisfies FlagSpec
export const TENANT = {
  type: 'string',
  char: 't',
  description: 'tenant (default: the configured default tenant, or "default")',
} as const satisfies FlagSpec

/**
 * The tenant flag of a listing (ps, events, stats, health, dock). The one rule: listings show every tenant
 * unless --tenant narrows them; a bare INSTANCE name is looked up in the default tenant.
 */
export const TENANT_FILTER = {
  type: 'string',
  char: 't',
  description: 'only this tenant (default: all tenants)',
} as const satisfies FlagSpec

/** The tenant flag of a listing that also takes an optional INSTANCE (stats, health). */
export const LISTING_INSTANCE_TENANT = {
  ...TENANT_FILTER,
  description: 'only this tenant (default: all tenants); the tenant of a bare INSTANCE (default: the default tenant)',
  agent: {kind: 'instance-tenant', description: 'tenant, when instance is a bare NAME'},
} as const satisfies FlagSpec

/** The tenant flag of a command whose argument is an INSTANCE: ACHEEVY folds it into the instance. */
export const INSTANCE_TENANT = {
  ...TENANT,
  agent: {kind: 'instance-tenant', description: 'tenant, when instance is a bare NAME'},
} as const satisfies FlagSpec

export const INSTANCE_ARG = {
  description: 'INSTANCE or TENANT/INSTANCE',
  required: true,
  agent: {
    kind: 'instance',
    description: 'the instance as TENANT/NAME (preferred) or NAME in the default tenant, e.g. acme/n8n',
  },
} as const satisfies ArgSpec

/** The tool name of a command: its declared name, or its path with "_". */
export const toolName = (spec: CommandSpec) => spec.agent?.name ?? spec.path.replace(/ /g, '_')

/** The tool argument name of a flag or argument. */
export const paramName = (name: string, param: AgentParam) => param.name ?? name.replace(/-/g, '_')

// ---- typed values, for the command classes ---------------------------------------

type FlagValue<F> = F extends {type: 'boolean'}
  ? boolean
  : F extends {multiple: true}
    ? string[]
    : F extends {type: 'integer'}
      ? F extends {default: number}
        ? number
        : number | undefined
      : F extends {default: string}
        ? string
        : string | undefined

/** The parsed flags of a command, as its declaration says they are typed. */
export type FlagValues<S extends CommandSpec> = {
  -readonly [K in keyof S['flags']]: FlagValue<S['flags'][K]>
} & {host: string | undefined}

/** The parsed arguments of a command. */
export type ArgValues<S extends CommandSpec> = {
  -readonly [K in keyof S['args']]: S['args'][K] extends {required: true} ? string : string | undefined
}
