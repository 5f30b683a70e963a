/**
 * Unit tests of the simulator's RESP2 request parser and reply encoders (arrays only; the gateway's exact
 * replies).
 */
import {describe, expect, it} from 'vitest'

import {encode, redactCommand, RespParser} from '../../../src/lib/sim/resp-codec.js'

const frame = (...args: string[]) => `*${args.length}\r\n${args.map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`

describe('RespParser', () => {
  it('parses pipelined arrays split at every possible byte boundary', () => {
    const wire = Buffer.from(frame('AUTH', 'k€y') + frame('LPOP', 'usage', '10') + '*0\r\n')
    for (let cut = 0; cut <= wire.length; cut++) {
      const p = new RespParser()
      const out = [...p.feed(wire.subarray(0, cut)), ...p.feed(wire.subarray(cut))]
      expect(out).toEqual([['AUTH', 'k€y'], ['LPOP', 'usage', '10'], []])
      expect(p.failed).toBe(false)
    }
  })

  it('accepts binary-safe bulk strings containing CRLF', () => {
    expect(new RespParser().feed(Buffer.from(frame('PING', 'a\r\nb')))).toEqual([['PING', 'a\r\nb']])
  })

  it.each([
    ['inline command', 'PING\r\n'],
    ['simple string', '+OK\r\n'],
    ['integer element', '*1\r\n:1\r\n'],
    ['negative array', '*-1\r\n'],
    ['nil bulk element', '*1\r\n$-1\r\n'],
    ['bad length', '*x\r\n'],
    ['missing CRLF after bulk', '*1\r\n$2\r\nabXY'],
  ])('flags a protocol error: %s', (_name, wire) => {
    const p = new RespParser()
    p.feed(Buffer.from(wire))
    expect(p.failed).toBe(true)
  })

  it('returns the commands before a malformed frame, nothing after', () => {
    const p = new RespParser()
    expect(p.feed(Buffer.from(frame('A') + '+bad\r\n' + frame('B')))).toEqual([['A']])
    expect(p.failed).toBe(true)
    expect(p.feed(Buffer.from(frame('C')))).toEqual([])
  })
})

describe('encoders', () => {
  it('encodes replies exactly as RESP2', () => {
    expect(encode.simple('OK')).toBe('+OK\r\n')
    expect(encode.error('ERR x')).toBe('-ERR x\r\n')
    expect(encode.integer(1)).toBe(':1\r\n')
    expect(encode.nil()).toBe('$-1\r\n')
    expect(encode.bulk('é')).toBe('$2\r\né\r\n')
    expect(encode.bulkArray([]).toString()).toBe('*0\r\n')
    expect(encode.bulkArray(['{"a":"é"}', 'x']).toString()).toBe('*2\r\n$10\r\n{"a":"é"}\r\n$1\r\nx\r\n')
    expect(encode.message('usage', '{}')).toBe('*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$2\r\n{}\r\n')
  })

  it('redacts AUTH and HELLO AUTH passwords only', () => {
    expect(redactCommand(['AUTH', 'pw'])).toEqual(['AUTH', '***'])
    expect(redactCommand(['auth', 'user', 'pw'])).toEqual(['auth', 'user', '***'])
    expect(redactCommand(['AUTH', 'a', 'b', 'c'])).toEqual(['AUTH', '***', '***', '***'])
    expect(redactCommand(['HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'x'])).toEqual(['HELLO', '3', 'AUTH', 'default', '***', 'SETNAME', 'x'])
    expect(redactCommand(['LPOP', 'usage', '5'])).toEqual(['LPOP', 'usage', '5'])
  })
})
