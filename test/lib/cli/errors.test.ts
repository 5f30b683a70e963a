import {describe, expect, it} from 'vitest'

import {AuthError, ConfigError, EXIT, exitCodeOf, LockError, RejectedError, toErrorJson, UpstreamError, UsageError} from '../../../src/lib/cli/errors.js'

describe('typed errors', () => {
  it('carry one exit code in both exitCode and oclif.exit', () => {
    const cases: Array<[Error & {exitCode: number; oclif: {exit?: number}}, number]> = [
      [new UsageError('x'), 2],
      [new ConfigError('x'), 3],
      [new AuthError('x'), 4],
      [new UpstreamError('x'), 5],
      [new LockError('x'), 7],
      [new RejectedError('x', 400), 8],
    ]
    for (const [err, code] of cases) {
      expect(err.exitCode).toBe(code)
      expect(err.oclif.exit).toBe(code)
      expect(exitCodeOf(err)).toBe(code)
    }
    expect(EXIT.interrupted).toBe(130)
  })

  it('serialise to the documented JSON error shape without a stack', () => {
    const json = toErrorJson(new AuthError('banned', {code: 'ip_banned', hint: 'wait'}))
    expect(json).toEqual({error: {code: 'ip_banned', message: 'banned', exitCode: 4, hint: 'wait'}})
    expect(JSON.stringify(json)).not.toContain('at ')
  })

  it('map foreign errors: oclif parse errors keep exit 2, others 1', () => {
    const parse = Object.assign(new Error('Missing required flag'), {oclif: {exit: 2}})
    expect(toErrorJson(parse).error).toMatchObject({exitCode: 2, code: 'usage_error'})
    expect(toErrorJson(new Error('boom')).error).toMatchObject({exitCode: 1, code: 'internal_error', message: 'boom'})
  })
})
