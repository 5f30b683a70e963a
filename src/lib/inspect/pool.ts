/**
 * Bounded concurrency: run `worker` over `items` with at most `limit` in flight, in input order of start.
 * Stops starting new items once `stop()` says so (fatal error, signal); items not started get no result.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = Array.from({length: items.length})
  let next = 0
  const lanes = Math.max(1, Math.min(limit, items.length))
  const lane = async () => {
    while (next < items.length && !stop()) {
      const i = next++
      results[i] = await worker(items[i], i)
    }
  }
  await Promise.all(Array.from({length: lanes}, lane))
  return results
}
