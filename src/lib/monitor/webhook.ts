/**
 * Webhook URLs carry their secret in the path (Slack `/services/T…/B…/secret`, Discord `/api/webhooks/id/token`),
 * the query (`?token=`) or the user info. They are printed only masked — scheme, host and port, the rest
 * `****` — and identified across runs by a hash, never stored.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {ConfigError, UsageError} from '../cli/errors.js'

export interface Webhook {
  url: string
  /** `https://hooks.slack.com/****` */
  masked: string
  /** First 16 hex digits of the SHA-256 of the URL: the receiver key of the check states. */
  id: string
}

export function maskUrl(url: URL): string {
  const auth = url.username || url.password ? '****@' : ''
  const rest = url.pathname !== '/' || url.search || url.hash ? '/****' : ''
  return `${url.protocol}//${auth}${url.host}${rest}`
}

/** Validate one --notify value (http or https only); errors name only the masked form. */
export function parseWebhook(text: string): Webhook {
  const raw = text.trim()
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // the value may be a secret: name only its start
    throw new UsageError(`invalid --notify URL '${raw.slice(0, 8)}****': expected an http(s) webhook URL`, {code: 'invalid_notify_url'})
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid --notify URL ${maskUrl(url)}: only http and https webhooks are supported`, {code: 'invalid_notify_url'})
  }
  return {url: raw, masked: maskUrl(url), id: createHash('sha256').update(raw).digest('hex').slice(0, 16)}
}

/** --notify values plus the lines of --notify-file (blank lines and # comments skipped), deduplicated. */
export function webhooksFrom(urls: readonly string[], file: string | null): Webhook[] {
  const all = [...urls]
  if (file) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigError(`cannot read --notify-file ${file}: ${(error as Error).message}`, {code: 'notify_file_unreadable'})
    }
    for (const line of text.split(/\r?\n/)) if (line.trim() !== '' && !line.trim().startsWith('#')) all.push(line.trim())
  }
  const out = new Map<string, Webhook>()
  for (const u of all) {
    const w = parseWebhook(u)
    out.set(w.id, w)
  }
  return [...out.values()]
}

/** Replace every occurrence of the URL (or its secret part) in a message with the masked form. */
export function scrub(message: string, w: Webhook): string {
  let out = message.replaceAll(w.url, w.masked)
  const u = new URL(w.url)
  for (const part of [u.pathname + u.search, u.pathname, u.search, u.username, u.password]) if (part.length > 1) out = out.replaceAll(part, '****')
  return out
}
