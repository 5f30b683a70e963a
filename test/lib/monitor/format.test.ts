// The monitoring-plugins line and perfdata, webhook URL masking, and the three notification payloads.
import {describe, expect, it} from 'vitest'

import {buildPayload} from '../../../src/lib/monitor/notify-format.js'
import {formatPerfdata, nagiosLine, perfNumber} from '../../../src/lib/monitor/perfdata.js'
import {maskUrl, parseWebhook, scrub} from '../../../src/lib/monitor/webhook.js'
import type {CheckResult} from '../../../src/lib/monitor/check-types.js'

describe('perfdata and the status line', () => {
  it("formats 'label'=value[uom];warn;crit;min;max, trimming empty trailing fields", () => {
    expect(formatPerfdata({label: 'failure_rate', value: 0.136029411, uom: '', warn: 0.1, crit: 0.3, min: 0, max: 1})).toBe('failure_rate=0.136029;0.1;0.3;0;1')
    expect(formatPerfdata({label: 'prod age', value: 12.5, uom: 's', warn: null, crit: 180, min: 0, max: null})).toBe("'prod age'=12.5s;;180;0")
    expect(formatPerfdata({label: "it's = odd", value: 1, uom: '', warn: null, crit: null, min: null, max: null})).toBe("'it''s _ odd'=1")
    expect(formatPerfdata({label: 'a@b.json used', value: 100, uom: '%', warn: 80, crit: 95, min: 0, max: 100})).toBe("'a@b.json used'=100%;80;95;0;100")
    expect(perfNumber(1e-9)).toBe('0')
    expect(perfNumber(123456789012)).toBe('123456789012')
    expect(perfNumber(Number.NaN)).toBe('U')
  })

  it('one line: NAME STATE - text | perfdata; pipes and newlines in the text cannot break it', () => {
    expect(nagiosLine({check: 'quota', state: 'critical', summary: 'a|b\nc', perfdata: [{label: 'x', value: 1, uom: '', warn: null, crit: null, min: null, max: null}]})).toBe('QUOTA CRITICAL - a/b c | x=1')
    expect(nagiosLine({check: 'collector', state: 'ok', summary: 'fine', perfdata: []})).toBe('COLLECTOR OK - fine')
  })
})

describe('webhook URLs', () => {
  it('are printed as scheme://host only, and identified by a hash', () => {
    expect(parseWebhook('https://hooks.slack.com/services/T000/B000/XXXXsecret').masked).toBe('https://hooks.slack.com/****')
    expect(parseWebhook('https://discord.com/api/webhooks/1/tok').masked).toBe('https://discord.com/****')
    expect(parseWebhook('http://user:pw@127.0.0.1:8080/').masked).toBe('http://****@127.0.0.1:8080')
    expect(parseWebhook('http://127.0.0.1:8080/?token=abc').masked).toBe('http://127.0.0.1:8080/****')
    expect(maskUrl(new URL('https://ntfy.example/'))).toBe('https://ntfy.example')
    const w = parseWebhook('https://h.example/hook/s3cr3t?k=v')
    expect(w.id).toMatch(/^[0-9a-f]{16}$/)
    expect(parseWebhook('https://h.example/hook/other').id).not.toBe(w.id)
    expect(scrub('POST https://h.example/hook/s3cr3t?k=v failed; /hook/s3cr3t?k=v', w)).toBe('POST https://h.example/**** failed; ****')
  })

  it('bad values are usage errors that never echo the secret', () => {
    expect(() => parseWebhook('not a url/with-secret-token')).toThrow(/invalid --notify URL 'not a ur\*\*\*\*'/)
    expect(() => parseWebhook('ftp://h.example/secret')).toThrow(/ftp:\/\/h.example\/\*\*\*\*: only http and https/)
  })
})

describe('notification payloads', () => {
  const r: Omit<CheckResult, 'notifications'> = {
    check: 'quota',
    state: 'critical',
    summary: '1 of 2 accounts not OK: <a> & b',
    items: [
      {target: 'prod/a', state: 'critical', summary: 'a: 99% used'},
      {target: 'prod/b', state: 'ok', summary: 'b: 10% used'},
    ],
    perfdata: [{label: 'a used', value: 99, uom: '%', warn: 80, crit: 95, min: 0, max: 100}],
    thresholds: {warn: 80, crit: 95},
    warnings: [],
    checkedAt: '2026-12-06T12:00:00.000Z',
  }
  const changes = [{target: 'prod/a', from: 'ok' as const, to: 'critical' as const, summary: 'a: 99% used @everyone'}]

  it('generic: the whole verdict plus the changes', () => {
    expect(buildPayload('generic', r, changes, 'mon1')).toEqual({
      source: 'cpactl',
      event: 'check_state_changed',
      check: 'quota',
      state: 'critical',
      summary: r.summary,
      host: 'mon1',
      checkedAt: r.checkedAt,
      changes,
      items: r.items,
      perfdata: r.perfdata,
    })
  })

  it('slack: {text} with mrkdwn escaping; discord: {content} with mentions disabled, at most 2000 characters', () => {
    expect(buildPayload('slack', r, changes, 'mon1')).toEqual({
      text: ':rotating_light: *cpactl check quota: CRITICAL* on mon1\n1 of 2 accounts not OK: &lt;a&gt; &amp; b\n• prod/a: OK → CRITICAL — a: 99% used @everyone',
    })
    const d = buildPayload('discord', r, changes, 'mon_1') as {content: string; allowed_mentions: unknown}
    expect(d.allowed_mentions).toEqual({parse: []})
    expect(d.content).toBe('**cpactl check quota: CRITICAL** on mon\\_1\n1 of 2 accounts not OK: <a> & b\n- prod/a: OK → CRITICAL — a: 99% used @everyone')
    const many = Array.from({length: 100}, (_, i) => ({target: `prod/${'x'.repeat(60)}${i}`, from: 'ok' as const, to: 'warning' as const, summary: 'y'.repeat(80)}))
    const big = buildPayload('discord', r, many, 'h') as {content: string}
    expect(big.content.length).toBeLessThanOrEqual(2000)
    expect((buildPayload('slack', r, many, 'h') as {text: string}).text).toMatch(/… and 80 more$/)
  })
})
