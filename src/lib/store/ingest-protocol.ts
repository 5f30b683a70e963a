/**
 * How the collector's batch writer (ingest.ts, through ingest-thread.ts) and its normaliser thread
 * (ingest-worker.ts) share a batch. The batch is cut into chunks of CHUNK_ROWS payloads; the thread claims
 * chunks from the front, the writer from the back (whenever it would otherwise wait), so both stay busy and
 * meet in the middle. Claims go through a small shared array per batch (BatchState); the thread posts each
 * chunk it finished on its own port, which the writer reads synchronously (and waits on with Atomics.wait):
 * a batch never yields to the event loop.
 */
import type {EncodedRows} from './event-columns.js'

/** Payloads per chunk: small enough that neither side waits long for the other, large enough to keep messages few. */
export const CHUNK_ROWS = 64

/** Chunks a batch may have (claims pack two chunk indexes into one 32-bit integer). */
export const MAX_CHUNKS = 0x7fff

/** What each payload turned out to be. */
export const KIND = {record: 0, control: 1, invalid: 2} as const

/** Slots of a batch's shared Int32Array. */
const CLAIMS = 0
const POSTED = 1

/** The shared state of one batch: unclaimed chunks [front, back), and how many chunks the thread has posted. */
export type BatchState = Int32Array

export function batchState(chunks: number): BatchState {
  const s = new Int32Array(new SharedArrayBuffer(8))
  s[CLAIMS] = chunks << 16
  return s
}

/** Take the first unclaimed chunk (the thread); -1 when none is left. */
export function claimFront(s: BatchState): number {
  for (;;) {
    const c = Atomics.load(s, CLAIMS)
    const front = c & 0xffff
    const back = c >>> 16
    if (front >= back) return -1
    if (Atomics.compareExchange(s, CLAIMS, c, (back << 16) | (front + 1)) === c) return front
  }
}

/** Take the last unclaimed chunk (the writer); -1 when none is left. */
export function claimBack(s: BatchState): number {
  for (;;) {
    const c = Atomics.load(s, CLAIMS)
    const front = c & 0xffff
    const back = c >>> 16
    if (front >= back) return -1
    if (Atomics.compareExchange(s, CLAIMS, c, ((back - 1) << 16) | front) === c) return back - 1
  }
}

/** Nothing more for the thread: it stops after the chunk it is on (the writer gave the batch up). */
export function abandon(s: BatchState): void {
  Atomics.store(s, CLAIMS, 0)
}

/** The thread posted one more chunk. */
export function posted(s: BatchState): void {
  Atomics.add(s, POSTED, 1)
  Atomics.notify(s, POSTED)
}

/** Wait until the thread has posted more than `seen` chunks; false after `timeoutMs` without. */
export function waitPosted(s: BatchState, seen: number, timeoutMs: number): boolean {
  return Atomics.wait(s, POSTED, seen, timeoutMs) !== 'timed-out'
}

export type ToWorker =
  /**
   * Normalise the chunks of a batch this thread claims. The payloads are strings, or raw bytes (RESP) packed
   * into `bytes` (transferred), payload i being bytes[ends[i - 1] … ends[i]).
   */
  | {type: 'batch'; id: number; instance: string; runId: number | null; payloads: readonly string[] | null; bytes: Uint8Array | null; ends: Uint32Array | null; state: BatchState}
  /** Client-key hashes the writer's own normaliser knew before the thread took over. */
  | {type: 'learn'; keyHashes: string[]}

export interface ChunkMessage {
  type: 'chunk'
  id: number
  /** The chunk's index in the batch (its first payload is chunk × CHUNK_ROWS). */
  chunk: number
  /** KIND per payload of the chunk. */
  kinds: Uint8Array
  /** Reasons of the invalid payloads, in order. */
  reasons: string[]
  /** The records, column-encoded, in order. */
  rows: EncodedRows
}

/**
 * On the thread's chunk port: the chunks it did, a batch it could not normalise, and — once it is done with a
 * batch — the buffer the raw bytes came in, handed back (transferred) for a later batch.
 */
export type ChunkPortMessage = ChunkMessage | {type: 'failed'; id: number; message: string} | {type: 'done'; id: number; returned: ArrayBuffer}

/** A chunk as the writer reads it: with the dictionary its rows resolve against (event-columns.ts RowDecoder). */
export interface ReceivedChunk extends ChunkMessage {
  dict: readonly string[]
}
