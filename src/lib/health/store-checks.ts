/**
 * Store and collector checks for `doctor`: the collector area provides them (last run age vs retention, a run
 * that died, dead letters and spooled batches waiting); this module feeds them what the gateway said.
 */
import {effectiveRetentionSeconds, type GatewayConfig} from '../gateway/config.js'
import type {DoctorCheck} from '../cli/checks.js'

export interface StoreCheckInputs {
  storePath: string
  instance: string
  config: GatewayConfig | null
}

export async function storeDoctorChecks(input: StoreCheckInputs): Promise<DoctorCheck[]> {
  const {collectDoctorChecks} = await import('../collect/doctor.js')
  return collectDoctorChecks({
    storePath: input.storePath,
    instance: input.instance,
    retentionSeconds: input.config ? effectiveRetentionSeconds(input.config) : null,
  })
}
