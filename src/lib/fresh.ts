import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

/**
 * Fresh reads for many requests at once, and representations cached against a database version.
 *
 * Correctness comes first: a request never answers from a read that began before it arrived (that
 * read might miss a change committed just before the request, through this instance or another one).
 * What is shared is the round trip: every request that arrives while a read is in flight waits for
 * the next read, and that one read, begun after all of them arrived, answers them all.
 */

/**
 * Wraps `read` so that concurrent calls for one key share database round trips. A call joins the
 * batch that has not been sent yet (or opens one); the batch's read is sent once the calls of the
 * current turn of the event loop have joined it, so it begins after every one of them arrived.
 * Up to `inFlight` reads of one key run at once (default 1: fewer reads, each shared by more calls;
 * a read costs the database and the socket more than the wait costs the caller); past that, the
 * batch waits for one to finish.
 * Under load this is one read per turn of the event loop and key, not one per request.
 */
export function coalesced<K, V> (read: (key: K) => Promise<V>, options: { inFlight?: number } = {}): (key: K) => Promise<V> {
  const limit = options.inFlight ?? 1
  interface Batch { promise: Promise<V>, resolve: (value: V) => void, reject: (reason: unknown) => void, scheduled: boolean }
  interface State { running: number, next: Batch | undefined }
  const states = new Map<K, State>()

  function batch (): Batch {
    let resolve!: (value: V) => void
    let reject!: (reason: unknown) => void
    const promise = new Promise<V>((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject, scheduled: false }
  }

  function schedule (key: K, state: State): void {
    const next = state.next!
    if (next.scheduled || state.running >= limit) return
    next.scheduled = true
    setImmediate(() => send(key, state))
  }

  function send (key: K, state: State): void {
    const sent = state.next!
    state.next = undefined
    state.running++
    const done = () => {
      state.running--
      if (state.next) schedule(key, state)
      else if (state.running === 0) states.delete(key)
    }
    // A read that throws synchronously still settles its batch.
    Promise.resolve().then(() => read(key)).then(
      (value) => { sent.resolve(value); done() },
      (err: unknown) => { sent.reject(err); done() },
    )
  }

  return (key: K): Promise<V> => {
    let state = states.get(key)
    if (!state) {
      state = { running: 0, next: undefined }
      states.set(key, state)
    }
    state.next ??= batch()
    const answer = state.next.promise
    schedule(key, state)
    return answer
  }
}

/** The hash a strong ETag is made of: 32 characters of the SHA-256 of the content (base64url). */
export function contentHash (content: string | Buffer): string {
  return createHash('sha256').update(content).digest('base64url').slice(0, 32)
}

/**
 * A rendered representation: its bytes, the same gzip-compressed (when that is smaller) and, once a
 * client that accepts it has asked, brotli-compressed (when that is smaller still), and its strong
 * validators: one per coding, all from the hash of the bytes (made here once, not per request).
 */
export interface Rendered {
  body: Buffer
  gzip?: Buffer
  /** The brotli coding: made by `brotliOf` the first time it is asked for; undefined until it is ready. */
  br?: Buffer
  /** Set once the brotli coding is being made (or made, or found no smaller than gzip). */
  brotli?: Promise<void>
  etag: string
  /** The compressed coding's tag: the same hash, ending in `-gzip` (a strong tag names one sequence of bytes). */
  gzipEtag: string
  /** The brotli coding's tag: the same hash, ending in `-br`. */
  brEtag: string
}

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Makes a representation to cache: compressed once here, in zlib's thread pool (off the event loop),
 * so clients that accept gzip (browsers, calendar apps) get a fraction of the bytes for no work per
 * request. The ETag is a hash of the bytes: the same on every instance that renders the same state.
 * zlib's best compression: paid once per version, while every answer (and every client) pays for the
 * bytes. Against the default level: the 60-session agenda 4,162 → 3,972 bytes, its feed 3,047 →
 * 2,941, the 1,000-session feed 36,852 → 35,408 bytes for 1.2 ms more of a pool thread.
 */
export async function represent (body: Buffer): Promise<Rendered> {
  const hash = contentHash(body)
  const compressed = await gzipAsync(body, { level: constants.Z_BEST_COMPRESSION })
  const tags = { etag: `"${hash}"`, gzipEtag: `"${hash}-gzip"`, brEtag: `"${hash}-br"` }
  // Every field in one shape (the brotli ones set later), so that every representation has one hidden class.
  return { body, gzip: compressed.length < body.length ? compressed : undefined, br: undefined, brotli: undefined, ...tags }
}

/**
 * Brotli's best quality (11) up to this many bytes: the 60-session agenda's 62.4 KiB take it in 70-90
 * ms of a pool thread. Larger bodies take quality 5, about 2 ms per 100 KiB: the 1,000-session feed's
 * 568 KiB in 12 ms (35,403 gzip bytes, 32,316 in brotli), where quality 11 would hold a pool thread
 * for most of a second at each change.
 */
export const BROTLI_BEST_UP_TO = 256 * 1024

/**
 * The brotli coding of a representation, or undefined while it is not made. The first call starts
 * making it in zlib's thread pool, once per representation (so once per version), and callers answer
 * gzip meanwhile: no request waits for it. Brotli is made only when there is a gzip coding, and kept
 * only when it is smaller than that: the 60-session agenda's 3,573 gzip bytes are 2,962 in brotli.
 */
export function brotliOf (rendered: Rendered): Buffer | undefined {
  if (rendered.brotli === undefined && rendered.gzip !== undefined) {
    const { body, gzip } = rendered
    const quality = body.length <= BROTLI_BEST_UP_TO ? constants.BROTLI_MAX_QUALITY : 5
    rendered.brotli = brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).then(
      (br) => {
        // Brotli came out smaller than gzip for every text tried (random hex, base64 and digits, 100 to
        // 60,000 bytes: its header is smaller); the check keeps the cache's count (sizeOf) an upper bound.
        /* c8 ignore next */
        if (br.length < gzip.length) rendered.br = br
      },
      /* c8 ignore next: zlib fails to compress only when out of memory; the representation is then answered in gzip, as before it was asked */
      () => {},
    )
  }
  return rendered.br
}

