/**
 * Gateway versions (the `X-CPA-VERSION` header) and the feature gates cpactl applies to them.
 *
 * `X-CPA-VERSION` comes as `7.2.140` (release archives), `v7.2.140` (Docker images), `git describe` output
 * (`v7.2.140-3-gabc1234`, `v7.2.140-dirty`, `v7.2.140-3-gabc1234-dirty`), a bare short SHA (`a7e3596`) or
 * `dev` (source builds). Rule: trim, drop one leading `v`/`V`, match `^(\d+)\.(\d+)\.(\d+)` and ignore what
 * follows. Anything else is an **unknown** version: never 0.0.0; where a feature matters, probe the route.
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
  /** Unknown routes answer an empty 404 with X-CPA-* after auth (before: gin's text 404, no auth). */
  noRouteHandler: '7.1.47',
  /** The /v8/management API. */
  v8: '8.0.0',
} as const

export interface ParsedVersion {
  /** The header value as sent (trimmed). */
  raw: string
  /** Major.minor.patch when the value starts with one (after an optional `v`), else null. */
  major: number | null
  minor: number | null
  patch: number | null
  /** `git describe` suffix after the numbers (`-3-gabc1234-dirty`), '' when none. */
  suffix: string
  /** true when major/minor/patch are known. `dev`, a bare SHA or '' are unknown versions. */
  known: boolean
  /** `dev` (source build), `sha` (bare commit hash), `empty`, `other`; null for a known version. */
  unknownKind: 'dev' | 'sha' | 'empty' | 'other' | null
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(.*)$/s
const SHA = /^[0-9a-f]{7,40}$/i

/** Parse an `X-CPA-VERSION` value. null/undefined/'none' ⇒ an empty unknown version. */
export function parseGatewayVersion(value: string | null | undefined): ParsedVersion {
  const raw = (value ?? '').trim()
  const text = raw.replace(/^[vV]/, '')
  const m = SEMVER.exec(text)
  if (m) return {raw, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), suffix: m[4], known: true, unknownKind: null}
  const unknownKind = raw === '' || raw === 'none' ? 'empty' : raw.toLowerCase() === 'dev' ? 'dev' : SHA.test(raw) ? 'sha' : 'other'
  return {raw, major: null, minor: null, patch: null, suffix: '', known: false, unknownKind}
}

/** Compare two version strings by their numbers (unknown versions sort as newest). */
export function compareVersions(a: string, b: string): number {
  const pa = parseGatewayVersion(a)
  const pb = parseGatewayVersion(b)
  const na = pa.known ? [pa.major!, pa.minor!, pa.patch!] : [Infinity, 0, 0]
  const nb = pb.known ? [pb.major!, pb.minor!, pb.patch!] : [Infinity, 0, 0]
  for (let i = 0; i < 3; i++) {
    if (na[i] !== nb[i]) return na[i] < nb[i] ? -1 : 1
  }
  return 0
}

/**
 * true / false for a known version; null when the version is unknown (no header, `dev`, a bare SHA): the
 * caller then assumes the newest behaviour and probes the feature where it matters.
 */
export function atLeast(version: string | null | undefined, min: string): boolean | null {
  const p = parseGatewayVersion(version)
  if (!p.known) return null
  return compareVersions(p.raw, min) >= 0
}

/** Human label of a version for messages: `8.0.23`, `v7.2.140-3-gabc1234`, `dev (source build)`, `unknown`. */
export function describeVersion(version: string | null | undefined): string {
  const p = parseGatewayVersion(version)
  if (p.known) return p.raw
  if (p.unknownKind === 'dev') return 'dev (source build)'
  if (p.unknownKind === 'sha') return `${p.raw} (commit build)`
  return p.raw === '' || p.raw === 'none' ? 'unknown' : p.raw
}
