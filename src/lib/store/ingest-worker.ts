/**
 * The normaliser thread of the collector's batch writer (ingest-thread.ts starts it; ingest.ts writes what it
 * produces). For each batch it parses, normalises and hashes every record — the CPU-heavy part of a batch that
 * touches no database — chunk by chunk, in order, and posts each chunk as soon as it is done, so the writing
 * thread inserts chunk k while this thread works on chunk k + 1 (ingest-protocol.ts). Results are
 * column-encoded rows (event-columns.ts) plus, per payload, whether it was a record, a control payload or
 * invalid (with the reason), and the client keys the normaliser learned on the way: one normaliser sees the
 * payloads in order, exactly as the writing thread's would, and the writing thread's learns what it learned.
 */
import {parentPort, workerData, type MessagePort} from 'node:worker_threads'

import {createNormalizer, eventHash} from '../usage/index.js'
import {EVENT_COLUMNS, fillEventRow, RowEncoder} from './event-columns.js'
import {CHUNK_ROWS, claimNext, KIND, posted, type ChunkPortMessage, type ToWorker} from './ingest-protocol.js'

const control = parentPort
if (!control) throw new Error('ingest-worker.ts runs as a worker thread')
/** Chunks go out on their own port, which the writer reads synchronously. */
const chunkPort = (workerData as {chunks: MessagePort}).chunks

const normalizer = createNormalizer()
const encoder = new RowEncoder(CHUNK_ROWS)
const row: unknown[] = new Array(EVENT_COLUMNS.length)

type Batch = Extract<ToWorker, {type: 'batch'}>

/** The batch's payloads: strings, or views of the packed bytes (decoded by the normaliser). */
function payloadsOf(m: Batch): readonly unknown[] {
  if (m.payloads) return m.payloads
  const ends = m.ends!
  const bytes = m.bytes!
  return Array.from(ends, (end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end))
}

/** Client keys the normaliser knew after the last posted chunk. */
let keysPosted = 0

function normalizeBatch(m: Batch): void {
  const {id, instance, runId, state} = m
  const payloads = payloadsOf(m)
  for (let chunk = claimNext(state, m.chunks); chunk >= 0; chunk = claimNext(state, m.chunks)) {
    const start = chunk * CHUNK_ROWS
    const end = Math.min(payloads.length, start + CHUNK_ROWS)
    const kinds = new Uint8Array(end - start)
    const reasons: string[] = []
    for (let i = start; i < end; i++) {
      const c = normalizer.classify(payloads[i])
      if (c.kind === 'record') {
        encoder.add(fillEventRow(row, instance, runId, eventHash(instance, c.event), c.event))
        kinds[i - start] = KIND.record
      } else if (c.kind === 'control') kinds[i - start] = KIND.control
      else {
        kinds[i - start] = KIND.invalid
        reasons.push(c.reason)
      }
    }
    const {rows, transfer} = encoder.take()
    const keys = normalizer.clientKeyCount()
    const learned = keys > keysPosted ? normalizer.clientKeyHashes(keysPosted) : []
    keysPosted = keys
    send({type: 'chunk', id, chunk, kinds, reasons, rows, learned}, [...transfer, kinds.buffer as ArrayBuffer])
    posted(state)
  }
  // the payloads this thread parsed are copies by now: the bytes' buffer goes back for a later batch
  if (m.bytes) send({type: 'done', id, returned: m.bytes.buffer as ArrayBuffer}, [m.bytes.buffer as ArrayBuffer])
}

function send(message: ChunkPortMessage, transfer: ArrayBuffer[] = []): void {
  chunkPort.postMessage(message, transfer)
}

control.on('message', (m: ToWorker) => {
  if (m.type === 'learn') {
    normalizer.learnClientKeyHashes(m.keyHashes)
    keysPosted = normalizer.clientKeyCount()
    return
  }
  try {
    normalizeBatch(m)
  } catch (error) {
    encoder.discard()
    send({type: 'failed', id: m.id, message: (error as Error)?.stack ?? String(error)})
    posted(m.state)
  }
})
control.postMessage({type: 'ready'})
