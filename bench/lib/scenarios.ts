import { randomBytes } from 'node:crypto'
import { Api, BROWSER, CALENDAR_APP, isRouteMissing, rawGet, type Asks, type RawAnswer, type Reply } from './api.ts'
import { showsStart } from './ics.ts'
import { Costs, costNote, type StatementCount } from './costs.ts'
import { LOAD, measure, roundSeconds, warmUp, type Measured } from './load.ts'
import { pgbench } from './pgbench.ts'
import type { Row } from './report.ts'
import { instant, SESSION_MINUTES, SESSION_SEATS, type Seed, type SeededWorkshop, type SessionRef } from './seed.ts'

export interface Context {
  /** The service under load (instance A) and a second instance on the same database (B). */
  a: Api
  b: Api
  baselineUrl: string
  seed: Seed
  pg: { bin: string, port: number, database: string }
  /** Processes whose CPU time is counted: service A and bare Fastify. */
  pids: { service: number, baseline: number }
  /** Statements run so far in the service's database; undefined: not counted. */
  statements?: StatementCount
  log: (line: string) => void
}

const n = (x: number) => Math.round(x).toLocaleString('en-US')
const agendaPath = (id: string) => `/v1/workshops/${id}/agenda`
const feedPath = (id: string) => `/v1/workshops/${id}/calendar.ics`
const sessionPath = (w: string, s: string) => `/v1/workshops/${w}/sessions/${s}`

/** Why a scenario cannot run on this build: a route that is not there, or a workshop without sessions. */
function unavailable (w: SeededWorkshop, probe: Reply, operation: string): string | undefined {
  if (isRouteMissing(probe)) return `route missing: ${operation}`
  if (w.missing) return `route missing: ${w.missing}`
  return undefined
}

const na = (scenario: string, target: string, unit: string, note: string): Row => ({ scenario, unit, target, result: 'n/a', note })

