// Property-based fuzzing of every operation of the OpenAPI document (routes added later included):
// generated path ids, query strings, headers and bodies, valid-ish and hostile. Whatever arrives, the
// service never answers 5xx, every refusal is problem+json, a refused request changes nothing stored,
// and no token reaches a log line.
//   FUZZ_SEED=<n> reproduces a run; FUZZ_RUNS (per operation, default 50) and FUZZ_TIME_MS (whole
//   run, default 40000) bound it.
import t from 'tap'
import fc from 'fast-check'
import { tokensService } from '../../src/modules/tokens/tokens.service.ts'
import { newToken } from '../../src/lib/tokens.ts'
import { etagOf } from '../../src/lib/http.ts'
import { ADMIN_TOKEN, admin, buildTestApp, createOrganisation, createWorkshop, jsonHeaders } from '../helpers.ts'
import { type Operation, operationsOfApp, percentEncode } from '../security/operations.ts'
import { fingerprint } from '../security/state.ts'
import { capturedLogs } from '../security/leaks.ts'
import { fuzzed, hostile } from './arbitraries.ts'

// Bounded by its own budgets; the file limit leaves room for a loaded 2-core machine.
t.setTimeout(240_000)

const SEED = Number(process.env.FUZZ_SEED ?? 20230205)
const RUNS = Number(process.env.FUZZ_RUNS ?? 50)
const TIME_MS = Number(process.env.FUZZ_TIME_MS ?? 40_000)

interface FuzzRequest { method: string, url: string, headers: Record<string, string>, payload?: string }

const text = (value: unknown): string => typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined'

