/**
 * The provider probes by provider name, loaded lazily (each probe imports the shared kit in probes.ts, so
 * the registry lives apart from it).
 */
import type {ProviderProbe} from './probes.js'

export async function loadProbes(): Promise<Map<string, ProviderProbe>> {
  const [{codexProbe}, {claudeProbe}, {xaiProbe}] = await Promise.all([
    import('./probe-codex.js'),
    import('./probe-claude.js'),
    import('./probe-xai.js'),
  ])
  return new Map([codexProbe, claudeProbe, xaiProbe].map((p) => [p.provider, p]))
}
