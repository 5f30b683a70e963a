/**
 * Messages between the collector's batch writer (ingest-thread.ts, in the writing thread) and its normaliser
 * thread (ingest-worker.ts).
 */
import type {EncodedRows} from './event-columns.js'

/** Payloads per posted chunk: small enough that the writer starts early, large enough to keep messages few. */
export const CHUNK_ROWS = 64

/** What each payload turned out to be. */
export const KIND = {record: 0, control: 1, invalid: 2} as const

export type ToWorker =
  /**
   * Normalise one batch; answered by chunks in payload order. The payloads are strings, or raw bytes (RESP)
   * packed into `bytes` (transferred), payload i being bytes[ends[i - 1] … ends[i]); the batch's last chunk
   * transfers that buffer back (`returned`) for the next batch.
   */
  | {type: 'batch'; id: number; instance: string; runId: number | null; payloads: readonly string[] | null; bytes: Uint8Array | null; ends: Uint32Array | null}
  /** Client-key hashes the writer's own normaliser knew before the thread took over. */
  | {type: 'learn'; keyHashes: string[]}

export interface ChunkMessage {
  type: 'chunk'
  id: number
  /** Index of the chunk's first payload in the batch. */
  start: number
  /** KIND per payload of the chunk. */
  kinds: Uint8Array
  /** Reasons of the invalid payloads, in order. */
  reasons: string[]
  /** The records, column-encoded, in order. */
  rows: EncodedRows
  /** The batch's last chunk: the buffer its raw bytes came in, handed back (transferred). */
  returned: ArrayBuffer | null
}

export type FromWorker = {type: 'ready'} | ChunkMessage | {type: 'failed'; id: number; message: string}

/** A chunk as the writer reads it: with the dictionary its rows resolve against (event-columns.ts RowDecoder). */
export interface ReceivedChunk extends ChunkMessage {
  dict: readonly string[]
}
