/**
 * Re-read-and-verify after a write. The gateway saves and hot-reloads asynchronously, so a read right after a write
 * may still show the old value: poll briefly before calling it failed.
 */
export interface PollOptions {
  timeoutMs?: number
  intervalMs?: number
  signal?: AbortSignal
}

export interface PollResult<T> {
  value: T
  ok: boolean
  attempts: number
}

export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, opts: PollOptions = {}): Promise<PollResult<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 3000)
  const interval = opts.intervalMs ?? 150
  let attempts = 0
  for (;;) {
    attempts++
    const value = await read()
    if (done(value)) return {value, ok: true, attempts}
    if (Date.now() + interval > deadline || opts.signal?.aborted) return {value, ok: false, attempts}
    await new Promise((r) => setTimeout(r, interval))
  }
}
