/** "Did you mean": edit distance and the closest known name, for unknown config keys and paths. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  const dp = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return dp[b.length]
}

/** The known name closest to a typo (distance ≤ maxDistance, or the same text ignoring case and `_`/`-`), else undefined. */
export function closest(key: string, known: readonly string[], maxDistance = 2): string | undefined {
  const norm = (k: string) => k.toLowerCase().replaceAll('_', '-')
  let best: {k: string; d: number} | undefined
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : editDistance(norm(k), norm(key))
    if (d <= maxDistance && (best === undefined || d < best.d)) best = {k, d}
  }
  return best?.k
}
