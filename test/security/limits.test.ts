import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.ts'
import { openDatabase, type Db } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { failedLogins } from '../../src/plugins/limits.ts'
import { corsOrigins } from '../../src/plugins/cors.ts'
import type { App } from '../../src/lib/module.ts'
import { ADMIN_TOKEN, admin, assertProblem, buildTestApp, freshDatabaseUrl, json, orgHeaders, testConfig } from '../helpers.ts'

// Bounded by its own budgets; the file limit leaves room for a loaded 2-core machine.
t.setTimeout(240_000)

type T = Test

/** The app without a database, for requests that never reach one. */
async function appWithoutDatabase (t: T, env: Record<string, string>): Promise<App> {
  const database = { db: {} as Db, kind: 'pglite' as const, ping: async () => {}, close: async () => {} }
  const app = await buildApp({ config: testConfig(env), database })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

/** The app with three extra public-write routes (as createRegistration will be). */
async function appWithPublicWrites (t: T, env: Record<string, string>, withDatabase = true): Promise<App> {
  const url = withDatabase ? await freshDatabaseUrl(t) : undefined
  const database = withDatabase ? await openDatabase({ url }) : { db: {} as Db, kind: 'pglite' as const, ping: async () => {}, close: async () => {} }
  if (withDatabase) await migrateDatabase(database, url)
  const app = await buildApp({ config: testConfig({ ...(url ? { DATABASE_URL: url } : {}), ...env }), database })
  app.post('/test/register', { config: { limit: 'public-write' } }, async (_request, reply) => reply.code(201).send({ ok: true }))
  app.post('/test/withdraw', { config: { limit: 'public-write' }, onRequest: async () => {} }, async () => ({ ok: true }))
  app.post('/test/other', { config: { limit: 'public-write' }, onRequest: [async () => {}] }, async () => ({ ok: true }))
  await app.ready()
  t.teardown(async () => { await app.close(); await database.close() })
  return app
}

t.test('public writes: RATE_LIMIT_PER_MINUTE per address, shared by every flagged route, then 429 with Retry-After', async (t) => {
  const app = await appWithPublicWrites(t, { RATE_LIMIT_PER_MINUTE: '3' })
  const from = (remoteAddress: string, url = '/test/register') => app.inject({ method: 'POST', url, remoteAddress })
  t.equal((await from('10.0.0.1')).statusCode, 201)
  t.equal((await from('10.0.0.1', '/test/withdraw')).statusCode, 200)
  t.equal((await from('10.0.0.1', '/test/other')).statusCode, 200)
  const limited = await from('10.0.0.1')
  const problem = assertProblem(t, limited, 429)
  t.equal(problem.type, 'https://nadwa.dev/problems/rate-limited')
  t.ok(Number(limited.headers['retry-after']) >= 1 && Number(limited.headers['retry-after']) <= 60, `Retry-After ${limited.headers['retry-after']}`)
  t.equal(limited.headers['x-content-type-options'], 'nosniff', 'security headers on a 429 too')
  assertProblem(t, await from('10.0.0.1', '/test/withdraw'), 429)
  t.equal((await from('10.0.0.2')).statusCode, 201, 'another address has its own budget')
  t.equal((await app.inject({ url: '/v1/organisations', remoteAddress: '10.0.0.1' })).statusCode, 200, 'reads are not limited')
  t.equal((await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { en: 'Org' }, sector: 'media' }, remoteAddress: '10.0.0.1' })).statusCode, 201, 'organiser writes are not public writes')
})

