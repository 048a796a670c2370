/** Flags shared by many commands, defined once so they read the same everywhere. */
import {Flags} from '@oclif/core'

export const dryRunFlag = Flags.boolean({description: 'show the plan and change nothing', default: false})
export const yesFlag = Flags.boolean({
  char: 'y',
  description: 'confirm without asking (for scripts and CI)',
  default: false,
})
export const tenantFlag = Flags.string({
  char: 't',
  description: 'tenant (default: the configured default tenant, or "default")',
})
