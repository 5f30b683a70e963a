/** The smallest set of v8 config-tree writes between two documents (plan.ts). */
import {describe, expect, it} from 'vitest'

import {planConfigWrites} from '../../../src/lib/gateway-config/plan.js'

const plan = (live: Record<string, unknown>, desired: Record<string, unknown>) => planConfigWrites(live, desired).map((w) => [w.method, w.path.join('/'), w.value])

describe('planConfigWrites', () => {
  it('equal documents need no write; a changed leaf is one PUT; a missing key one DELETE; a new section one PUT', () => {
    const live = {'config-version': 8, routing: {strategy: 'round-robin', retry: {'request-retry': 3}}, requests: {'proxy-url': 'socks5://p:1080'}}
    expect(plan(live, structuredClone(live))).toEqual([])
    expect(plan(live, {'config-version': 8, routing: {strategy: 'fill-first', retry: {'request-retry': 3}}, multimedia: {'disable-image-generation': 'chat'}})).toEqual([
      ['PUT', 'routing/strategy', 'fill-first'],
      ['PUT', 'multimedia', {'disable-image-generation': 'chat'}],
      ['DELETE', 'requests', undefined],
    ])
  })

  it('lists are written whole (no index paths); upstream groups of other providers are not touched', () => {
    const codex = [{name: 'codex-1', 'base-url': 'https://c', keys: [{'api-key': 'a'}]}]
    const live = {'api-keys': {codex, claude: [{name: 'claude-1', keys: [{'api-key': 'b'}]}]}, access: {'api-keys': ['k1', 'k2']}}
    const desired = {'api-keys': {codex, claude: [{name: 'claude-1', keys: [{'api-key': 'b', weight: 2}]}]}, access: {'api-keys': ['k1']}}
    expect(plan(live, desired)).toEqual([
      ['PUT', 'api-keys/claude', desired['api-keys'].claude],
      ['PUT', 'access/api-keys', ['k1']],
    ])
  })

  it('an empty mapping replacing a non-empty one is PUT as {} (deleting its keys would prune it); a type change is one PUT', () => {
    expect(plan({plugins: {configs: {a: {enabled: true}}}}, {plugins: {configs: {}}})).toEqual([['PUT', 'plugins/configs', {}]])
    expect(plan({multimedia: {'disable-image-generation': {x: 1}}}, {multimedia: {'disable-image-generation': true}})).toEqual([['PUT', 'multimedia/disable-image-generation', true]])
  })

  it('a key that cannot be a path segment is written through the nearest mapping above it', () => {
    expect(plan({plugins: {configs: {'a/b': {x: 1}, c: {y: 1}}}}, {plugins: {configs: {'a/b': {x: 2}, c: {y: 1}}}})).toEqual([['PUT', 'plugins/configs', {'a/b': {x: 2}, c: {y: 1}}]])
    expect(plan({plugins: {configs: {'..': 1}}}, {plugins: {configs: {'..': 2}}})).toEqual([['PUT', 'plugins/configs', {'..': 2}]])
  })

  it('management.secret-key goes last (the key in use stops working once it lands)', () => {
    const live = {management: {'secret-key': '$2a$10$old', 'allow-remote': false}, routing: {strategy: 'round-robin'}}
    const desired = {management: {'secret-key': 'new-plaintext-key', 'allow-remote': true}, routing: {strategy: 'fill-first'}}
    expect(plan(live, desired).map(([m, p]) => `${m} ${p}`)).toEqual(['PUT management/allow-remote', 'PUT routing/strategy', 'PUT management/secret-key'])
  })
})
