import t from 'tap'
import { assertProblem, buildTestApp, json } from '../helpers.ts'
import { loadConfig } from '../../src/config.ts'
import { databaseOptions } from '../../src/db/client.ts'

t.test('draining: answers go on with Connection: close, readyz says 503', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal(app.draining, false)
  t.equal((await app.inject('/healthz')).headers.connection, 'keep-alive')
  const started = Date.now()
  await app.drain(50)
  t.ok(Date.now() - started >= 45, 'drain waits')
  t.equal(app.draining, true)
  const health = await app.inject('/healthz')
  t.same(json(health), { status: 'ok' }, 'requests are still answered')
  t.equal(health.headers.connection, 'close', 'and their connection ends with the answer')
  assertProblem(t, await app.inject('/readyz'), 503)
})

t.test('database settings come from the configuration', async (t) => {
  const config = loadConfig({ DATABASE_URL: 'postgres://u@h/db', DB_POOL_MAX: '3', DB_CONNECT_TIMEOUT: '2', DB_IDLE_TIMEOUT: '0', DB_STATEMENT_TIMEOUT: '1500', SHUTDOWN_DRAIN_MS: '0' })
  t.same(databaseOptions(config), { url: 'postgres://u@h/db', dataDir: './data', max: 3, connectTimeout: 2, idleTimeout: 0, statementTimeout: 1500 })
  t.match(loadConfig({}), { DB_POOL_MAX: 10, DB_CONNECT_TIMEOUT: 5, DB_IDLE_TIMEOUT: 60, DB_STATEMENT_TIMEOUT: 10_000, SHUTDOWN_DRAIN_MS: 1000, CORS_ORIGINS: undefined })
  t.throws(() => loadConfig({ DB_POOL_MAX: '0' }), /DB_POOL_MAX/)
  t.throws(() => loadConfig({ CORS_ORIGINS: 'example.org' }), /CORS_ORIGINS/)
  t.equal(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).CORS_ORIGINS, 'https://a.example, http://localhost:5173')
})
