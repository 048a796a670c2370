/**
 * Runs an aims command class in process, the way oclif does (init, run,
 * catch, finally, the --json result), with IO.test() streams and, if given,
 * a context of the test's own: what it wrote and the exit code it ended with.
 */
import {Config, Errors} from '@oclif/core'
import type {AimsCommand} from '../../src/cli/base-command.js'
import {IO, type TestIO} from '../../src/cli/io.js'
import type {AimsContext} from '../../src/context.js'
import {ROOT} from './aims.js'

/** aims' own oclif config (package.json and the manifest), loaded once. */
let config: Promise<Config> | undefined

type CommandClass = abstract new (argv: string[], config: never) => AimsCommand

export interface CommandRun {
  code: number
  stdout: string
  stderr: string
  result: unknown
  io: TestIO
}

export async function runCommand(
  Class: CommandClass,
  argv: string[],
  options: {id?: string; io?: TestIO; context?: AimsContext} = {},
): Promise<CommandRun> {
  const io = options.io ?? IO.test()
  config ??= Config.load({root: ROOT})
  const command = new (Class as unknown as new (argv: string[], config: unknown) => AimsCommand)(argv, await config)
  command.io = io
  command.id = options.id ?? 'test'
  if (options.context) command.useContext(options.context)
  let result: unknown
  let code = 0
  try {
    result = await (command as unknown as {_run(): Promise<unknown>})._run()
  } catch (error) {
    if (!(error instanceof Errors.ExitError)) throw error
    code = error.oclif.exit ?? 1
  }
  return {code, stdout: io.out(), stderr: io.err(), result, io}
}
