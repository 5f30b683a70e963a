/**
 * The normaliser thread of the collector's batch writer (ingest-thread.ts starts it; ingest.ts writes what it
 * produces). For each batch of raw payloads it parses, normalises and hashes every record — the CPU-heavy part
 * of a batch that touches no database — and posts the results in chunks as they are ready, so the writing
 * thread inserts chunk k while this thread works on chunk k + 1. Results are column-encoded rows
 * (event-columns.ts) plus, per payload, whether it was a record, a control payload or invalid (with the reason).
 * Payloads are handled in order by one normaliser, exactly as the writing thread's own normaliser would.
 */
import {parentPort} from 'node:worker_threads'

import {createNormalizer, eventHash} from '../usage/index.js'
import {EVENT_COLUMNS, fillEventRow, RowEncoder} from './event-columns.js'
import {CHUNK_ROWS, KIND, type ToWorker, type FromWorker} from './ingest-protocol.js'

const port = parentPort
if (!port) throw new Error('ingest-worker.ts runs as a worker thread')

const normalizer = createNormalizer()
const encoder = new RowEncoder(CHUNK_ROWS)
const row: unknown[] = new Array(EVENT_COLUMNS.length)

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

/** Payload i of a batch: a string, or the UTF-8 text of its bytes. */
function payloadsOf(m: Extract<ToWorker, {type: 'batch'}>): {count: number; at: (i: number) => string} {
  if (m.payloads) {
    const list = m.payloads
    return {count: list.length, at: (i) => list[i]}
  }
  const ends = m.ends!
  const text = Buffer.from(m.bytes!.buffer, m.bytes!.byteOffset, m.bytes!.byteLength)
  return {count: ends.length, at: (i) => text.toString('utf8', i === 0 ? 0 : ends[i - 1], ends[i])}
}

function normalizeBatch(m: Extract<ToWorker, {type: 'batch'}>): void {
  const {id, instance, runId} = m
  const payloads = payloadsOf(m)
  for (let start = 0; start < payloads.count; start += CHUNK_ROWS) {
    const end = Math.min(payloads.count, start + CHUNK_ROWS)
    const kinds = new Uint8Array(end - start)
    const reasons: string[] = []
    for (let i = start; i < end; i++) {
      const c = normalizer.classify(payloads.at(i))
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
    // the payloads are decoded into strings by now: the batch's buffer goes back to the writer for the next one
    const returned = end === payloads.count && m.bytes ? (m.bytes.buffer as ArrayBuffer) : null
    post({type: 'chunk', id, start, kinds, reasons, rows, returned}, [...transfer, kinds.buffer as ArrayBuffer, ...(returned ? [returned] : [])])
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'learn') {
    normalizer.learnClientKeyHashes(m.keyHashes)
    return
  }
  try {
    normalizeBatch(m)
  } catch (error) {
    encoder.discard()
    post({type: 'failed', id: m.id, message: (error as Error)?.stack ?? String(error)})
  }
})
post({type: 'ready'})
