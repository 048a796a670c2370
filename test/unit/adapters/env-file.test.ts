import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ENV_FILE_MAX_BYTES, readEnvFile} from '../../../src/adapters/env-file.js'
import {AimsError} from '../../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'aims-env-file-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function refusal(path: string): Promise<AimsError> {
  const error = await readEnvFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AimsError)
  expect((error as AimsError).exitCode).toBe(2)
  return error as AimsError
}

describe('readEnvFile', () => {
  it('reads a regular file of KEY=VALUE lines', async () => {
    writeFileSync(join(dir, 'ok.env'), 'A=1\n')
    expect(await readEnvFile(join(dir, 'ok.env'))).toEqual({path: join(dir, 'ok.env'), text: 'A=1\n'})
  })

  it.each([
    ['/dev/zero', /is a character device/],
    ['/tmp', /is a directory/],
    ['', /--env-file is empty/],
  ])('refuses %s with exit 2', async (path, message) => {
    expect((await refusal(path)).message).toMatch(message)
  })

  it('refuses a missing file, naming it', async () => {
    expect((await refusal(join(dir, 'missing.env'))).message).toMatch(
      /cannot read --env-file ".*missing\.env" \(no such file\)/,
    )
  })

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    expect((await refusal(fifo)).message).toMatch(/is a pipe/)
  })

  it('refuses a file too big to be an env file, and one that is not UTF-8 text', async () => {
    writeFileSync(join(dir, 'big.env'), Buffer.alloc(ENV_FILE_MAX_BYTES + 1, 0x41))
    expect((await refusal(join(dir, 'big.env'))).message).toMatch(/more than an env file holds/)
    writeFileSync(join(dir, 'bin.env'), Buffer.from([0x41, 0x3d, 0xff, 0xfe]))
    expect((await refusal(join(dir, 'bin.env'))).message).toMatch(/not UTF-8 text/)
    writeFileSync(join(dir, 'nul.env'), 'A=\0\n')
    expect((await refusal(join(dir, 'nul.env'))).message).toMatch(/NUL bytes/)
  })
})
