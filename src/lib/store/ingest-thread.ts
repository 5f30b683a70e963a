/**
 * The collector's normaliser thread, seen from the writing thread: starts ingest-worker.ts in the background
 * (the first batches are normalised in the writing thread until it is ready), hands it each batch and yields
 * its chunks as they arrive. Only the collector's batches use it (SqliteEvents.batch), and only on a machine
 * with at least two CPUs. If the thread dies, `chunks` throws ThreadGone and the writer finishes the batch
 * itself: nothing depends on the thread being there.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import {RowDecoder} from './event-columns.js'
import type {FromWorker, ReceivedChunk, ToWorker} from './ingest-protocol.js'

/** The thread stopped (crash, exit, terminate): the batch continues in the writing thread. */
export class ThreadGone extends Error {}

const YOUNG_MB = 8

/** The compiled thread (dist), or null when running from the TypeScript sources. */
function compiledWorker(): URL | null {
  const js = new URL('./ingest-worker.js', import.meta.url)
  return existsSync(fileURLToPath(js)) ? js : null
}

function spawn(compiled: URL | null): Worker {
  // a small young generation: the thread's garbage (parsed records) dies within a chunk, and the collector's
  // peak RSS stays within its budget (issue 12: 200 MB)
  const options = {stdout: false, stderr: false, resourceLimits: {maxYoungGenerationSizeMb: YOUNG_MB, maxOldGenerationSizeMb: 64}}
  if (compiled) return new Worker(compiled, options)
  // the TypeScript sources (tests, bin/dev.js): the thread loads them through tsx itself
  const ts = new URL('./ingest-worker.ts', import.meta.url).href
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href
  const boot = `import(${JSON.stringify(api)}).then((api) => api.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(boot, {...options, eval: true})
}

export class IngestThread {
  private readonly worker: Worker
  private ready = false
  private gone: Error | null = null
  private batchId = 0
  private queue: Array<ReceivedChunk | {type: 'failed'; message: string}> = []
  private readonly decoder = new RowDecoder()
  /** A buffer for the next batch's raw bytes (each batch's comes back from the thread). */
  private spare: ArrayBuffer | null = null
  private wake: (() => void) | null = null

  /**
   * Start the thread when it can help (two CPUs or more; CPACTL_INGEST_THREAD=0 turns it off); null otherwise.
   * From the TypeScript sources the thread boots through tsx, which costs seconds of CPU: there it starts only
   * with CPACTL_INGEST_THREAD=1 (the tests of the threaded path).
   */
  static start(): IngestThread | null {
    const setting = process.env.CPACTL_INGEST_THREAD
    if (setting === '0' || availableParallelism() < 2) return null
    const compiled = compiledWorker()
    if (!compiled && setting !== '1') return null
    try {
      return new IngestThread(spawn(compiled))
    } catch {
      return null
    }
  }

  private constructor(worker: Worker) {
    this.worker = worker
    worker.unref()
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        this.ready = true
        return
      }
      if (m.type === 'chunk' && m.returned) this.spare = m.returned
      // every chunk's dictionary entries, also of a batch that failed in the writer and is no longer read
      const chunk = m.type === 'chunk' ? {...m, dict: this.decoder.accept(m.rows)} : m
      if (m.id === this.batchId) {
        this.queue.push(chunk)
        this.wake?.()
      }
    })
    const lost = (error: Error) => {
      this.gone ??= error
      this.wake?.()
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new ThreadGone(`the normaliser thread exited (code ${code})`)))
  }

  /** Payloads the thread takes: all strings, or all raw bytes. */
  static accepts(payloads: readonly unknown[]): boolean {
    const first = payloads[0]
    if (typeof first === 'string') return payloads.every((p) => typeof p === 'string')
    return first instanceof Uint8Array && payloads.every((p) => p instanceof Uint8Array)
  }

  /** Ready to take a batch (started, not gone). */
  get available(): boolean {
    return this.ready && this.gone === null
  }

  /** Client-key hashes the writer's normaliser knew before the thread took over. */
  learn(keyHashes: string[]): void {
    if (keyHashes.length > 0) this.post({type: 'learn', keyHashes})
  }

  /** Normalise a batch in the thread; yields its chunks in payload order. Throws ThreadGone if the thread stops. */
  async *chunks(payloads: readonly unknown[], instance: string, runId: number | null): AsyncGenerator<ReceivedChunk> {
    const id = ++this.batchId
    this.queue = []
    if (typeof payloads[0] === 'string') this.post({type: 'batch', id, instance, runId, payloads: payloads as string[], bytes: null, ends: null})
    else {
      // raw bytes: one copy into a buffer that is transferred, not cloned
      const parts = payloads as Uint8Array[]
      const ends = new Uint32Array(parts.length)
      let size = 0
      for (let i = 0; i < parts.length; i++) ends[i] = size += parts[i].byteLength
      // the buffer the thread handed back after the previous batch, when it is large enough
      const spare = this.spare
      this.spare = null
      const bytes = spare && spare.byteLength >= size ? new Uint8Array(spare, 0, size) : new Uint8Array(new ArrayBuffer(Math.ceil(size * 1.25)), 0, size)
      for (let i = 0; i < parts.length; i++) bytes.set(parts[i], i === 0 ? 0 : ends[i - 1])
      this.post({type: 'batch', id, instance, runId, payloads: null, bytes, ends}, [bytes.buffer, ends.buffer])
    }
    let done = 0
    while (done < payloads.length) {
      const m = this.queue.shift()
      if (!m) {
        if (this.gone) throw this.gone instanceof ThreadGone ? this.gone : new ThreadGone(this.gone.message)
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = null
        continue
      }
      if (m.type === 'failed') throw new Error(m.message)
      done = m.start + m.kinds.length
      yield m
    }
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
    this.gone ??= new ThreadGone('closed')
    this.wake?.()
    await this.worker.terminate()
  }
}
