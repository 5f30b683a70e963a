import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {RejectedError, UpstreamError, UsageError} from '../lib/cli/errors.js'
import {stdoutIsTTY, writeErr, writeOut} from '../lib/cli/output.js'
import {readStdinText} from '../lib/cli/stdin.js'
import {needsConfirmation, rawApiCall} from '../lib/gateway/raw.js'

export default class Api extends BaseCommand<typeof Api> {
  static summary = 'Call any management endpoint with the profile\'s auth and print the response body.'
  static description =
    'PATH is relative to /v0/management (e.g. `config`, `auth-files?name=x.json`) whatever API the gateway speaks; `/v8/management/…` (or `/v0/management/…`) names a management path explicitly, sent with the key; any other path starting with `/` is relative to the gateway origin (e.g. `/healthz`) and sent without it. Non-GET methods and a GET of the usage queue (it pops records) need --yes. Never retried.'

  static examples = [
    '<%= config.bin %> api GET config',
    '<%= config.bin %> api PUT usage-statistics-enabled --data \'{"value":true}\' --yes',
    '<%= config.bin %> api GET auth-files --json | jq \'.files[].name\'',
    '<%= config.bin %> api GET /v8/management/config/routing',
  ]

  static args = {
    method: Args.string({description: 'HTTP method', required: true, options: ['GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'get', 'put', 'patch', 'post', 'delete']}),
    path: Args.string({description: 'Path below /v0/management, /v8/management/… or /v0/management/…, or /origin-path', required: true}),
  }

  static flags = {
    data: Flags.string({char: 'd', description: 'Request body: inline JSON/YAML, @file, or - for stdin.'}),
    include: Flags.boolean({char: 'i', description: 'Print the status line and response headers to stderr.', default: false}),
    yes: Flags.boolean({description: 'Confirm a state-changing call (non-GET, or GET usage-queue).', default: false}),
  }

  async run(): Promise<unknown> {
    const {method, path} = this.args
    if (needsConfirmation(method, path) && !this.flags.yes) {
      throw new UsageError(`${method.toUpperCase()} ${path} changes gateway state (or pops usage records); add --yes to send it`, {code: 'confirmation_required'})
    }
    if (this.flags.data === '-' && this.flags['management-key-stdin']) {
      throw new UsageError('--data - and --management-key-stdin both want standard input')
    }
    const client = await this.gateway()
    const stdinText = this.flags.data === '-' ? await readStdinText() : undefined
    const res = await rawApiCall(client, {method, path, data: this.flags.data, stdinText})
    if (this.flags.include) {
      writeErr(`HTTP ${res.status}`)
      for (const [k, v] of Object.entries(res.headers)) writeErr(`${k}: ${v}`)
    }
    const text = res.body.toString('utf8')
    let parsed: unknown = text
    try {
      parsed = text.trim() ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    if (!this.jsonEnabled()) {
      if (stdoutIsTTY() && parsed !== null && typeof parsed === 'object') writeOut(JSON.stringify(parsed, null, 2))
      else if (text) writeOut(text)
    }
    if (res.status >= 500) throw new UpstreamError(`${method.toUpperCase()} ${path} answered ${res.status}`, {code: 'server_error', details: {status: res.status}})
    if (res.status >= 400) throw new RejectedError(`${method.toUpperCase()} ${path} answered ${res.status}`, res.status, {details: {status: res.status, body: parsed}})
    return parsed
  }
}
