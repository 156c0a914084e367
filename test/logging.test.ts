import t from 'tap'
import { buildApp } from '../src/app.ts'
import { buildTestApp, ADMIN_TOKEN, testConfig } from './helpers.ts'
import { capturedLogs } from './security/leaks.ts'

t.test('request logs carry no bearer token and no feed token', async (t) => {
  const { lines, logger } = capturedLogs('info')
  const { app } = await buildTestApp(t, { logger })
  await app.inject({ url: '/v1/workshops', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  await app.inject({ url: '/v1/calendars/ndw_cal_abcdefghijklmnop.ics' })
  const log = lines.join('')
  t.match(log, /"url":"\/v1\/workshops"/, 'requests are logged')
  t.match(log, /\/v1\/calendars\/\[redacted\]/)
  t.notMatch(log, ADMIN_TOKEN)
  t.notMatch(log, 'abcdefghijklmnop')
})

for (const level of ['info', 'warn'] as const) {
  t.test(`at ${level}: a failure's line names its request (secrets redacted); access lines only at info`, async (t) => {
    const { lines, logger } = capturedLogs(level)
    const { db } = await buildTestApp(t)
    const database = { db, kind: 'pglite' as const, ping: async () => { throw new Error('the database is away') }, close: async () => {} }
    const app = await buildApp({ config: testConfig(), database, logger })
    app.get('/v1/calendars/:token/boom', async () => { throw new Error('boom') })
    t.teardown(() => app.close())
    t.equal((await app.inject('/v1/calendars/ndw_cal_abcdefghijklmnop/boom')).statusCode, 500)
    t.equal((await app.inject('/readyz')).statusCode, 503)
    t.equal((await app.inject('/healthz')).statusCode, 200)
    app.log.error('a line of the service itself')
    const records = lines.map((line) => JSON.parse(line) as { msg: string, reqId?: string, req?: { method: string, url: string }, err?: { message: string } })
    const boom = records.find((r) => r.msg === 'unhandled error')
    t.match(boom, { reqId: /^req-/, req: { method: 'GET', url: '/v1/calendars/[redacted]/boom' }, err: { message: 'boom' } })
    t.match(records.find((r) => r.msg === 'database not ready'), { req: { method: 'GET', url: '/readyz' }, err: { message: 'the database is away' } })
    t.not(records.find((r) => r.msg === 'database not ready')?.reqId, boom?.reqId, 'each request its own id')
    t.ok(records.some((r) => r.msg === 'a line of the service itself'), 'app.log writes')
    t.notMatch(lines.join(''), 'abcdefghijklmnop')
    const access = records.filter((r) => r.msg === 'incoming request' || r.msg === 'request completed')
    t.equal(access.length, level === 'info' ? 6 : 0, level === 'info' ? 'every request in and out' : 'none at warn')
  })
}
