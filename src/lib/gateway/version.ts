/**
 * Feature gates by gateway version (cpa-gateway.md §11). `dev` (source build) counts as newest.
 */
export const MIN_VERSIONS = {
  httpQueue: '6.10.8',
  respQueue: '6.9.38',
  respStrictKey: '7.1.44',
  subscribe: '7.0.7',
  fullRecordSchema: '7.2.111',
  accountingV2: '7.2.97',
  resetQuota: '7.2.22',
  authFileFilters: '7.2.94',
} as const

function parts(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0)
}

export function compareVersions(a: string, b: string): number {
  const pa = parts(a)
  const pb = parts(b)
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/** true / false, or null when the version is unknown (no header). */
export function atLeast(version: string | null | undefined, min: string): boolean | null {
  if (!version || version === 'none') return null
  if (version === 'dev') return true
  return compareVersions(version, min) >= 0
}
