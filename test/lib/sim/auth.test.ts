/**
 * Unit tests of the simulator's management auth (check order, key hashing, the IP ban) with an injected clock.
 */
import {describe, expect, it} from 'vitest'

import {
  type AuthPolicy,
  banMessage,
  goDurationSeconds,
  hashSecret,
  isLocalIp,
  ManagementAuth,
  verifySecret,
} from '../../../src/lib/sim/auth.js'

const secret = hashSecret('right')
const policy = (over: Partial<AuthPolicy> = {}): AuthPolicy => ({
  allowRemote: false,
  secretSet: true,
  verify: key => verifySecret(secret, key),
  ...over,
})

describe('goDurationSeconds (Go Duration.String rounded to seconds)', () => {
  it.each([
    [0, '0s'],
    [400, '0s'],
    [500, '1s'],
    [45_000, '45s'],
    [60_000, '1m0s'],
    [29 * 60_000 + 41_000, '29m41s'],
    [30 * 60_000, '30m0s'],
    [3_600_000, '1h0m0s'],
    [2 * 3_600_000 + 5_000, '2h0m5s'],
  ])('%i ms → %s', (ms, text) => {
    expect(goDurationSeconds(ms)).toBe(text)
  })

  it('builds the gateway ban message', () => {
    expect(banMessage(1_781_000)).toBe('IP banned due to too many failed attempts. Try again in 29m41s')
  })
})

describe('ManagementAuth', () => {
  it('follows the gateway check order: ban, remote, key not set, missing, invalid, success', () => {
    let now = 1_000_000
    const auth = new ManagementAuth(() => now)
    expect(auth.authenticate('127.0.0.1', 'right', policy())).toEqual({ok: true})
    expect(auth.authenticate('10.1.2.3', 'right', policy())).toMatchObject({status: 403, message: 'remote management disabled', counted: false})
    expect(auth.authenticate('10.1.2.3', 'right', policy({allowRemote: true}))).toEqual({ok: true})
    expect(auth.authenticate('127.0.0.1', 'x', policy({secretSet: false}))).toMatchObject({status: 403, message: 'remote management key not set', counted: false})
    expect(auth.authenticate('127.0.0.1', '', policy())).toMatchObject({status: 401, message: 'missing management key', counted: true})
    expect(auth.authenticate('127.0.0.1', 'wrong', policy())).toMatchObject({status: 401, message: 'invalid management key', counted: true})
    expect(auth.failures('127.0.0.1')).toBe(2)
    expect(auth.authenticate('127.0.0.1', 'right', policy())).toEqual({ok: true})
    expect(auth.failures('127.0.0.1')).toBe(0)
    now += 1
  })

  it('bans on the 5th failure for the configured duration, per IP; the ban applies to the right key and expires', () => {
    let now = 5_000_000
    const auth = new ManagementAuth(() => now, 10 * 60_000)
    for (let i = 0; i < 4; i++) auth.recordFailure('127.0.0.1')
    expect(auth.bannedRemaining('127.0.0.1')).toBe(0)
    auth.authenticate('::ffff:127.0.0.1', 'nope', policy()) // IPv4-mapped = the same IP
    expect(auth.bannedRemaining('127.0.0.1')).toBe(600_000)
    expect(auth.failures('127.0.0.1')).toBe(0) // reset when the ban starts
    expect(auth.authenticate('::1', 'right', policy())).toEqual({ok: true}) // other IP unaffected
    now += 59_500
    expect(auth.authenticate('127.0.0.1', 'right', policy())).toMatchObject({
      status: 403,
      message: 'IP banned due to too many failed attempts. Try again in 9m1s',
      counted: false,
    })
    now += 540_500
    expect(auth.authenticate('127.0.0.1', 'right', policy())).toEqual({ok: true})
    expect([auth.totalFailures, auth.totalBans]).toEqual([5, 1])
  })

  it('purges idle, unbanned entries (idle 2 h) in an hourly sweep', () => {
    let now = 0
    const auth = new ManagementAuth(() => now)
    auth.recordFailure('127.0.0.1')
    now = 90 * 60_000
    auth.authenticate('::1', 'right', policy()) // sweep runs: idle 1.5 h, kept
    expect(auth.failures('127.0.0.1')).toBe(1)
    now = 3 * 3_600_000
    auth.authenticate('::1', 'right', policy()) // sweep runs again: idle 3 h, purged
    expect(auth.failures('127.0.0.1')).toBe(0)
  })

  it('ban()/unban() on demand', () => {
    const auth = new ManagementAuth(() => 0)
    auth.ban('127.0.0.1', 1000)
    expect(auth.bannedRemaining('127.0.0.1')).toBe(1000)
    auth.unban('127.0.0.1')
    expect(auth.bannedRemaining('127.0.0.1')).toBe(0)
  })

  it('local means exactly 127.0.0.1 or ::1', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLocalIp)).toEqual([true, true, true])
    expect(['127.0.0.2', '10.0.0.1', '::2', ''].map(isLocalIp)).toEqual([false, false, false, false])
  })
})

describe('secret hashing (plaintext secret-key bcrypt-hashed on load)', () => {
  it('writes a bcrypt-shaped salted hash that verifies only the right key and never contains it', () => {
    const h = hashSecret('my-management-key')
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/)
    expect(h).not.toContain('my-management-key')
    expect(hashSecret('my-management-key')).not.toBe(h) // salted
    expect(verifySecret(h, 'my-management-key')).toBe(true)
    expect(verifySecret(h, 'my-management-kez')).toBe(false)
    expect(verifySecret('', '')).toBe(false)
    expect(verifySecret('$2b$12$somebodyelseshashvalue', 'x')).toBe(false)
  })
})