function ratioRow (scenario: string, m: Measured, base: Measured, baseLabel: string, unit: string, min: number, ratio = m.rps / base.rps): Row {
  const bad = m.bad > 0 ? `${n(m.bad)} unexpected answers or errors` : undefined
  return {
    scenario, value: m.rps, unit, p50: m.p50, p99: m.p99, baseline: base.rps, baselineLabel: baseLabel, ratio,
    target: `≥ ${min} × ${baseLabel.replace(/^\S+ /, '')}`,
    result: ratio >= min && !bad ? 'pass' : 'fail',
    note: bad ?? (m.ok === 0 ? 'no answer within the run' : undefined),
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
/** The round whose figure is the median of the rounds'. */
const medianRound = (xs: Measured[]) => xs.find((x) => x.rps === median(xs.map((y) => y.rps)))!

/**
 * One row from rounds measured in turn: the ratio is the median of the rounds' ratios, the figures
 * those of the median rounds, and every unexpected answer of every round counts.
 */
function roundsRow (ctx: Context, scenario: string, ms: Measured[], bases: Measured[], baseLabel: string, min: number, cost?: string): Row {
  const ratios = ms.map((m, i) => m.rps / bases[i].rps)
  const m = { ...medianRound(ms), bad: ms.reduce((sum, x) => sum + x.bad, 0), ok: ms.reduce((sum, x) => sum + x.ok, 0) }
  const listed = ratios.map((x) => x.toFixed(2)).join(', ')
  ctx.log(`  ${scenario}: ${ms.map((x) => n(x.rps)).join(', ')} req/s against ${bases.map((x) => n(x.rps)).join(', ')} ${baseLabel}; ratios ${listed}`)
  if (cost) ctx.log(`  per answer: ${cost}`)
  const row = ratioRow(scenario, m, medianRound(bases), baseLabel, 'req/s', min, median(ratios))
  return { ...row, cost, note: row.note ?? `median of ${ratios.length} rounds: ${listed}` }
}

/** One of bare Fastify's routes to measure the service against. */
interface Baseline { path: string, label: string }

/**
 * The scenario beside bare Fastify, measured in turn LOAD.rounds times (each warmed up once first), so
 * that both see the same state of a shared machine; the ratio is the median of the rounds' ratios,
 * the figures the rounds' medians. The baseline is bare Fastify's "hello" unless `baseline` names
 * another of its routes (GET /bytes: the bytes the scenario answers). With `reference`, a second of
 * bare Fastify's routes is measured in the same rounds, between the two, and answered as a row of its
 * own (its ratio to the baseline): what bare Fastify manages on the scenario's answer.
 */
async function versusBaseline (ctx: Context, scenario: string, min: number, url: string,
  options: { expect?: '2xx' | '3xx', headers?: Record<string, string>, baseline?: Baseline, reference?: Baseline & { scenario: string } } = {}): Promise<Row[]> {
  const seconds = roundSeconds()
  const { baseline = { path: '/', label: 'req/s bare Fastify' }, reference, ...request } = options
  const base = { url: ctx.baselineUrl + baseline.path }
  const target = { url, ...request }
  const also = reference && { url: ctx.baselineUrl + reference.path }
  await measure({ ...base, seconds: 1 })
  if (also) await measure({ ...also, seconds: 1 })
  await measure({ ...target, seconds: 1 })
  const bases: Measured[] = []
  const refs: Measured[] = []
  const ms: Measured[] = []
  const serviceCosts = new Costs(ctx.pids.service, ctx.statements)
  const baseCosts = new Costs(ctx.pids.baseline)
  const refCosts = new Costs(ctx.pids.baseline)
  for (let r = 0; r < LOAD.rounds; r++) {
    bases.push(await baseCosts.during(() => measure({ ...base, seconds, warmup: false })))
    if (also) refs.push(await refCosts.during(() => measure({ ...also, seconds, warmup: false })))
    ms.push(await serviceCosts.during(() => measure({ ...target, seconds, warmup: false })))
  }
  const row = roundsRow(ctx, scenario, ms, bases, baseline.label, min, costNote(serviceCosts, baseCosts))
  if (!reference) return [row]
  return [row, asReference(roundsRow(ctx, reference.scenario, refs, bases, baseline.label, 0, costNote(refCosts)))]
}

/**
 * For reference: the service's cheapest route (`/healthz`: no database, no validation), beside bare
 * Fastify's "hello". What every answer of the service costs before its route does anything (Fastify's
 * request handling as configured, the service's hooks and headers, the response schema's
 * serializer): the floor under every other ratio.
 */
export async function health (ctx: Context): Promise<Row> {
  return asReference((await versusBaseline(ctx, 'getHealth (reference: the floor)', 0, ctx.a.baseUrl + '/healthz'))[0])
}

/** A row without a target: it fails only on unexpected answers (its minimum ratio is 0). */
const asReference = (row: Row): Row => ({ ...row, target: 'none (reference)', result: row.result === 'fail' ? 'fail' : 'info' })

/** For reference: a route of the foundation (getWorkshop), so every run has one service figure beside its baseline. */
export async function workshop (ctx: Context): Promise<Row> {
  const path = `/v1/workshops/${ctx.seed.small.id}`
  const probe = await ctx.a.call('GET', path, { auth: false })
  ctx.log(`  probe: ${probe.status} in ${probe.ms.toFixed(0)} ms, ${probe.text.length} characters`)
  if (probe.status !== 200) return { scenario: 'getWorkshop (reference)', unit: 'req/s', target: '', result: 'fail', note: `probe answered ${probe.status}` }
  return asReference((await versusBaseline(ctx, 'getWorkshop (reference)', 0, ctx.a.baseUrl + path))[0])
}

/**
 * The answer to `asks` as it comes over the wire, once it comes in the coding the service answers
 * such a client (brotli is made after the first request that accepts it; gzip is answered until then).
 */
async function compressedAnswer (url: string, asks: Asks): Promise<RawAnswer> {
  for (let i = 0; ; i++) {
    const answer = await rawGet(url, { 'accept-encoding': asks.header })
    if (answer.status === 200 && answer.headers['content-encoding'] === asks.coding) return answer
    if (i === 50) throw new Error(`${url} with Accept-Encoding: ${asks.header} answered ${answer.status} ${answer.headers['content-encoding'] ?? 'not compressed'}, not ${asks.coding}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * A route of a representation, measured twice: compressed (as browsers or calendar apps ask: `asks`)
 * beside bare Fastify's "hello", and as is (identity) beside bare Fastify sending the very same
 * bytes, header lines included. Uncompressed, the bytes cost more than any service can save: bare
 * Fastify sending the 62 KiB of the agenda manages a sixth to a tenth of its "hello" on this machine
 * (the load generator decodes each body, slowly when it is Arabic), so beside "hello" the identity
 * figure would measure the bytes, not the service.
 * The compressed rounds also measure bare Fastify sending the compressed answer's bytes and header
 * lines (a row for reference): the most a Fastify service could reach on this route, so the compressed
 * ratio splits into what the answer costs and what the service adds to it.
 */
async function representation (ctx: Context, scenario: string, min: number, path: string, asks: Asks): Promise<Row[]> {
  const probe = await ctx.a.call('GET', path, { auth: false })
  ctx.log(`  probe: ${probe.status} in ${probe.ms.toFixed(0)} ms, ${Buffer.byteLength(probe.text)} bytes`)
  const target = `≥ ${min} × bare Fastify`
  if (probe.status !== 200) return [{ scenario, unit: 'req/s', target, result: 'fail', note: `probe answered ${probe.status}` }]
  const zipped = await compressedAnswer(ctx.a.baseUrl + path, asks)
  await storeAnswer(ctx, zipped.headers, zipped.body)
  const compressed = await versusBaseline(ctx, `${scenario} (${asks.coding}, ${kb(zipped.body.length)})`, min, ctx.a.baseUrl + path, {
    headers: { 'accept-encoding': asks.header },
    reference: { path: '/bytes', label: 'req/s bare Fastify', scenario: '  bare Fastify answering the same compressed bytes and header lines (reference)' },
  })
  // The answer as a client that asks for no coding gets it, header lines and all.
  const plain = await rawGet(ctx.a.baseUrl + path, { 'accept-encoding': 'identity' })
  if (plain.status !== 200 || plain.headers['content-encoding'] !== undefined) throw new Error(`${path} without a coding answered ${plain.status} ${plain.headers['content-encoding'] ?? ''}`)
  await storeAnswer(ctx, plain.headers, plain.body)
  const [identity] = await versusBaseline(ctx, `${scenario} (identity, ${kb(plain.body.length)})`, min, ctx.a.baseUrl + path,
    { baseline: { path: '/bytes', label: 'req/s bare Fastify, same bytes' } })
  return [...compressed, { ...identity, target: `≥ ${min} × bare Fastify, same bytes` }]
}

/** Gives bare Fastify an answer to send from GET /bytes: these bytes, with these header lines but those Node and Fastify write themselves. */
async function storeAnswer (ctx: Context, headers: Record<string, string>, body: Buffer): Promise<void> {
  const lines = Object.fromEntries(Object.entries(headers).filter(([name]) => !SET_BY_NODE.has(name)))
  const stored = await fetch(ctx.baselineUrl + '/bytes', { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'x-answer-headers': JSON.stringify(lines) }, body })
  if (!stored.ok) throw new Error(`bare Fastify did not keep the bytes: ${stored.status} ${await stored.text()}`)
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

/** Header lines a server's HTTP stack writes itself: bare Fastify's adds its own. */
const SET_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])

export async function agenda60 (ctx: Context): Promise<Row[]> {
  const w = ctx.seed.small
  if (w.missing) return [na('getAgenda, 60 sessions', '≥ 0.5 × bare Fastify', 'req/s', `route missing: ${w.missing}`)]
  return representation(ctx, 'getAgenda, 60 sessions', 0.5, agendaPath(w.id), BROWSER)
}

export async function calendar60 (ctx: Context): Promise<Row[]> {
  const w = ctx.seed.small
  if (w.missing) return [na('getWorkshopCalendar, 60 sessions', '≥ 0.5 × bare Fastify', 'req/s', `route missing: ${w.missing}`)]
  return representation(ctx, 'getWorkshopCalendar, 60 sessions', 0.5, feedPath(w.id), CALENDAR_APP)
}

export async function calendar1000NotModified (ctx: Context): Promise<Row> {
  const scenario = 'getWorkshopCalendar, 1,000 sessions, If-None-Match → 304'
  const target = '≥ 0.6 × bare Fastify'
  const w = ctx.seed.big
  const probe = await ctx.a.call('GET', feedPath(w.id), { auth: false })
  ctx.log(`  probe: ${probe.status} in ${probe.ms.toFixed(0)} ms, ${probe.text.length} characters`)
  const why = unavailable(w, probe, 'getWorkshopCalendar')
  if (why) return na(scenario, target, 'req/s', why)
  const etag = probe.headers.get('etag')
  if (probe.status !== 200 || !etag) return { scenario, unit: 'req/s', target, result: 'fail', note: `probe answered ${probe.status}${etag ? '' : ' without ETag'}` }
  const again = await ctx.a.call('GET', feedPath(w.id), { auth: false, headers: { 'if-none-match': etag } })
  if (again.status !== 304) return { scenario, unit: 'req/s', target, result: 'fail', note: `a matching If-None-Match answered ${again.status}` }
  return (await versusBaseline(ctx, scenario, 0.6, ctx.a.baseUrl + feedPath(w.id), { expect: '3xx', headers: { 'if-none-match': etag } }))[0]
}

export async function registrations (ctx: Context): Promise<Row> {
  return registrationRounds(ctx, 'createRegistration, one workshop, a new person each', ctx.seed.registrations.id, [])
}

export async function registrationsWithSeats (ctx: Context): Promise<Row> {
  const { id, sessionIds } = ctx.seed.seats
  const scenario = `createRegistration as above, each choosing two sessions of ${n(SESSION_SEATS)} seats`
  if (sessionIds.length === 0) return na(scenario, '≥ 0.3 × pgbench tps', 'req/s', 'route missing: createSession')
  return registrationRounds(ctx, scenario, id, sessionIds)
}

async function registrationRounds (ctx: Context, scenario: string, workshopId: string, sessionIds: string[]): Promise<Row> {
  const target = '≥ 0.3 × pgbench tps'
  const path = `/v1/workshops/${workshopId}/registrations`
  const run = randomBytes(4).toString('hex')
  let counter = 0
  const person = () => {
    const i = counter++
    return {
      name: `Participant ${i}`, email: `p${i}.${run}@bench.example.org`, title: 'Programme officer', organisation_id: ctx.seed.organisationId,
      ...(sessionIds.length > 0 ? { session_ids: sessionIds } : {}),
    }
  }
  const probe = await ctx.a.call('POST', path, { auth: false, body: person() })
  ctx.log(`  probe: ${probe.status} in ${probe.ms.toFixed(0)} ms, ${probe.text.length} characters`)
  // pgbench runs whatever the route's state, so its figure is in every table. The two are measured
  // in turn (LOAD.rounds times), so that both see the same state of the machine and of PostgreSQL
  // (autovacuum after pgbench's updates, say); the ratio is the median of the rounds'.
  const clients = Number(process.env.BENCH_PGBENCH_CLIENTS ?? 10)
  const seconds = roundSeconds()
  const options = { ...ctx.pg, clients, threads: 2, seconds, scale: Number(process.env.BENCH_PGBENCH_SCALE ?? 10) }
  const routeWorks = !isRouteMissing(probe) && probe.status === 201
  const load = {
    url: ctx.a.baseUrl + path,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req: any) => ({ ...req, body: JSON.stringify(person()) }),
  }
  const bases: Measured[] = []
  const ms: Measured[] = []
  // The service's statements are counted over its rounds only (pgbench runs in its own database).
  const serviceCosts = new Costs(ctx.pids.service, ctx.statements)
  for (let r = 0; r < LOAD.rounds; r++) {
    bases.push(await pgbench({ ...options, init: r === 0 }))
    if (!routeWorks) continue
    // Warmed up apart, so that the warm-up's CPU and statements are not counted either.
    if (r === 0) await warmUp(load)
    ms.push(await serviceCosts.during(() => measure({ ...load, seconds, warmup: false })))
  }
  const base = medianRound(bases)
  ctx.log(`  pgbench tpcb-like (-c ${clients} -j 2): ${bases.map((b) => n(b.rps)).join(', ')} tps`)
  const withBase = (row: Row): Row => ({ ...row, baseline: base.rps, baselineLabel: 'tps pgbench' })
  if (isRouteMissing(probe)) return withBase(na(scenario, target, 'req/s', 'route missing: createRegistration'))
  if (probe.status !== 201) return withBase({ scenario, unit: 'req/s', target, result: 'fail', note: `probe answered ${probe.status}: ${probe.text.slice(0, 200)}` })
  return roundsRow(ctx, scenario, ms, bases, 'tps pgbench', 0.3, costNote(serviceCosts))
}

/** Moves a session `shift` minutes (1-29) later than its slot, so it never overlaps its neighbours. */
async function move (api: Api, workshopId: string, s: SessionRef, shift: number): Promise<Reply> {
  const minute = s.startMinute + shift
  return api.call('PATCH', sessionPath(workshopId, s.id), {
    body: { starts_at: instant(s.day, minute), ends_at: instant(s.day, minute + SESSION_MINUTES) },
  })
}

export async function freshFeedsAndHealth (ctx: Context): Promise<Row[]> {
  const scenario = '/healthz while 1,000-session feeds re-render after each change'
  const target = 'p99 < 100 ms; every feed fresh'
  const w = ctx.seed.big
  const probe = await ctx.a.call('GET', feedPath(w.id), { auth: false })
  ctx.log(`  probe: ${probe.status} in ${probe.ms.toFixed(0)} ms, ${probe.text.length} characters`)
  const why = unavailable(w, probe, 'getWorkshopCalendar')
  if (why) return [na(scenario, target, 'req/s', why)]
  const s = w.sessions[0]
  const first = await move(ctx.a, w.id, s, 1)
  if (isRouteMissing(first)) return [na(scenario, target, 'req/s', 'route missing: updateSession')]
  if (first.status !== 200) return [{ scenario, unit: 'req/s', target, result: 'fail', note: `updateSession answered ${first.status}: ${first.text.slice(0, 200)}` }]

  let done = false
  let renders = 0
  const stale: string[] = []
  const errors: string[] = []
  const renderTimes: number[] = []
  const loop = (async () => {
    for (let i = 1; !done; i++) {
      const shift = (i % 29) + 1
      const changed = await move(ctx.a, w.id, s, shift)
      if (changed.status !== 200) { errors.push(`updateSession ${changed.status}`); continue }
      const t0 = performance.now()
      const feed = await ctx.a.call('GET', feedPath(w.id), { auth: false })
      renderTimes.push(performance.now() - t0)
      if (feed.status !== 200) { errors.push(`feed ${feed.status}`); continue }
      renders++
      const check = showsStart(feed.text, s, s.day, s.startMinute + shift)
      if (!check.ok) stale.push(check.why!)
    }
  })()
  const connections = Number(process.env.BENCH_HEALTH_CONNECTIONS ?? 10)
  let health: Measured
  try {
    health = await measure({ url: ctx.a.baseUrl + '/healthz', connections })
  } finally {
    done = true
    await loop
  }
  renderTimes.sort((x, y) => x - y)
  const medianRender = renderTimes[Math.floor(renderTimes.length / 2)]
  ctx.log(`  /healthz: ${n(health.rps)} req/s, p99 ${health.p99} ms; ${renders} feeds rendered (median ${medianRender?.toFixed(0)} ms), ${stale.length} stale, ${errors.length} errors`)
  const problems = [
    health.p99 >= 100 ? `p99 ${health.p99} ms` : '',
    renders === 0 ? 'no feed rendered' : '',
    stale.length > 0 ? `${stale.length} stale feeds, first: ${stale[0]}` : '',
    errors.length > 0 ? `${errors.length} errors, first: ${errors[0]}` : '',
    health.bad > 0 ? `${health.bad} /healthz failures` : '',
  ].filter(Boolean)
  return [
    { scenario, value: health.rps, unit: 'req/s', p50: health.p50, p99: health.p99, target, result: problems.length === 0 ? 'pass' : 'fail', note: problems.join('; ') || undefined },
    { scenario: '  big feed after each change (rendered back to back)', value: renders / health.seconds, unit: 'feeds/s', p50: medianRender, p99: renderTimes[Math.floor(renderTimes.length * 0.99)], target: 'new time shown', result: renders > 0 && stale.length === 0 ? 'pass' : 'fail', note: stale[0] },
  ]
}

/** A change through one instance is seen through the other at once, conditional requests included. */
export async function twoInstances (ctx: Context): Promise<Row> {
  const scenario = 'two instances, one database: change via one, read via the other'
  const target = 'fresh at once'
  const w = ctx.seed.big
  if (w.missing) return na(scenario, target, '', `route missing: ${w.missing}`)
  const s = w.sessions[1]
  const failures: string[] = []
  const feeds = !isRouteMissing(await ctx.b.call('GET', feedPath(w.id), { auth: false }))
  const agendas = !isRouteMissing(await ctx.b.call('GET', agendaPath(w.id), { auth: false }))
  if (!feeds && !agendas) return na(scenario, target, '', 'route missing: getWorkshopCalendar, getAgenda')

  const readThrough = async (api: Api, label: string, shift: number, etag: string | null) => {
    if (feeds) {
      const headers: Record<string, string> = etag ? { 'if-none-match': etag } : {}
      const feed = await api.call('GET', feedPath(w.id), { auth: false, headers })
      if (feed.status !== 200) failures.push(`${label}: feed answered ${feed.status}${etag ? ' to its old ETag' : ''}`)
      else {
        const check = showsStart(feed.text, s, s.day, s.startMinute + shift)
        if (!check.ok) failures.push(`${label}: feed stale: ${check.why}`)
      }
    }
    if (agendas) {
      const agenda = await api.call('GET', agendaPath(w.id), { auth: false })
      const found = agenda.status === 200
        ? (agenda.body.days as any[]).flatMap((d) => d.sessions as any[]).find((x) => x.id === s.id)
        : undefined
      const minute = s.startMinute + shift
      const expected = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`
      if (!found || found.local_start !== expected) failures.push(`${label}: agenda shows ${found?.local_start ?? agenda.status}, expected ${expected}`)
    }
  }
  const etagOf = async (api: Api) => feeds ? (await api.call('GET', feedPath(w.id), { auth: false })).headers.get('etag') : null

  // Both instances have read (and may have cached) the feed before the change.
  const etagA = await etagOf(ctx.a)
  const etagB = await etagOf(ctx.b)
  const viaA = await move(ctx.a, w.id, s, 7)
  if (isRouteMissing(viaA)) return na(scenario, target, '', 'route missing: updateSession')
  if (viaA.status !== 200) return { scenario, unit: '', target, result: 'fail', note: `updateSession answered ${viaA.status}` }
  await readThrough(ctx.b, 'change via A, read via B', 7, null)
  await readThrough(ctx.b, 'change via A, conditional read via B', 7, etagB)
  const viaB = await move(ctx.b, w.id, s, 13)
  if (viaB.status !== 200) failures.push(`updateSession via B answered ${viaB.status}`)
  else await readThrough(ctx.a, 'change via B, conditional read via A', 13, etagA)
  ctx.log(`  two instances: ${failures.length === 0 ? 'fresh' : failures.join('; ')}`)
  return { scenario, unit: '', target, result: failures.length === 0 ? 'pass' : 'fail', note: failures.join('; ') || undefined }
}
