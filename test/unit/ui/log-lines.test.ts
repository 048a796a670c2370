import {describe, expect, it} from 'vitest'
import {renderLogLine} from '../../../src/ui/present/lifecycle.js'
import {makeStyle} from '../../../src/ui/style.js'

const style = makeStyle(false)
const line = (replica: number, replicas?: number) => ({
  service: 'web',
  replica,
  ...(replicas !== undefined ? {replicas} : {}),
  text: 'GET /',
  stream: 'stdout',
})

describe('renderLogLine', () => {
  it('labels every line with its replica when the service has several, none when it has one', () => {
    expect(renderLogLine(line(1, 2), style)).toBe('web#1 | GET /')
    expect(renderLogLine(line(2, 2), style)).toBe('web#2 | GET /')
    expect(renderLogLine(line(1, 1), style)).toBe('web | GET /')
    expect(renderLogLine(line(1), style)).toBe('web | GET /')
  })
})
