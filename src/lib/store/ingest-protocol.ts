/**
 * How the collector's batch writer (ingest.ts, through ingest-thread.ts) and its normaliser thread
 * (ingest-worker.ts) share a batch. The batch is cut into chunks of CHUNK_ROWS payloads, which the thread
 * normalises in order and posts, each as soon as it is done, on its own port; the writer reads that port
 * synchronously and waits on a small shared array per batch (BatchState) with Atomics.wait, so a batch never
 * yields to the event loop. If the thread stalls, the writer takes the rest of the batch over: it stops the
 * thread's claims and normalises the remaining chunks itself, in order.
 */
import type {EncodedRows} from './event-columns.js'

/** Payloads per chunk: small enough that the writer starts early, large enough to keep messages few. */
export const CHUNK_ROWS = 64

/** What each payload turned out to be. */
export const KIND = {record: 0, control: 1, invalid: 2} as const

/** Slots of a batch's shared Int32Array. */
const NEXT = 0
const POSTED = 1
/** Past any chunk index: claims after it fail. */
const STOPPED = 0x3fffffff

/** The shared state of one batch: the next chunk the thread takes, and how many chunks it has posted. */
export type BatchState = Int32Array

export function batchState(): BatchState {
  return new Int32Array(new SharedArrayBuffer(8))
}

/** The next chunk for the thread (of `chunks`); -1 when none is left or the writer took the batch over. */
export function claimNext(s: BatchState, chunks: number): number {
  const k = Atomics.add(s, NEXT, 1)
  return k < chunks ? k : -1
}

/** Nothing more for the thread: it stops after the chunk it is on (the writer took the batch over, or gave it up). */
export function abandon(s: BatchState): void {
  Atomics.store(s, NEXT, STOPPED)
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
   * Normalise a batch, chunk by chunk, in order. The payloads are strings, or raw bytes (RESP) packed
   * into `bytes` (transferred), payload i being bytes[ends[i - 1] … ends[i]).
   */
  | {type: 'batch'; id: number; instance: string; runId: number | null; payloads: readonly string[] | null; bytes: Uint8Array | null; ends: Uint32Array | null; chunks: number; state: BatchState}
  /** Client-key hashes the writer's own normaliser learned (before the thread took over, or in a batch it did itself). */
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
  /** Client-key hashes the thread's normaliser learned in this chunk (the writer's learns them too). */
  learned: string[]
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
