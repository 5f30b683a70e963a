/** The config.yaml a fresh simulator starts with (comments included, like the example config). */
import {hashSecret} from './auth.js'
export interface InitialConfig {
  host: string
  port: number
  authDir: string
  managementKey: string
  apiKeys: string[]
  usageStatisticsEnabled: boolean
  retentionSeconds: number
  /** `remote-management.allow-remote` (default false: only 127.0.0.1 and ::1 may manage). */
  allowRemote?: boolean
}

export const q = (s: string): string => JSON.stringify(s)

/** The config.yaml the simulator starts with (comments included, like the example config). */
export function initialConfigYaml(init: InitialConfig): string {
  const keys = init.apiKeys.map(k => `  - ${q(k)}`).join('\n')
  return `# cpactl sim: configuration of a simulated CLIProxyAPI gateway.
# Change it with PUT /v0/management/config.yaml or the simple-setting endpoints; comments survive edits.

# Server binding (not part of GET /config).
host: ${q(init.host)}
port: ${init.port}

# Management API access.
remote-management:
  # Only 127.0.0.1 and ::1 may call the management API unless this is true.
  allow-remote: ${init.allowRemote === true}
  # Stored hashed. A plaintext value written here is hashed when the config is reloaded.
  secret-key: ${q(hashSecret(init.managementKey))}
  disable-control-panel: false

# Directory holding the credential JSON files.
auth-dir: ${q(init.authDir)}

# Client API keys accepted on /v1.
api-keys:
${keys || '  []'}

debug: false
logging-to-file: false
logs-max-total-size-mb: 0
error-logs-max-files: 10

# Publish one usage record per upstream attempt to the usage queue (RESP and /usage-queue).
usage-statistics-enabled: ${init.usageStatisticsEnabled}
# Seconds a record stays in the usage queue (at most 3600).
redis-usage-queue-retention-seconds: ${init.retentionSeconds}

request-log: false
proxy-url: ""
request-retry: 3
max-retry-interval: 30

quota-exceeded:
  switch-project: true
  switch-preview-model: true

routing:
  strategy: "round-robin"

ws-auth: true
`.replace('api-keys:\n  []', 'api-keys: []')
}