t.test('failed logins: over the limit an address is refused 429 even with a good token; others are not', async (t) => {
  const app = await appWithPublicWrites(t, { RATE_LIMIT_PER_MINUTE: '3' })
  const attempt = (authorization: string | undefined, remoteAddress = '10.0.0.9', url = '/v1/organisations') =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, payload: {}, remoteAddress })
  for (let i = 0; i < 3; i++) assertProblem(t, await attempt(`Bearer ndw_org_guess${i}`), 401)
  const blocked = await attempt(`Bearer ${ADMIN_TOKEN}`)
  assertProblem(t, blocked, 429)
  t.ok(Number(blocked.headers['retry-after']) >= 1, 'Retry-After')
  assertProblem(t, await attempt(undefined), 429, undefined)
  assertProblem(t, await app.inject({ url: '/v1/workshops', headers: { authorization: 'Bearer x' }, remoteAddress: '10.0.0.9' }), 429)
  t.equal((await app.inject({ url: '/v1/workshops', remoteAddress: '10.0.0.9' })).statusCode, 200, 'public reads without a token still answer')
  t.equal((await attempt(`Bearer ${ADMIN_TOKEN}`, '10.0.0.10')).statusCode, 400, 'another address reaches validation')
})

t.test('RATE_LIMIT_PER_MINUTE=0 turns every limit off', async (t) => {
  const app = await appWithPublicWrites(t, { RATE_LIMIT_PER_MINUTE: '0' }, false)
  for (let i = 0; i < 8; i++) {
    t.equal((await app.inject({ method: 'POST', url: '/test/register' })).statusCode, 201)
    t.equal((await app.inject({ method: 'POST', url: '/v1/workshops', headers: { authorization: 'Bearer wrong' } })).statusCode, 401)
  }
  t.equal((await app.inject({ method: 'POST', url: '/v1/workshops/x/publish', headers: admin })).statusCode, 400, 'a good token is never blocked')
})

t.test('failed-login windows end after a minute and old addresses are forgotten', async (t) => {
  let now = 1_000_000
  const failures = failedLogins(2, () => now)
  failures.record('a')
  t.equal(failures.blockedFor('a'), 0)
  failures.record('a')
  t.equal(failures.blockedFor('a'), 60)
  now += 30_500
  t.equal(failures.blockedFor('a'), 30)
  now += 30_000
  t.equal(failures.blockedFor('a'), 0, 'a new minute')
  failures.record('a')
  t.equal(failures.blockedFor('a'), 0, 'counting starts again')
  for (let i = 0; i < 10_001; i++) failures.record(`10.${i}`)
  now += 61_000
  failures.record('late')
  failures.record('late')
  t.equal(failures.blockedFor('late'), 60)
  t.equal(failures.blockedFor('10.5'), 0)
  const off = failedLogins(0)
  off.record('a')
  t.equal(off.blockedFor('a'), 0)
})

