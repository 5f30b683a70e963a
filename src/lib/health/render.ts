/** Human views of status and doctor results. */
import {paint, renderKeyValues, renderTable, severityTone} from '../cli/output.js'
import type {DoctorCheck} from '../cli/checks.js'
import type {StatusResult} from './status.js'

const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no')

export function renderStatus(s: StatusResult): void {
  renderKeyValues([
    ['URL', s.url],
    ['Profile', s.profile ?? '-'],
    ['Key source', s.keySource ?? '-'],
    ['Reachable', yesNo(s.gateway.reachable)],
    ['Version', s.gateway.version ? `${s.gateway.version} (commit ${s.gateway.commit ?? '?'}, built ${s.gateway.buildDate ?? '?'})` : '-'],
    ['Major version', s.gateway.major === null ? (s.gateway.version ? 'unknown (the version string says none)' : '-') : String(s.gateway.major)],
    ['Management API', s.gateway.managementApi === null ? '-' : `${s.gateway.managementApi} (/${s.gateway.managementApi}/management; chosen by ${s.gateway.apiDetectedBy === 'probe' ? 'probing the v8 route' : s.gateway.apiDetectedBy === 'cache' ? 'a recent probe (cached)' : 'the version header'})`],
    ['Management', s.management.enabled === false ? 'disabled' : s.management.enabled ? 'enabled' : 'unknown'],
    ['Key accepted', yesNo(s.management.keyAccepted)],
    ...(s.management.error ? ([['Error', s.management.error.message]] as Array<[string, unknown]>) : []),
    ['Usage publishing', s.usage.publishing === null ? 'unknown' : s.usage.publishing ? 'on' : 'OFF (no records are queued)'],
    ['Queue retention', s.usage.retentionSeconds === null ? '-' : `${s.usage.retentionSeconds}s`],
    ['HTTP queue', `${yesNo(s.transports.http.available)} (${s.transports.http.reason})`],
    ['RESP queue', `${yesNo(s.transports.resp.available)} (${s.transports.resp.reason})`],
  ])
}

export function renderChecks(checks: DoctorCheck[]): void {
  renderTable(
    [
      {key: 'status', header: 'STATUS', get: (c: DoctorCheck) => paint(c.status.toUpperCase(), severityTone(c.status))},
      {key: 'check', header: 'CHECK'},
      {key: 'message', header: 'MESSAGE'},
      {key: 'fix', header: 'FIX', get: (c: DoctorCheck) => c.fix ?? ''},
    ],
    checks,
  )
}