t.test(`fuzzing every operation (seed ${SEED}, ${RUNS} runs each, ${TIME_MS} ms in all)`, async (t) => {
  const logs = capturedLogs()
  const { app, db } = await buildTestApp(t, { logger: logs.logger })
  const tokens = tokensService(db, ADMIN_TOKEN)
  const organiser = await tokens.create('fuzz', 'organiser')
  const participant = newToken('ndw_reg')
  const secrets = [participant, `Bearer ${organiser.token}`]

  // Existing resources, so path ids and references reach the service code, not just a 404.
  const organisations = [await createOrganisation(app), await createOrganisation(app)]
  const workshops = [await createWorkshop(app), await createWorkshop(app, { slug: 'published-one' }, true)]
  await app.inject({ method: 'PUT', url: `/v1/workshops/${workshops[1].id}/partners/${organisations[0].id}`, headers: { ...jsonHeaders, ...admin }, payload: { role: 'organiser' } })
  const idsByName: Record<string, string[]> = {
    workshopId: workshops.map((w) => w.id),
    organisationId: organisations.map((o) => o.id),
  }
  const allIds = Object.values(idsByName).flat()
  const etags = allIds.flatMap((id) => [1, 2, 3].map((v) => etagOf(id, v)))

  const pathSegment = (name: string) => fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(idsByName[name] ?? allIds)).map((id) => id as string) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: hostile(secrets).map((v) => percentEncode(text(v)).slice(0, 400)) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '..', '.', '%2F', '%00', 'ABCDEF00-0000-4000-8000-000000000000', '{id}', '') },
  )

  const requestOf = (op: Operation): fc.Arbitrary<FuzzRequest> => {
    const path = fc.tuple(...op.pathParams.map((p) => pathSegment(p.name)))
      .map((segments) => { let i = 0; return op.path.replace(/\{[^}]+\}/g, () => String(segments[i++])) })
    const query = fc.tuple(
      fc.tuple(...op.query.map((p) => fc.option(fuzzed(p.schema, allIds, secrets), { freq: 2 }).map((v) => v === null ? undefined : `${p.name}=${percentEncode(text(v)).slice(0, 3000)}`))),
      fc.option(fc.constantFrom('unknown=1', 'limit=1&limit=2', '%', 'a[b]=c', '__proto__[x]=1', 'cursor=%E0%A4%A', '&&&', 'limit=-1', 'limit=1e3'), { freq: 4 }),
    ).map(([params, extra]) => [...params, extra].filter((p) => p != null).join('&'))
    const headerValue = (name: string): fc.Arbitrary<string | undefined> => fc.option(fc.oneof(
      name === 'if-match' ? fc.constantFrom('*', '"x"', 'W/"a"', ...etags) : fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
      fc.stringMatching(/^[\x20-\x7e]{0,300}$/),
    ), { freq: 2 }).map((v) => v ?? undefined)
    const headers = fc.tuple(...op.headers.map((h) => headerValue(h.name).map((v) => [h.name, v] as const)))
    const hasBody = op.body !== undefined
    const body = fc.oneof(
      { weight: hasBody ? 12 : 1, arbitrary: fuzzed(op.body, allIds, secrets).map((v) => ({ type: 'application/json', payload: JSON.stringify(v) ?? 'null' })) },
      { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '1', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '['.repeat(20_000) + ']'.repeat(20_000), `{"token": "${participant}`, participant)
        .map((payload) => ({ type: 'application/json', payload })) },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/merge-patch+json')
        .map((type) => ({ type, payload: '{"a": 1}' })) },
      { weight: hasBody ? 1 : 12, arbitrary: fc.constant(undefined) },
    )
    return fc.tuple(path, query, headers, body).map(([p, q, h, b]) => {
      const all: Record<string, string> = { authorization: `Bearer ${organiser.token}` }
      for (const [name, value] of h) if (value !== undefined) all[name] = value
      if (b) all['content-type'] = b.type
      return { method: op.method, url: q ? `${p}?${q}` : p, headers: all, ...(b ? { payload: b.payload } : {}) }
    })
  }

  const operations = await operationsOfApp(app)
  t.ok(operations.length >= 14, `${operations.length} operations`)
  let stored = await fingerprint(db)
  let requests = 0
  const statuses = new Map<number, number>()
  const started = Date.now()

  for (const [index, op] of operations.entries()) {
    const budget = Math.max(500, (TIME_MS - (Date.now() - started)) / (operations.length - index))
    const property = fc.asyncProperty(requestOf(op), async (request) => {
      requests++
      const res = await app.inject(request as never)
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      const what = `${request.method} ${request.url.slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`
      if (res.statusCode >= 500) throw new Error(`5xx: ${what}`)
      const now = await fingerprint(db)
      if (res.statusCode >= 400) {
        if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not problem+json: ${what}`)
        const problem = JSON.parse(res.body)
        if (problem.status !== res.statusCode || typeof problem.title !== 'string' || typeof problem.detail !== 'string') throw new Error(`bad problem: ${what}`)
        if (now !== stored) throw new Error(`a refused request changed stored state: ${what}`)
      } else if (res.statusCode !== 204 && res.statusCode !== 304) {
        // A success is a whole document of the type it says it is.
        const type = String(res.headers['content-type'])
        const whole: Array<[string, (body: string) => unknown]> = [
          ['application/json', (body) => JSON.parse(body)],
          ['text/calendar', (body) => body.startsWith('BEGIN:VCALENDAR\r\n') && body.endsWith('END:VCALENDAR\r\n')],
          ['application/atom+xml', (body) => body.startsWith('<?xml') && body.trimEnd().endsWith('</feed>')],
          ['text/html', (body) => /^<!doctype html>/i.test(body) && body.trimEnd().endsWith('</html>')],
          ['text/csv', (body) => body.startsWith('\ufeff')],
        ]
        const check = whole.find(([prefix]) => type.startsWith(prefix))
        if (!check || !check[1](res.body)) throw new Error(`not a whole ${type} document: ${what}`)
      }
      stored = now
    })
    const result = await fc.check(property, { seed: SEED + index, numRuns: RUNS, interruptAfterTimeLimit: budget, endOnFailure: true })
    if (result.failed) {
      t.fail(`${op.operationId}: ${fc.defaultReportMessage(result)}\n(reproduce: FUZZ_SEED=${SEED})`)
    } else {
      t.pass(`${op.operationId}: ${result.numRuns} runs${result.interrupted ? ' (time budget reached)' : ''}`)
    }
  }
  t.comment(`${requests} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.ok(requests >= operations.length * Math.min(RUNS, 10), 'every operation was exercised')
  t.same(logs.leaks([ADMIN_TOKEN, organiser.token, participant]), [], 'no token in any log line')
})
