/**
 * RESP consumer through ioredis 5.11.1, configured so the
 * gateway sees exactly `AUTH <key>` and then only `LPOP usage <n>`:
 * - no `password` option: we send AUTH ourselves and wait for its reply before the first pop, so a wrong key
 *   costs one failed attempt and no pipelined pre-auth command (each of which would count toward the
 *   5-strike ban shared with HTTP);
 * - enableReadyCheck:false (no INFO), disableClientInfo:true (no CLIENT SETINFO), db unset (no SELECT), no
 *   connectionName (no CLIENT SETNAME), maxRetriesPerRequest:0, retryStrategy → null (ioredis never
 *   reconnects or re-sends AUTH on its own: reconnection with backoff is the follow loop's decision, and it
 *   stops for good after any auth error), enableOfflineQueue:false, autoResendUnfulfilledCommands:false
 *   (a pop is never re-sent), disconnect() instead of QUIT (the gateway knows QUIT only in subscribe mode).
 */
import {AuthError, ConfigError, UpstreamError} from '../cli/errors.js'
import {bannedError} from '../gateway/errors.js'
import type {QueueConsumer, RespEndpoint} from './types.js'

type Redis = import('ioredis').Redis

/** Map a RESP error reply / connection failure to a typed error. `stage` says how far we got. */
export function respError(error: unknown, endpoint: RespEndpoint, stage: 'connect' | 'auth' | 'pop' | 'subscribe', lastSeen?: Error | null): Error {
  const msg = String((error as Error)?.message ?? error)
  const seen = lastSeen?.message ?? ''
  const text = `${msg} ${seen}`
  const where = `${endpoint.host}:${endpoint.port}`
  if (/IP banned/i.test(text)) {
    const line = /IP banned[^\n]*/i.exec(text)?.[0] ?? msg
    return bannedError(line)
  }
  if (/invalid management key|missing management key|NOAUTH/i.test(text)) {
    return new AuthError(`the gateway rejected the management key on RESP AUTH (${/invalid management key|missing management key|NOAUTH[^\n]*/i.exec(text)?.[0]})`, {
      code: 'auth_failed',
      hint: 'check the key; cpactl does not retry (five failures ban this IP for 30 minutes)',
    })
  }
  if (/remote management disabled/i.test(text)) {
    return new AuthError('the gateway refuses remote management from this address (RESP: remote management disabled)', {
      code: 'remote_disabled',
      hint: 'set remote-management.allow-remote: true in the gateway config, or run cpactl on the gateway host',
    })
  }
  if (/remote management key not set/i.test(text)) {
    return new ConfigError('management is disabled on the gateway: no remote-management.secret-key is set', {code: 'management_disabled'})
  }
  if (/unsupported channel/i.test(text)) {
    return new UpstreamError(`the gateway refused the usage queue key (${msg})`, {code: 'bad_response'})
  }
  if (/timed out|ETIMEDOUT/i.test(text)) {
    return new UpstreamError(`RESP ${stage} to ${where} timed out`, {code: stage === 'pop' ? 'resp_disconnected' : 'resp_unavailable', details: {stage}})
  }
  const code = stage === 'connect' || stage === 'auth' ? 'resp_unavailable' : 'resp_disconnected'
  return new UpstreamError(`RESP ${stage} with ${where} failed (${seen && seen !== msg ? `${msg}; ${seen}` : msg})`, {
    code,
    hint: code === 'resp_unavailable' ? 'RESP shares the HTTP port but cannot cross an HTTP reverse proxy; try --transport http' : undefined,
    details: {stage},
  })
}

export interface RespConnection {
  redis: Redis
  /** Last 'error' event seen on the connection (ioredis reports socket/parser errors there). */
  lastError(): Error | null
  closed(): boolean
  onClose(listener: () => void): void
}

/** Open a connection and authenticate it: the server sees `AUTH <key>` and nothing else. */
export async function connectResp(endpoint: RespEndpoint): Promise<RespConnection> {
  const {Redis} = await import('ioredis')
  const key = await endpoint.key()
  const redis = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: true,
    enableReadyCheck: false,
    disableClientInfo: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableOfflineQueue: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    connectTimeout: endpoint.connectTimeoutMs ?? 5000,
    commandTimeout: endpoint.commandTimeoutMs ?? 60_000,
    ...(endpoint.tls ? {tls: {rejectUnauthorized: !endpoint.insecure, servername: endpoint.host}} : {}),
  })
  let last: Error | null = null
  let isClosed = false
  const closeListeners: Array<() => void> = []
  redis.on('error', (e: Error) => {
    last = e
  })
  redis.on('end', () => {
    isClosed = true
    for (const l of closeListeners.splice(0)) l()
  })
  const conn: RespConnection = {
    redis,
    lastError: () => last,
    closed: () => isClosed,
    onClose: (l) => (isClosed ? l() : closeListeners.push(l)),
  }
  try {
    await redis.connect()
  } catch (error) {
    redis.disconnect()
    throw respError(error, endpoint, 'connect', last)
  }
  try {
    await redis.auth(key)
  } catch (error) {
    redis.disconnect()
    throw respError(error, endpoint, 'auth', last)
  }
  return conn
}

export class RespConsumer implements QueueConsumer {
  readonly transport = 'resp' as const
  private constructor(
    private readonly conn: RespConnection,
    private readonly endpoint: RespEndpoint,
  ) {}

  /** Connect and AUTH; throws AuthError (never retried) or UpstreamError `resp_unavailable`. */
  static async connect(endpoint: RespEndpoint): Promise<RespConsumer> {
    return new RespConsumer(await connectResp(endpoint), endpoint)
  }

  get closed(): boolean {
    return this.conn.closed()
  }

  async pop(count: number): Promise<unknown[]> {
    let out: Buffer[] | null
    try {
      // the raw bytes: the collector hands them to its normaliser thread without decoding them here
      out = await this.conn.redis.lpopBuffer('usage', count)
    } catch (error) {
      throw respError(error, this.endpoint, 'pop', this.conn.lastError())
    }
    // the gateway answers `*0` when empty; real Redis a nil array — treat both as empty
    return out ?? []
  }

  async close(): Promise<void> {
    this.conn.redis.disconnect()
  }
}
