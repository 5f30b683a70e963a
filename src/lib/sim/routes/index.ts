/**
 * The simulator's management surface: every `/v0/management/*` route except the core's (config, simple
 * settings, /config.yaml, /usage-queue, /latest-version). The core authenticates the request (§1.3), sets
 * the X-CPA-* headers, parses the query and dispatches here.
 *
 * Wiring expected from the core (src/lib/sim/index.ts / server):
 * 1. `const accounts = createAccountRegistry({seed, authDir, now, config: () => state.config()})` and
 *    `SimContext.accounts = accounts` — the handlers need the full `SimAccountRegistry`, not just the
 *    `AccountRegistry` interface (they throw a 500-worthy error otherwise).
 * 2. Merge `defaultProviderConfig(seed)` (accounts.ts) into the initial config, so the config-backed
 *    credentials (one gemini-api-key, one openai-compatibility key) exist for the generator and for
 *    `/gemini-api-key`, `/openai-compatibility`, `/api-key-usage`.
 * 3. `SimContext.log = (line) => accounts.appendLog(line)`: the simulated main.log behind `/logs`
 *    (kept only while `logging-to-file` is true). Tests rotate it with `accounts.rotateLogs()` and may add
 *    request-log files with `accounts.logs.addRequestLog(requestId, content, {error})`.
 * 4. The generator picks credentials from `accounts.list()` (config keys included; `source`/`authType`
 *    ready for records) and calls `accounts.recordOutcome(authIndex, failed, at)` for every record.
 * 5. Route paths contain at most one `:param`; handlers read it from the last segment of `req.path`.
 *    A handler may return a Promise (`/api-call` waits for the `timeout` scenario).
 * 6. A response body that is a Buffer is sent as-is with the given `content-type` (downloads).
 */
import type {SimRoute} from '../types.js'
import {apiCallRoutes} from './api-call.js'
import {apiKeyRoutes} from './api-keys.js'
import {authFileRoutes} from './auth-files.js'
import {logRoutes} from './logs.js'
import {providerKeyRoutes} from './provider-keys.js'

export const surfaceRoutes: SimRoute[] = [
  ...apiKeyRoutes,
  ...providerKeyRoutes,
  ...authFileRoutes,
  ...logRoutes,
  ...apiCallRoutes,
]
