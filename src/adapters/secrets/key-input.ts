/**
 * Reading a secret from the person or the pipe, never from argv: a hidden
 * prompt on a terminal (the prompt on stderr, nothing echoed), or all of stdin
 * with --with-key-stdin (`printf %s "$KEY" | aims login openai --with-key-stdin`).
 */
import {AimsError} from '../../core/errors.js'
import {checkSecretValue, MAX_SECRET_LENGTH} from '../../core/secrets.js'
import type {Prompter} from '../../services/ports.js'

export async function readSecretFromStream(stream: NodeJS.ReadableStream, what = 'the key'): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    // A few KiB is plenty for any key; more means a file or a stream was piped by mistake.
    if (size > MAX_SECRET_LENGTH * 4)
      throw new AimsError('usage', `more than ${MAX_SECRET_LENGTH * 4} bytes on stdin`, {
        hint: 'pipe only the key, for example printf %s "$KEY" | aims login … --with-key-stdin',
      })
    chunks.push(buffer)
  }
  return checkSecretValue(Buffer.concat(chunks).toString('utf8'), what)
}

export async function readSecret(options: {
  fromStdin: boolean
  stdin: NodeJS.ReadStream
  prompter: Prompter
  prompt: string
  what?: string
  /** The command to pipe into, for the error without a terminal. */
  command: string
}): Promise<string> {
  if (options.fromStdin && !options.stdin.isTTY) return readSecretFromStream(options.stdin, options.what)
  if (!options.prompter.interactive)
    throw new AimsError('usage', 'no terminal to ask for the key, and --with-key-stdin was not given', {
      hint: `pipe it: printf %s "$KEY" | ${options.command} --with-key-stdin`,
    })
  return checkSecretValue(await options.prompter.input(options.prompt, {secret: true}), options.what)
}
