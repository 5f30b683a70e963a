/** Per-provider traffic profiles: models, endpoints, user agents, executors and token semantics. */

/** How a provider's legacy `tokens` relate to the normalised `token_breakdown` buckets (it varies by provider). */
export type TokenSemantics = 'subset' | 'independent' | 'cache-in-input'

export interface ProviderProfile {
  semantics: TokenSemantics
  executors: string[]
  endpoints: string[]
  models: string[]
  aliases: string[]
  userAgents: string[]
  efforts: string[]
  cacheWrites: boolean
  reasoning: number
}

export const OPENAI_UA = ['codex_cli_rs/0.114.0 (Mac OS 14.2.0; x86_64) vscode/1.111.0', 'codex_cli_rs/0.115.2 (Ubuntu 24.04; x86_64)', 'OpenAI/Python 1.99.1']
export const CLAUDE_UA = ['claude-cli/2.0.14 (external, cli)', 'claude-cli/2.0.20 (external, sdk-ts)']
export const GEMINI_UA = ['GeminiCLI/0.9.0 (linux; x64)', 'google-genai-sdk/1.30.0 gl-python/3.12.3']

export const PROFILES: Record<string, ProviderProfile> = {
  codex: {
    semantics: 'subset',
    executors: ['CodexExecutor', 'CodexExecutor', 'CodexWebsocketsExecutor'],
    endpoints: ['POST /v1/responses', 'POST /v1/responses', 'POST /v1/chat/completions'],
    models: ['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1'],
    aliases: ['codex-latest', 'gpt-5-high'],
    userAgents: OPENAI_UA,
    efforts: ['', 'low', 'medium', 'medium', 'high', 'xhigh'],
    cacheWrites: false,
    reasoning: 0.7,
  },
  claude: {
    semantics: 'independent',
    executors: ['ClaudeExecutor'],
    endpoints: ['POST /v1/messages', 'POST /v1/messages', 'POST /v1/chat/completions'],
    models: ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'],
    aliases: ['sonnet', 'opus'],
    userAgents: CLAUDE_UA,
    efforts: ['', '', 'medium', 'high'],
    cacheWrites: true,
    reasoning: 0.25,
  },
  gemini: {
    semantics: 'cache-in-input',
    executors: ['GeminiExecutor'],
    endpoints: ['POST /v1beta/models/*action', 'POST /v1/chat/completions'],
    models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'],
    aliases: ['gemini-pro-latest'],
    userAgents: GEMINI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  vertex: {
    semantics: 'cache-in-input',
    executors: ['GeminiVertexExecutor'],
    endpoints: ['POST /v1beta/models/*action', 'POST /v1/chat/completions'],
    models: ['gemini-2.5-pro', 'gemini-2.5-flash'],
    aliases: ['gemini-pro-latest'],
    userAgents: GEMINI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  aistudio: {
    semantics: 'cache-in-input',
    executors: ['AIStudioExecutor'],
    endpoints: ['POST /v1beta/models/*action'],
    models: ['gemini-2.5-flash'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: [''],
    cacheWrites: false,
    reasoning: 0.5,
  },
  antigravity: {
    semantics: 'cache-in-input',
    executors: ['AntigravityExecutor'],
    endpoints: ['POST /v1/chat/completions', 'POST /v1beta/models/*action'],
    models: ['gemini-3-pro-preview', 'gemini-2.5-flash', 'claude-sonnet-4-5-thinking'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: ['', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  interactions: {
    semantics: 'cache-in-input',
    executors: ['GeminiInteractionsExecutor'],
    endpoints: ['POST /v1beta/models/*action'],
    models: ['gemini-2.5-pro'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: [''],
    cacheWrites: false,
    reasoning: 0.5,
  },
  xai: {
    semantics: 'subset',
    executors: ['XAIExecutor'],
    endpoints: ['POST /v1/chat/completions', 'POST /v1/responses'],
    models: ['grok-4', 'grok-code-fast-1', 'grok-4-fast-reasoning'],
    aliases: ['grok-latest'],
    userAgents: OPENAI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  kimi: {
    semantics: 'subset',
    executors: ['KimiExecutor'],
    endpoints: ['POST /v1/chat/completions'],
    models: ['kimi-k2-thinking'],
    aliases: [],
    userAgents: OPENAI_UA,
    efforts: ['', 'medium'],
    cacheWrites: false,
    reasoning: 0.5,
  },
}

/** openai-compatibility providers (any other provider name) behave like OpenAI (a subset of its counters). */
export const OPENAI_COMPAT: ProviderProfile = {
  semantics: 'subset',
  executors: ['OpenAICompatExecutor'],
  endpoints: ['POST /v1/chat/completions'],
  models: ['deepseek/deepseek-chat-v3.1', 'qwen/qwen3-coder'],
  aliases: [],
  userAgents: OPENAI_UA,
  efforts: ['', 'medium'],
  cacheWrites: false,
  reasoning: 0.3,
}

export function providerProfile(provider: string): ProviderProfile {
  return PROFILES[provider] ?? OPENAI_COMPAT
}