/**
 * The bytes a representation holds in memory (for the cache's budget), with room for its brotli
 * coding from the start (made later, and kept only when smaller than the gzip one).
 */
const sizeOf = (value: Rendered) => value.body.length + 2 * (value.gzip?.length ?? 0)

/**
 * Rendered representations, each kept with the version of the database state it was rendered from,
 * bounded in bytes (least recently used first out). `cached` answers the kept one when its version is
 * the one asked for; otherwise `render` runs one render for every concurrent caller of that key and version.
 */
export class RenderCache<T extends Rendered = Rendered> {
  private readonly entries = new Map<string, { version: string, value: T, started: number, used: number }>()
  private readonly rendering = new Map<string, { version: string, promise: Promise<T> }>()
  private bytes = 0
  private started = 0
  /** Counts uses: the entry with the smallest `used` is the least recently used. */
  private clock = 0
  hits = 0
  renders = 0

  constructor (readonly maxBytes: number) {}

  get size (): number { return this.entries.size }
  get usedBytes (): number { return this.bytes }

  /**
   * The cached representation of this key and version, or undefined. A hit allocates nothing: the
   * entry is marked used, not moved (deleting and adding it again made the Map allocate new tables,
   * which lived long enough to be copied out of the young generation).
   */
  cached (key: string, version: string): T | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.version !== version) return undefined
    this.hits++
    entry.used = ++this.clock
    return entry.value
  }

  /** Renders this key and version once for every concurrent caller, and keeps the result. */
  async render (key: string, version: string, render: () => Promise<T>): Promise<T> {
    const running = this.rendering.get(key)
    if (running && running.version === version) return running.promise
    this.renders++
    const started = ++this.started
    const promise = render()
    this.rendering.set(key, { version, promise })
    try {
      const value = await promise
      this.put(key, version, value, started)
      return value
    } finally {
      if (this.rendering.get(key)?.promise === promise) this.rendering.delete(key)
    }
  }

  /** Keeps a render unless one begun later (from a newer state) is already kept. */
  private put (key: string, version: string, value: T, started: number): void {
    const old = this.entries.get(key)
    if (old && old.started > started) return
    if (old) {
      this.entries.delete(key)
      this.bytes -= sizeOf(old.value)
    }
    // A representation larger than the whole budget is answered, not kept.
    if (sizeOf(value) > this.maxBytes) return
    this.entries.set(key, { version, value, started, used: ++this.clock })
    this.bytes += sizeOf(value)
    if (this.bytes <= this.maxBytes) return
    // Over budget: out in order of last use (one sort, however many go).
    for (const [k, entry] of [...this.entries].sort((x, y) => x[1].used - y[1].used)) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(k)
      this.bytes -= sizeOf(entry.value)
    }
  }
}

/**
 * Groups work for one key: items that arrive while a group of that key is running wait, and go
 * together in the next group (at most `max` at a time). `run` answers one result per item, in order;
 * when it fails, every item of its group fails with it. One group of a key runs at a time.
 */
export function grouped<K, I, O> (run: (key: K, items: I[]) => Promise<O[]>, options: { max: number }): (key: K, item: I) => Promise<O> {
  const { max } = options
  interface Waiting { item: I, resolve: (value: O) => void, reject: (reason: unknown) => void }
  const queues = new Map<K, Waiting[]>()

  async function drain (key: K, queue: Waiting[]): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, max)
      try {
        const results = await run(key, group.map((w) => w.item))
        group.forEach((w, i) => w.resolve(results[i]))
      } catch (err) {
        for (const w of group) w.reject(err)
      }
    }
    queues.delete(key)
  }

  return (key: K, item: I): Promise<O> => new Promise<O>((resolve, reject) => {
    const queue = queues.get(key)
    if (queue) {
      queue.push({ item, resolve, reject })
      return
    }
    const fresh = [{ item, resolve, reject }]
    queues.set(key, fresh)
    void drain(key, fresh)
  })
}
