/** Models each provider serves in the simulator, and who owns them. */
/** Models each provider serves in the simulator (used by the traffic generator and /auth-files/models). */
export const PROVIDER_MODELS: Record<string, string[]> = {
  codex: ['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1'],
  claude: ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'],
  vertex: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  xai: ['grok-4', 'grok-code-fast-1', 'grok-4-fast-reasoning'],
  antigravity: ['gemini-3-pro-preview', 'gemini-2.5-flash', 'claude-sonnet-4-5-thinking'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite'],
  kimi: ['kimi-k2-thinking'],
  'kimi-ai': ['kimi-k2-thinking'],
  meta: ['muse-spark-1.3', 'muse-spark-1.2', 'muse-spark-1.1'],
}

/** Owner shown in /auth-files/models `owned_by`. */
const MODEL_OWNER: Record<string, string> = {
  codex: 'openai',
  claude: 'anthropic',
  vertex: 'google',
  gemini: 'google',
  antigravity: 'antigravity',
  xai: 'xai',
  kimi: 'moonshot',
  'kimi-ai': 'moonshot',
  meta: 'meta',
}

export function modelOwner(provider: string): string {
  return MODEL_OWNER[provider] ?? provider
}
