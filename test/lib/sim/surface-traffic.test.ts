import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface({seed: 5})
})
afterEach(async () => {
  await env.close()
})

describe('per-credential counters follow generated traffic end to end', () => {
  it('/auth-files and /api-key-usage counters equal the generator totals by auth_index', async () => {
    env.sim.preload(400, {spreadMs: 30 * 60_000})
    env.sim.generate(100)
    const totals = env.sim.totals()
    expect(totals.requests).toBe(500)

    const files = (await call(env, 'GET', '/auth-files')).json.files as Array<{auth_index: string; success: number; failed: number; recent_requests: Array<{success: number; failed: number}>}>
    const usage = (await call(env, 'GET', '/api-key-usage')).json as Record<string, Record<string, {success: number; failed: number; recent_requests: Array<{success: number; failed: number}>}>>

    const seen: Record<string, {requests: number; failed: number; recent: number}> = {}
    for (const f of files) seen[f.auth_index] = {requests: f.success + f.failed, failed: f.failed, recent: f.recent_requests.reduce((s, b) => s + b.success + b.failed, 0)}
    for (const provider of Object.values(usage)) {
      for (const [key, u] of Object.entries(provider)) {
        const account = env.accounts.list().find((a) => a.authType === 'apikey' && key.endsWith(`|${a.source}`))!
        seen[account.authIndex] = {requests: u.success + u.failed, failed: u.failed, recent: u.recent_requests.reduce((s, b) => s + b.success + b.failed, 0)}
      }
    }
    const expected: Record<string, {requests: number; failed: number; recent: number}> = {}
    // requests of the unknown plugin provider are served without a credential: no counter moves for them
    const withoutCredential = totals.byAccount['']?.requests ?? 0
    for (const [authIndex, t] of Object.entries(totals.byAccount)) if (authIndex !== '') expected[authIndex] = {requests: t.requests, failed: t.failed, recent: t.requests}
    for (const a of env.accounts.list()) expected[a.authIndex] ??= {requests: 0, failed: 0, recent: 0}
    expect(seen).toEqual(expected)
    expect(withoutCredential).toBeGreaterThan(0)
    expect(Object.values(seen).reduce((s, x) => s + x.requests, 0)).toBe(500 - withoutCredential)
    // traffic reached both kinds of credentials
    expect(files.some((f) => f.success + f.failed > 0)).toBe(true)
    expect(Object.values(usage).some((p) => Object.values(p).some((u) => u.success + u.failed > 0))).toBe(true)
  })

  it('a disabled credential receives no new traffic', async () => {
    const target = env.accounts.files()[0]!.name
    const before = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(target)}`)).json.files[0]
    await call(env, 'PATCH', '/auth-files/status', {json: {name: target, disabled: true}})
    env.sim.generate(200)
    const after = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(target)}`)).json.files[0]
    expect(after.success + after.failed).toBe(before.success + before.failed)
  })
})
