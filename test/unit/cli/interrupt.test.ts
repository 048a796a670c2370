import {EventEmitter} from 'node:events'
import {afterEach, describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {interruptOnSignals} from '../../../src/cli/interrupt.js'

function setup() {
  const target = new EventEmitter()
  const said: string[] = []
  const exits: number[] = []
  const interrupts = interruptOnSignals({
    what: 'plug up of acme/web',
    cleanup: 'aims plug down acme/web',
    say: (line) => said.push(line),
    exit: (code) => exits.push(code),
    target: target as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  })
  return {target, said, exits, interrupts}
}

describe('interruptOnSignals', () => {
  const exitCode = process.exitCode
  afterEach(() => {
    process.exitCode = exitCode
  })

  it('the first Ctrl-C aborts with an interrupted error; the second exits 1 and names plug down', () => {
    const {target, said, exits, interrupts} = setup()
    target.emit('SIGINT')
    expect(interrupts.signal.aborted).toBe(true)
    const reason = interrupts.signal.reason as AimsError
    expect(reason).toBeInstanceOf(AimsError)
    expect(reason.kind).toBe('interrupted')
    expect(reason.exitCode).toBe(1)
    expect(reason.message).toBe('plug up of acme/web was interrupted (Ctrl-C)')
    expect(said).toEqual([expect.stringMatching(/^Ctrl-C: stopping plug up of acme\/web and rolling back/)])
    expect(exits).toEqual([])
    target.emit('SIGTERM')
    expect(exits).toEqual([1])
    expect(said[1]).toMatch(/^SIGTERM again: the rollback is left for the next aims command: run aims plug down acme/)
  })

  it('a closed pipe aborts once and never counts as a second interruption', () => {
    const {target, said, exits, interrupts} = setup()
    target.emit('aims:interrupt', 'EPIPE')
    target.emit('aims:interrupt', 'EPIPE')
    expect((interrupts.signal.reason as AimsError).message).toBe(
      'plug up of acme/web was interrupted (the output pipe was closed)',
    )
    expect(said).toEqual([])
    expect(exits).toEqual([])
  })

  it('dispose removes every handler', () => {
    const {target, interrupts} = setup()
    interrupts.dispose()
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0)
    expect(target.listenerCount('aims:interrupt')).toBe(0)
  })
})
