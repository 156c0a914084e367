// PostgreSQL restarted (and crashed) while writes stream in: the service answers 503 while the
// database is away, recovers by itself, and every write answered 201 is stored. A write that got a
// 503 is retried with its Idempotency-Key afterwards: it then exists exactly once.
// Runs with TEST_DATABASE_URL (the PostgreSQL suite), on its own throwaway cluster.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import type { App } from '../../src/lib/module.ts'
import { orgHeaders, TEST_DATABASE_URL, testConfig, workshopBody } from '../helpers.ts'
import { postgresBin, throwawayCluster } from './cluster.ts'

// Bounded by its own budgets; the file limit leaves room for a loaded 2-core machine.
t.setTimeout(240_000)

/**
 * The writes that stream in. To cover another create, add one: how to send it (with a unique
 * marker) and how to find what it stored by that marker.
 */
export interface WriteKind {
  name: string
  send (app: App, marker: string, key: string): Promise<{ statusCode: number, body: string, headers: Record<string, unknown> }>
  /** Rows stored with this marker (expected: exactly one once answered 201). */
  count (sql: postgres.Sql, marker: string): Promise<number>
}

export const WRITES: WriteKind[] = [
  {
    name: 'createOrganisation',
    send: (app, marker, key) => app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...orgHeaders, 'idempotency-key': key }, payload: { name: { en: marker }, sector: 'civil_society' } }),
    count: async (sql, marker) => Number((await sql`select count(*)::int as n from organisations where name->>'en' = ${marker}`)[0].n),
  },
  {
    name: 'createWorkshop',
    send: (app, marker, key) => app.inject({ method: 'POST', url: '/v1/workshops', headers: { ...orgHeaders, 'idempotency-key': key }, payload: workshopBody({ title: { en: marker } }) }),
    count: async (sql, marker) => Number((await sql`select count(*)::int as n from workshops where title->>'en' = ${marker}`)[0].n),
  },
]

interface Attempt { kind: WriteKind, marker: string, key: string, status: number, type?: string, retryAfter?: unknown }

const skip = (!TEST_DATABASE_URL && 'needs TEST_DATABASE_URL (the PostgreSQL suite)') || (!postgresBin() && 'needs PostgreSQL binaries')

t.test('PostgreSQL restarted and crashed under streaming writes', { skip }, async (t) => {
  const cluster = await throwawayCluster()
  t.teardown(() => cluster.destroy())
  const setup = await openDatabase({ url: cluster.url })
  await migrateDatabase(setup, cluster.url)
  await setup.close()

  const database = await openDatabase({ url: cluster.url, max: 4, connectTimeout: 1, statementTimeout: 5000 })
  const app = await buildApp({ config: testConfig({ DATABASE_URL: cluster.url }), database })
  await app.ready()
  t.teardown(async () => { await app.close(); await database.close() })

  const attempts: Attempt[] = []
  let writing = true
  let sent = 0
  const writer = async (worker: number) => {
    while (writing) {
      const kind = WRITES[sent++ % WRITES.length]
      const marker = `w${worker}-${sent}-${randomBytes(3).toString('hex')}`
      const key = `key-${marker}`
      const res = await kind.send(app, marker, key)
      const problem = res.statusCode >= 400 ? JSON.parse(res.body) : undefined
      attempts.push({ kind, marker, key, status: res.statusCode, type: problem?.type, retryAfter: res.headers['retry-after'] })
      if (res.statusCode === 503) await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const readiness: number[] = []
  const probe = async () => { readiness.push((await app.inject('/readyz')).statusCode) }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const answeredSince = (from: number, status: number) => attempts.slice(from).filter((a) => a.status === status).length

  const workers = [0, 1, 2, 3].map(writer)
  const warm = Date.now() + 20_000
  while (answeredSince(0, 201) < 3 && Date.now() < warm) await sleep(50)
  t.ok(answeredSince(0, 201) >= 3, 'writes go through before the fault')

  for (const mode of ['fast', 'immediate'] as const) {
    const before = attempts.length
    cluster.stop(mode)
    await sleep(1200)
    await probe()
    t.ok(answeredSince(before, 503) > 0, `${mode} stop: writes are answered 503 while the database is away`)
    const restartAt = attempts.length
    cluster.start()
    // The pool reconnects by itself: wait (bounded) for writes to succeed again.
    const deadline = Date.now() + 20_000
    while (answeredSince(restartAt, 201) < 5 && Date.now() < deadline) await sleep(100)
    t.ok(answeredSince(restartAt, 201) >= 5, `${mode} stop: the service recovers without a restart`)
    await probe()
  }
  writing = false
  await Promise.all(workers)

  t.equal(readiness.join(','), '503,200,503,200', 'readyz follows the database')
  const statuses = new Map<number, number>()
  for (const a of attempts) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1)
  t.comment(`${attempts.length} writes: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.same([...statuses.keys()].filter((s) => s !== 201 && s !== 503), [], 'every answer is 201 or 503 (never a 500)')
  const refused = attempts.filter((a) => a.status === 503)
  t.ok(refused.every((a) => /\/problems\/(unavailable|busy)$/.test(String(a.type)) && Number(a.retryAfter) >= 1), '503s are problem+json with Retry-After')

  const sql = postgres(cluster.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
  const lost: string[] = []
  for (const a of attempts.filter((a) => a.status === 201)) {
    if (await a.kind.count(sql, a.marker) !== 1) lost.push(`${a.kind.name} ${a.marker}`)
  }
  t.same(lost, [], `each of the ${statuses.get(201)} writes answered 201 is stored, once`)

  // A client retries what got a 503, with the same Idempotency-Key: each exists exactly once after.
  const duplicated: string[] = []
  for (const a of refused) {
    const res = await a.kind.send(app, a.marker, a.key)
    if (res.statusCode !== 201) duplicated.push(`${a.kind.name} ${a.marker}: retry answered ${res.statusCode}`)
    else if (await a.kind.count(sql, a.marker) !== 1) duplicated.push(`${a.kind.name} ${a.marker}: ${await a.kind.count(sql, a.marker)} rows`)
  }
  t.same(duplicated, [], `the ${refused.length} refused writes, retried, exist once each`)
})
