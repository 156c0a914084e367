import autocannon from 'autocannon'

/** Settings shared by every load run, so that a scenario and its baseline are measured alike. */
export const LOAD = {
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  pipelining: 1,
  /**
   * Ratios: the scenario and its baseline measured in turn this many times (BENCH_SECONDS split between
   * them, at least 2 s a round), the ratio the median of the rounds': on this VM a figure moves by a
   * third within seconds. Bare Fastify's "hello" measured twice in one round (2 s each, 2 s apart) reads
   * 0.79-1.91 of itself, 1 s rounds no steadier (0.61-1.58): one round's ratio is that uncertain, so a
   * ratio takes 9 rounds, not 5 (README, Performance: how many rounds).
   */
  rounds: Math.max(1, Number(process.env.BENCH_ROUNDS ?? 9)),
}

/** Seconds of each measured round: BENCH_SECONDS split between the rounds, at least 2. */
export const roundSeconds = (): number => Math.max(2, Math.round(LOAD.seconds / LOAD.rounds))

export interface Measured {
  /** Responses of the expected class per second. */
  rps: number
  p50: number
  p99: number
  /** Responses of the expected class. */
  ok: number
  /** Other answers and connection errors (timeouts included). */
  bad: number
  seconds: number
}

export interface LoadOptions {
  url: string
  /** Status class that counts as a success: '2xx' (default) or '3xx' (a 304 to a conditional GET). */
  expect?: '2xx' | '3xx'
  connections?: number
  seconds?: number
  method?: 'GET' | 'POST' | 'PATCH'
  headers?: Record<string, string>
  /** Builds each request (a new body per request, for example). */
  setupRequest?: (request: any, context: any) => any
  /** false: no warm-up (the target was warmed already). */
  warmup?: boolean
}

function run (o: LoadOptions, length: { seconds: number } | { amount: number }): Promise<autocannon.Result> {
  const request: any = { method: o.method ?? 'GET' }
  if (o.headers) request.headers = o.headers
  if (o.setupRequest) request.setupRequest = o.setupRequest
  return autocannon({
    url: o.url,
    connections: o.connections ?? LOAD.connections,
    pipelining: LOAD.pipelining,
    ...('seconds' in length ? { duration: length.seconds } : { amount: length.amount }),
    timeout: 10,
    requests: [request],
  })
}

/** The warm-up of measure() alone. */
export async function warmUp (o: LoadOptions): Promise<void> {
  if (LOAD.warmupSeconds <= 0) return
  await run(o, { seconds: LOAD.warmupSeconds })
  await run(o, { amount: o.connections ?? LOAD.connections })
}

/**
 * A short warm-up run (discarded), then one request per connection so that the requests the warm-up
 * left in the server's queue are answered before the measured run starts; then the measured run.
 */
export async function measure (o: LoadOptions): Promise<Measured> {
  if (o.warmup !== false) await warmUp(o)
  const r = await run(o, { seconds: o.seconds ?? LOAD.seconds })
  const ok = r[o.expect ?? '2xx']
  const all = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx']
  return {
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok,
    bad: all - ok + r.errors,
    seconds: r.duration,
  }
}