t.test('security headers on every answer: successes, errors, 404s, 503s', async (t) => {
  const { app, database } = await buildTestApp(t)
  const answers = {
    ok: await app.inject('/healthz'),
    created: await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { en: 'H' }, sector: 'media' } }),
    unauthorized: await app.inject({ method: 'POST', url: '/v1/organisations' }),
    invalid: await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: 1 } }),
    malformed: await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: '{' }),
    unsupported: await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...admin, 'content-type': 'text/xml' }, payload: '<a/>' }),
    notFound: await app.inject('/v1/nothing/here'),
    badPath: await app.inject('/v1/workshops/%E0%A4%A'),
    longPath: await app.inject(`/v1/workshops/${'a'.repeat(300)}`),
  }
  const ping = database.ping
  database.ping = async () => { throw new Error('down') }
  const unavailable = await app.inject('/readyz')
  database.ping = ping
  for (const [what, res] of Object.entries({ ...answers, unavailable })) {
    t.ok(res.statusCode < 500 || what === 'unavailable', `${what}: ${res.statusCode}`)
    t.match(String(res.headers['content-type']), what === 'ok' || what === 'created' ? /^application\/json/ : /^application\/problem\+json/, `${what}: ${res.headers['content-type']}`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`)
    t.match(String(res.headers['content-security-policy']), /default-src 'none'/, `${what}: CSP`)
    t.equal(res.headers['x-frame-options'], 'DENY', `${what}: frame options`)
    for (const documentOnly of ['referrer-policy', 'cross-origin-resource-policy', 'cross-origin-opener-policy', 'x-xss-protection']) {
      t.equal(res.headers[documentOnly], undefined, `${what}: no ${documentOnly} (only documents need it)`)
    }
    t.match(String(res.headers['strict-transport-security']), /max-age=\d+/, `${what}: HSTS`)
    t.equal(res.headers['x-powered-by'], undefined, `${what}: no x-powered-by`)
    t.equal(res.headers['access-control-allow-origin'], undefined, `${what}: no CORS without CORS_ORIGINS`)
  }
})

t.test('CORS: off unless CORS_ORIGINS lists origins', async (t) => {
  const preflight = (app: App, origin: string) => app.inject({
    method: 'OPTIONS', url: '/v1/workshops', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  })

  const closed = await appWithoutDatabase(t, {})
  const none = await closed.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } })
  t.equal(none.statusCode, 200)
  t.notOk(Object.keys(none.headers).some((h) => h.startsWith('access-control-')), 'no Access-Control-* header')
  const noPreflight = await preflight(closed, 'https://evil.example')
  t.notOk(Object.keys(noPreflight.headers).some((h) => h.startsWith('access-control-')), 'no preflight answer either')

  const open = await appWithoutDatabase(t, { CORS_ORIGINS: 'https://events.example.org, https://admin.example.org/' })
  const allowed = await open.inject({ url: '/healthz', headers: { origin: 'https://admin.example.org' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://admin.example.org')
  t.match(String(allowed.headers['access-control-expose-headers']), /etag/i)
  t.equal(allowed.headers['access-control-allow-credentials'], undefined, 'no credentials: tokens are not cookies')
  const pre = await preflight(open, 'https://events.example.org')
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], 'https://events.example.org')
  t.match(String(pre.headers['access-control-allow-headers']), /authorization/)
  t.match(String(pre.headers['access-control-allow-methods']), /PATCH/)
  const other = await open.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined, 'an origin not listed gets no grant')
  t.equal((await open.inject({ url: '/v1/organisations/not-a-uuid', headers: { origin: 'https://events.example.org' } })).headers['access-control-allow-origin'], 'https://events.example.org', 'errors carry CORS headers too (a browser can read the problem)')

  const any = await appWithoutDatabase(t, { CORS_ORIGINS: '*' })
  t.equal((await any.inject({ url: '/healthz', headers: { origin: 'https://x.example' } })).headers['access-control-allow-origin'], '*')

  t.same(corsOrigins(undefined), [])
  t.same(corsOrigins(' https://a.example/ ,,https://b.example'), ['https://a.example', 'https://b.example'])
  t.equal(corsOrigins('https://a.example,*'), '*')
  t.same(json(await open.inject('/healthz')), { status: 'ok' })
})

t.test('the participant routes: registering and the manage token are limited per address', async (t) => {
  const { app } = await buildTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '3' } })
  const w = (await app.inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: { title: { en: 'Open' }, timezone: 'UTC', start_date: '2030-01-01', end_date: '2030-01-02' } })).json()
  await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin })
  const register = (i: number, ip = '10.0.0.1') => app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/registrations`, remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: { name: `P${i}`, email: `p${i}@example.org` } })
  const tokens: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await register(i)
    t.equal(res.statusCode, 201)
    tokens.push(json(res).manage_token)
  }
  const limited = await register(4)
  assertProblem(t, limited, 429)
  t.ok(Number(limited.headers['retry-after']) > 0, 'with Retry-After')
  t.equal((await register(5, '10.0.0.2')).statusCode, 201, 'another address is not limited')
  const walkIn = await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/registrations`, remoteAddress: '10.0.0.1', headers: orgHeaders, payload: { name: 'Walk-in', email: 'walkin@example.org' } })
  t.equal(walkIn.statusCode, 201, 'an organiser registering walk-ins is not limited')

  const mine = (token: string, ip = '10.0.0.3') => app.inject({ url: '/v1/registration', remoteAddress: ip, headers: { authorization: `Bearer ${token}` } })
  t.equal((await mine(tokens[0])).statusCode, 200)
  for (let i = 0; i < 3; i++) assertProblem(t, await mine(`ndw_reg_guess${i}`), 401)
  assertProblem(t, await mine(tokens[0]), 429)
  t.equal((await mine(tokens[0], '10.0.0.4')).statusCode, 200, 'guessing manage tokens blocks only the guessing address')
})
