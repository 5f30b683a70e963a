import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {storeFlag} from '../lib/cli/flags.js'
import {writeErr, writeRaw} from '../lib/cli/output.js'
import type {MetricsResult} from '../lib/monitor/index.js'

export default class Metrics extends BaseCommand<typeof Metrics> {
  static summary = 'Prometheus/OpenMetrics metrics from the store: usage counters, collector lag, dead letters, quota.'
  static description = `Reads the store only (never the gateway, never a write). Counters by gateway (the instance label), provider, model and status class: cpactl_requests_total, cpactl_tokens_total{type}, cpactl_cost_usd_total (priced like the reports); per client-key alias: cpactl_api_key_requests_total, cpactl_api_key_cost_usd_total. Gauges: last successful collect (timestamp and age), queue retention, dead letters, spool, and per account (by auth_index) quota used percent, reset time and status from the latest inspection.
--max-series caps the samples: models with the fewest requests fold into model="_other". Client keys appear only by alias; e-mails and sources never appear.
--output writes the file atomically for node_exporter's textfile collector; --listen serves GET /metrics until SIGTERM (loopback only unless --listen-public).`

  static examples = [
    '<%= config.bin %> metrics',
    '<%= config.bin %> metrics --output /var/lib/node_exporter/textfile_collector/cpactl.prom',
    '<%= config.bin %> metrics --listen 127.0.0.1:9464',
    "<%= config.bin %> metrics --json | jq '{series, foldedModels}'",
  ]

  static flags = {
    store: storeFlag,
    format: Flags.option({options: ['prometheus', 'openmetrics'] as const, description: 'Exposition format (--listen: for scrapers that accept either).', default: 'prometheus' as const})(),
    'max-series': Flags.integer({description: 'Cap on the samples; the least used models fold into model="_other".', default: 5000, min: 1}),
    output: Flags.string({description: 'Write to this file atomically (temporary file, then rename) instead of stdout.', exclusive: ['listen']}),
    'file-mode': Flags.string({description: 'Octal mode of the --output file (the textfile collector usually runs as another user).', default: '0644'}),
    listen: Flags.string({description: 'Serve GET /metrics on HOST:PORT until SIGTERM, e.g. 127.0.0.1:9464 (a bare port binds 127.0.0.1).'}),
    'listen-public': Flags.boolean({description: 'Allow --listen on a non-loopback address (no authentication: trusted networks only).', default: false}),
  }

  async run(): Promise<MetricsResult> {
    const f = this.flags
    const {runMetrics} = await import('../lib/monitor/index.js')
    const result = await runMetrics({
      storePath: await this.storePath(f.store),
      format: f.format,
      maxSeries: f['max-series'],
      output: f.output ?? null,
      fileMode: f['file-mode'],
      listen: f.listen ?? null,
      listenPublic: f['listen-public'],
      signal: this.signal,
      onListening: (url) => writeErr(`serving ${url} (read-only) until SIGTERM`),
      onScrapeError: (m) => this.warning('scrape_failed', `scrape failed: ${m}`),
    })
    if (!this.jsonEnabled() && result.text !== null) writeRaw(result.text)
    if (result.output) writeErr(`wrote ${result.series} series to ${result.output}`)
    return result
  }
}
