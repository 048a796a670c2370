/**
 * Every aims command's declaration, by path. A new command is declared in
 * the file of its topic (or a new one, added here); see docs/ARCHITECTURE.md.
 */
import {BUILD_COMMANDS} from './build.js'
import {CATALOG_COMMANDS} from './catalog.js'
import {CLUSTER_COMMANDS} from './cluster.js'
import {CONFIG_COMMANDS} from './config.js'
import {HOST_COMMANDS} from './host.js'
import {PLUG_COMMANDS} from './plug.js'
import type {CommandEffect, CommandSpec} from './spec.js'
import {SANDBOX_COMMANDS} from './sandbox.js'
import {SITE_COMMANDS} from './site.js'
import {TOP_COMMANDS} from './top.js'
import {UPGRADE_COMMANDS} from './upgrade.js'
import {WARDEN_COMMANDS} from './warden.js'

/** In the order ACHEEVY lists the tools of those it gets. */
export const COMMANDS = [
  ...CATALOG_COMMANDS,
  ...PLUG_COMMANDS,
  ...UPGRADE_COMMANDS,
  ...TOP_COMMANDS,
  ...HOST_COMMANDS,
  ...CLUSTER_COMMANDS,
  ...CONFIG_COMMANDS,
  ...BUILD_COMMANDS,
  ...SITE_COMMANDS,
  ...SANDBOX_COMMANDS,
  ...WARDEN_COMMANDS,
] as const satisfies readonly CommandSpec[]

export type CommandPath = (typeof COMMANDS)[number]['path']

const BY_PATH: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((spec) => [spec.path, spec]))

export function commandSpec(path: CommandPath): CommandSpec {
  return BY_PATH.get(path)!
}

export const isCommandPath = (path: string): path is CommandPath => BY_PATH.has(path)

export interface CommandEffects {
  mutates: boolean
  destructive: boolean
}

const EFFECTS: Record<CommandEffect, CommandEffects> = {
  read: {mutates: false, destructive: false},
  change: {mutates: true, destructive: false},
  destroy: {mutates: true, destructive: true},
}

/** Whether each command changes or destroys anything (from its declared effect). */
export const COMMAND_EFFECTS = Object.fromEntries(COMMANDS.map((spec) => [spec.path, EFFECTS[spec.effect]])) as Record<
  CommandPath,
  CommandEffects
>

export type {CommandEffect, CommandSpec} from './spec.js'
