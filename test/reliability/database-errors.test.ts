// Real database errors (not hand-made ones) are answered as promised: a conflict 409, a database
// that is away or too slow 503 with Retry-After, never a 500 and never a hang; logs carry no
// query parameters.
import { createServer, type Server } from 'node:net'
import t, { type Test } from 'tap'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.ts'
import { openDatabase, type Database } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { organisations } from '../../src/modules/organisations/organisations.table.ts'
import { ADMIN_TOKEN, admin, assertProblem, buildTestApp, createWorkshop, freshDatabaseUrl, json, orgHeaders, TEST_DATABASE_URL, testConfig } from '../helpers.ts'
import { capturedLogs } from '../security/leaks.ts'

// Bounded by its own budgets; the file limit leaves room for a loaded 2-core machine.
t.setTimeout(240_000)

t.test('errors drizzle wraps are answered by their SQLSTATE; their parameters are not logged', async (t) => {
  const logs = capturedLogs()
  const { app, db } = await buildTestApp(t, { logger: logs.logger })
  const secret = 'participant-secret@example.org'
  const [row] = await db.insert(organisations).values({ name: { en: 'Dup' }, nameKey: 'dup', sector: 'media' }).returning()
  const routes = await buildApp({ config: testConfig(), database: { db, kind: 'pglite', ping: async () => {}, close: async () => {} }, logger: logs.logger })
  routes.get('/dup', async () => db.insert(organisations).values({ id: row.id, name: { en: secret }, nameKey: secret, sector: 'media' }))
  routes.get('/bug', async () => db.execute(sql`select 1 / (${secret}::text = 'x')::int`))
  await routes.ready()
  t.teardown(() => routes.close())
  assertProblem(t, await routes.inject('/dup'), 409)
  const bug = assertProblem(t, await routes.inject('/bug'), 500)
  t.notMatch(JSON.stringify(bug), secret)
  t.match(logs.lines.join(''), /division by zero/, 'the cause is logged')
  t.notMatch(logs.lines.join(''), secret, 'its parameters are not')
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

/** A TCP server on loopback that accepts connections and never answers (a database that hangs). */
async function silentServer (t: Test): Promise<number> {
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((socket) => { sockets.add(socket); socket.on('error', () => {}) })
  for (let port = 41400 + Math.floor(Math.random() * 50); ; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (ok) break
  }
  t.teardown(() => { for (const s of sockets) s.destroy(); server.close() })
  return (server.address() as { port: number }).port
}

async function appOn (t: Test, database: Database) {
  const app = await buildApp({ config: testConfig(), database })
  await app.ready()
  t.teardown(async () => { await app.close(); await database.close() })
  return app
}

t.test('a database that does not answer: 503 after DB_CONNECT_TIMEOUT, not a hang', async (t) => {
  const port = await silentServer(t)
  const app = await appOn(t, await openDatabase({ url: `postgres://nadwa@127.0.0.1:${port}/nadwa`, connectTimeout: 1 }))
  const started = Date.now()
  const [list, create, ready] = await Promise.all([
    app.inject('/v1/organisations'),
    app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { en: 'X' }, sector: 'media' } }),
    app.inject('/readyz'),
  ])
  const elapsed = Date.now() - started
  for (const res of [list, create]) {
    const problem = assertProblem(t, res, 503)
    t.equal(problem.type, 'https://nadwa.dev/problems/unavailable')
    t.equal(res.headers['retry-after'], '2')
  }
  assertProblem(t, ready, 503)
  t.ok(elapsed < 8000, `answered in ${elapsed} ms`)
})

t.test('a database that is not there: 503 at once', async (t) => {
  const port = await silentServer(t)
  const app = await appOn(t, await openDatabase({ url: `postgres://nadwa@127.0.0.1:${port + 1000}/nadwa`, connectTimeout: 2 }))
  // port + 1000 is outside what anything here listens on: the connection is refused.
  const res = await app.inject('/v1/organisations')
  assertProblem(t, res, 503)
})

t.test('PostgreSQL: a statement over DB_STATEMENT_TIMEOUT and an exhausted pool answer 503, then the service goes on', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const url = (await freshDatabaseUrl(t))!
  const setup = await openDatabase({ url })
  await migrateDatabase(setup, url)
  await setup.close()
  const database = await openDatabase({ url, max: 2, statementTimeout: 800 })
  const app = await appOn(t, database)
  const workshop = await createWorkshop(app)

  // Another client holds the workshop's row lock (a long transaction elsewhere).
  const other = postgres(url, { max: 1, onnotice: () => {} })
  t.teardown(() => other.end({ timeout: 1 }))
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  const locked = new Promise<void>((resolve) => {
    void other.begin(async (tx) => {
      await tx`select id from workshops where id = ${workshop.id} for update`
      resolve()
      await held
    })
  })
  await locked

  const started = Date.now()
  const patch = () => app.inject({ method: 'PATCH', url: `/v1/workshops/${workshop.id}`, headers: { ...orgHeaders, 'if-match': `"${workshop.id}.1"` }, payload: { capacity: 30 } })
  // Six writes queue for two connections, each waits for the lock: every one is cancelled, none hangs.
  const answers = await Promise.all([patch(), patch(), patch(), patch(), patch(), patch(), app.inject('/readyz')])
  const elapsed = Date.now() - started
  for (const res of answers.slice(0, 6)) {
    const problem = assertProblem(t, res, 503)
    t.equal(problem.type, 'https://nadwa.dev/problems/busy')
    t.equal(res.headers['retry-after'], '1')
  }
  t.equal(answers[6].statusCode, 200, 'a query that needs no lock gets a connection once one is freed')
  t.ok(elapsed < 15_000, `all answered in ${elapsed} ms`)

  const slow = await app.inject({ url: '/v1/workshops', headers: admin })
  t.equal(slow.statusCode, 200, 'reads do not wait for the lock')
  release()
  const after = await patch()
  t.equal(after.statusCode, 200, `the write goes through once the lock is gone: ${after.body}`)
  t.equal(json(after).capacity, 30)

  // A statement that runs too long is cancelled by PostgreSQL (57014).
  const routes = await buildApp({ config: testConfig(), database })
  routes.get('/slow', async () => database.db.execute(sql`select pg_sleep(5)`))
  await routes.ready()
  t.teardown(() => routes.close())
  const t0 = Date.now()
  assertProblem(t, await routes.inject('/slow'), 503)
  t.ok(Date.now() - t0 < 4000, 'cancelled at the statement timeout')
  t.ok(ADMIN_TOKEN)
})
