/**
 * Account names for reports: the gateway's latest auth-file list (name, email, label,
 * provider per auth_index), saved in the store so reports can show names without asking the gateway again.
 */
import type {GatewayClient} from '../gateway/client.js'
import type {Store} from '../store/index.js'

export async function refreshAccountLabels(store: Store, client: GatewayClient, instance: string): Promise<number> {
  const {listAuthFiles} = await import('../gateway/auth-files.js')
  const files = await listAuthFiles(client)
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  return store.aliases.saveAccountLabels(
    instance,
    files.map((f) => ({
      authIndex: f.auth_index ?? '',
      name: str(f.name),
      email: str(f.email) ?? (f.account_type !== 'api_key' ? str(f.account) : null),
      label: str(f.label),
      provider: str(f.provider) ?? str(f.type),
    })),
  )
}
