import t from 'tap'
import { loggerOptions } from '../src/app.ts'
import { buildTestApp, ADMIN_TOKEN } from './helpers.ts'

t.test('request logs carry no bearer token and no feed token', async (t) => {
  const lines: string[] = []
  const options = loggerOptions('info') as Record<string, unknown>
  const { app } = await buildTestApp(t, { logger: { ...options, stream: { write: (line: string) => lines.push(line) } } })
  await app.inject({ url: '/v1/workshops', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  await app.inject({ url: '/v1/calendars/ndw_cal_abcdefghijklmnop.ics' })
  const log = lines.join('')
  t.match(log, /"url":"\/v1\/workshops"/, 'requests are logged')
  t.match(log, /\/v1\/calendars\/\[redacted\]/)
  t.notMatch(log, ADMIN_TOKEN)
  t.notMatch(log, 'abcdefghijklmnop')
})
