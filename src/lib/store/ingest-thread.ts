/**
 * The collector's normaliser thread, seen from the writing thread: starts ingest-worker.ts in the background
 * (the first batches are normalised in the writing thread until it is ready), hands it each batch, and gives
 * the writer the chunks it finished — read synchronously from the thread's chunk port, in order
 * (ingest-protocol.ts). Only the collector's batches use it (SqliteEvents.batch), and only on a machine with at
 * least two CPUs. Nothing depends on the thread being there: if it stops, or stalls, the writer normalises what
 * is left itself.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads'

import {RowDecoder} from './event-columns.js'
import {abandon, batchState, waitPosted, type BatchState, type ChunkPortMessage, type ReceivedChunk, type ToWorker} from './ingest-protocol.js'

/** A young generation this small keeps the thread's garbage (parsed records, dead within a chunk) and the collector's peak RSS low (issue 12: 200 MB). */
const YOUNG_MB = 8

/** How long the writer waits for the thread's next chunk before it takes the rest of the batch over. */
const STALL_MS = 2000

/** The compiled thread (dist), or null when running from the TypeScript sources. */
function compiledWorker(): URL | null {
  const js = new URL('./ingest-worker.js', import.meta.url)
  return existsSync(fileURLToPath(js)) ? js : null
}

function spawn(compiled: URL | null, chunks: MessagePort): Worker {
  const options = {stdout: false, stderr: false, resourceLimits: {maxYoungGenerationSizeMb: YOUNG_MB, maxOldGenerationSizeMb: 64}, workerData: {chunks}, transferList: [chunks]}
  if (compiled) return new Worker(compiled, options)
  // the TypeScript sources (tests, bin/dev.js): the thread loads them through tsx itself
  const ts = new URL('./ingest-worker.ts', import.meta.url).href
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href
  const boot = `import(${JSON.stringify(api)}).then((api) => api.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(boot, {...options, eval: true})
}

export class IngestThread {
  private readonly worker: Worker
  private readonly chunkPort: MessagePort
  private ready = false
  private gone: Error | null = null
  private batchId = 0
  private state: BatchState | null = null
  /** Chunk messages of the current batch taken from the port so far. */
  private received = 0
  private readonly decoder = new RowDecoder()
  /** A buffer for the next batch's raw bytes (each batch's comes back from the thread). */
  private spare: ArrayBuffer | null = null

  /**
   * Start the thread when it can help (two CPUs or more; CPACTL_INGEST_THREAD=0 turns it off); null otherwise.
   * From the TypeScript sources the thread boots through tsx, which costs seconds of CPU: there it starts only
   * with CPACTL_INGEST_THREAD=1 (the tests of the threaded path).
   */
  static start(learned: (keyHashes: string[]) => void): IngestThread | null {
    const setting = process.env.CPACTL_INGEST_THREAD
    if (setting === '0' || availableParallelism() < 2) return null
    const compiled = compiledWorker()
    if (!compiled && setting !== '1') return null
    try {
      const {port1, port2} = new MessageChannel()
      return new IngestThread(spawn(compiled, port2), port1, learned)
    } catch {
      return null
    }
  }

  /** Payloads the thread takes: all strings, or all raw bytes. */
  static accepts(payloads: readonly unknown[]): boolean {
    const first = payloads[0]
    if (typeof first === 'string') return payloads.every((p) => typeof p === 'string')
    return first instanceof Uint8Array && payloads.every((p) => p instanceof Uint8Array)
  }

  /** `learned` gets the client keys the thread's normaliser learned, chunk by chunk, in order. */
  private constructor(
    worker: Worker,
    chunkPort: MessagePort,
    private readonly learned: (keyHashes: string[]) => void,
  ) {
    this.worker = worker
    this.chunkPort = chunkPort
    worker.unref()
    chunkPort.unref()
    worker.on('message', (m: {type: 'ready'}) => {
      if (m.type === 'ready') this.ready = true
    })
    const lost = (error: Error) => {
      this.gone ??= error
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`the normaliser thread exited (code ${code})`)))
  }

  /** Ready to take a batch (started, not gone). */
  get available(): boolean {
    return this.ready && this.gone === null
  }

  /** Client-key hashes the writer's normaliser knew before the thread took over. */
  learn(keyHashes: string[]): void {
    if (keyHashes.length > 0) this.post({type: 'learn', keyHashes})
  }

  /** Hand the thread a batch of `chunks` chunks. */
  begin(payloads: readonly unknown[], instance: string, runId: number | null, chunks: number): void {
    const id = ++this.batchId
    const state = batchState()
    this.state = state
    this.received = 0
    if (typeof payloads[0] === 'string') {
      this.post({type: 'batch', id, instance, runId, payloads: payloads as string[], bytes: null, ends: null, chunks, state})
      return
    }
    // raw bytes: one copy into a buffer that is transferred, not cloned
    const parts = payloads as Uint8Array[]
    const ends = new Uint32Array(parts.length)
    let size = 0
    for (let i = 0; i < parts.length; i++) ends[i] = size += parts[i].byteLength
    const spare = this.spare
    this.spare = null
    const bytes = spare && spare.byteLength >= size ? new Uint8Array(spare, 0, size) : new Uint8Array(new ArrayBuffer(Math.ceil(size * 1.25)), 0, size)
    for (let i = 0; i < parts.length; i++) bytes.set(parts[i], i === 0 ? 0 : ends[i - 1])
    this.post({type: 'batch', id, instance, runId, payloads: null, bytes, ends, chunks, state}, [bytes.buffer as ArrayBuffer, ends.buffer])
  }

  /**
   * The next chunk the thread finished for this batch, null when none is waiting. Every message is read in
   * order, also those of an earlier batch the writer gave up (their dictionary entries and learned client
   * keys count). A batch the thread could not normalise throws its error.
   */
  receive(): ReceivedChunk | null {
    for (;;) {
      const got = receiveMessageOnPort(this.chunkPort)
      if (!got) return null
      const m = got.message as ChunkPortMessage
      if (m.type === 'done') {
        if (!this.spare || m.returned.byteLength > this.spare.byteLength) this.spare = m.returned
        continue
      }
      if (m.id === this.batchId) this.received++
      if (m.type === 'failed') {
        if (m.id === this.batchId) throw new Error(m.message)
        continue
      }
      const dict = this.decoder.accept(m.rows)
      if (m.learned.length > 0) this.learned(m.learned)
      if (m.id === this.batchId) return {...m, dict}
    }
  }

  /** Wait for the thread's next chunk; false when it stalled (or is gone) and the writer should take the rest over. */
  wait(): boolean {
    if (!this.state || this.gone) return false
    return waitPosted(this.state, this.received, STALL_MS)
  }

  /** The writer is done with the batch, took it over or gave it up: the thread takes no more of its chunks. */
  end(): void {
    if (this.state) abandon(this.state)
    this.state = null
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.gone) return
    try {
      this.worker.postMessage(message, transfer)
    } catch (error) {
      this.gone = error as Error
    }
  }

  async close(): Promise<void> {
    this.gone ??= new Error('closed')
    this.chunkPort.close()
    await this.worker.terminate()
  }
}
