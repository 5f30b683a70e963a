import {describe, expect, it} from 'vitest'

import {maskConfigData, maskConfigDocument, maskProxyUrl, maskSecret, secretKind} from '../../../src/lib/gateway-config/mask.js'

describe('masking', () => {
  it('masks as ****abcd, short values as ****', () => {
    expect(maskSecret('sk-cpa-0123456789abcd')).toBe('****abcd')
    expect(maskSecret('short-key')).toBe('****')
    expect(maskSecret('')).toBe('')
  })

  it('masks proxy credentials but keeps scheme, user and host', () => {
    expect(maskProxyUrl('socks5://bob:s3cretpassword@proxy.internal:1080')).toBe('socks5://bob:****word@proxy.internal:1080')
    expect(maskProxyUrl('http://user:pw@h:3128/')).toBe('http://user:****@h:3128/')
    expect(maskProxyUrl('http://tokenonlyuserinfo0000@h')).toBe('http://****0000@h')
    expect(maskProxyUrl('http://proxy:3128')).toBe('http://proxy:3128')
    expect(maskProxyUrl('direct')).toBe('direct')
  })

  it('knows which paths hold secrets', () => {
    expect(secretKind(['remote-management', 'secret-key'])).toBe('secret')
    expect(secretKind(['api-keys', 3])).toBe('secret')
    expect(secretKind(['codex-api-key', 0, 'api-key'])).toBe('secret')
    expect(secretKind(['openai-compatibility', 0, 'api-key-entries', 1, 'api-key'])).toBe('secret')
    expect(secretKind(['claude-api-key', 0, 'headers', 'Authorization'])).toBe('secret')
    expect(secretKind(['proxy-url'])).toBe('proxy')
    expect(secretKind(['codex-api-key', 0, 'proxy-url'])).toBe('proxy')
    expect(secretKind(['codex-api-key', 0, 'base-url'])).toBeNull()
    expect(secretKind(['models', 0, 'name'])).toBeNull()
    expect(secretKind(['max-retry-credentials'])).toBeNull()
    // v8 paths
    expect(secretKind(['management', 'secret-key'])).toBe('secret')
    expect(secretKind(['access', 'api-keys', 0])).toBe('secret')
    expect(secretKind(['api-keys', 'codex', 0, 'keys', 1, 'api-key'])).toBe('secret')
    expect(secretKind(['server', 'github-token'])).toBe('secret')
    expect(secretKind(['oauth', 'providers', 'codex', 'live-media-relay', 'ice-servers', 0, 'credential'])).toBe('secret')
    expect(secretKind(['oauth', 'providers', 'codex', 'live-media-relay', 'ice-servers', 0, 'username'])).toBe('secret')
    expect(secretKind(['api-keys', 'codex', 0, 'name'])).toBeNull()
    expect(secretKind(['credentials', 'concurrency', 'max-limit'])).toBeNull()
  })

  it('masks decoded data without touching other values', () => {
    const data = {
      'remote-management': {'secret-key': '$2a$10$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR', 'allow-remote': true},
      'api-keys': ['sk-cpa-aaaaaaaaaaaa1111', 'sk-cpa-bbbbbbbbbbbb2222'],
      'codex-api-key': [{'api-key': 'sk-up-000000000000beef', 'base-url': 'https://api.openai.com/v1', weight: 3}],
      'proxy-url': 'http://u:password1234@p:8080',
      port: 8317,
    }
    expect(maskConfigData(data)).toEqual({
      'remote-management': {'secret-key': '****OPQR', 'allow-remote': true},
      'api-keys': ['****1111', '****2222'],
      'codex-api-key': [{'api-key': '****beef', 'base-url': 'https://api.openai.com/v1', weight: 3}],
      'proxy-url': 'http://u:****1234@p:8080',
      port: 8317,
    })
    expect(data['api-keys'][0]).toBe('sk-cpa-aaaaaaaaaaaa1111')
  })

  it('masks a YAML document in place, keeping comments', async () => {
    const YAML = await import('yaml')
    const doc = YAML.parseDocument('# top\napi-keys:\n  - "sk-cpa-aaaaaaaaaaaa1111" # first\nport: 8317\n')
    await maskConfigDocument(doc)
    expect(doc.toString()).toBe('# top\napi-keys:\n  - "****1111" # first\nport: 8317\n')
  })
})
