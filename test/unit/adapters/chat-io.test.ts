import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {terminalChatIo} from '../../../src/adapters/chat-io.js'

describe('chat input without a terminal', () => {
  it('reads one line per question, echoes it after its prompt (dots for secrets), and reports the end of input', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let written = ''
    output.on('data', (chunk) => (written += String(chunk)))
    const io = terminalChatIo({input, output, interactive: false})
    input.write('deploy fixture-web\r\nhunter2\n')
    expect(await io.readLine('you › ')).toBe('deploy fixture-web')
    expect(await io.readLine('token? ', {secret: true})).toBe('hunter2')
    // A line that arrives while a question waits answers it.
    const pending = io.readLine('confirm? ')
    input.end('yes\n')
    expect(await pending).toBe('yes')
    expect(await io.readLine('you › ')).toBeUndefined()
    io.close()
    expect(written).toBe('you › deploy fixture-web\ntoken? ••••••••\nconfirm? yes\nyou › (end of input)\n')
    expect(written).not.toContain('hunter2')
  })
})
