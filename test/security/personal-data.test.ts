// Participants' and speakers' e-mail addresses never appear in what the public can read:
// every public answer, feed and page of the seeded reference workshop is crawled.
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/client.ts'
import { runSeed } from '../../src/seed/cli.ts'
import { admin, freshDatabaseUrl, json, orgHeaders, testConfig } from '../helpers.ts'
import { assertNoEmails, emailsIn } from './leaks.ts'

t.setTimeout(240_000)

t.test('no e-mail address of a participant or speaker in any public answer', async (t) => {
  const url = await freshDatabaseUrl(t)
  const env = url ? { DATABASE_URL: url } : { DATA_DIR: t.testdir() }
  const seeded = await runSeed(env, { out: () => {}, err: () => {} })
  const database = await openDatabase({ url, dataDir: url ? undefined : env.DATA_DIR })
  const app = await buildApp({ config: testConfig(url ? { DATABASE_URL: url } : {}), database })
  t.teardown(async () => { await app.close(); await database.close() })

  const w = `/v1/workshops/${seeded.workshopId}`
  const speakers = json(await app.inject({ url: `${w}/speakers?limit=500`, headers: admin })).items
  await app.inject({ method: 'PATCH', url: `${w}/speakers/${speakers[0].id}`, headers: orgHeaders, payload: { email: 'speaker.private@example.org' } })
  const registrations = json(await app.inject({ url: `${w}/registrations?limit=500`, headers: admin })).items
  t.ok(registrations.length > 30 && registrations.every((r: any) => emailsIn(r.email).length === 1), 'organisers see the addresses')
  const { manage_token: token, calendar_url: calendarUrl } = json(await app.inject({
    method: 'POST', url: `${w}/registrations`, headers: orgHeaders, payload: { name: 'Late Comer', email: 'late.comer@example.org' },
  }))

  const sessions = json(await app.inject(`${w}/sessions?limit=500`)).items
  const pages = [
    '/v1/workshops', w, `${w}/agenda`, `${w}/sessions?limit=500`, `${w}/speakers?limit=500`, `${w}/rooms`,
    '/v1/organisations?limit=500', `${w}/calendar.ics`, `${w}/calendar.ics?lang=ar`, `${w}/summary`, '/v1/summaries',
    '/v1/summaries/feed.atom', `/summaries/${seeded.slug}?lang=ar`, `/summaries/${seeded.slug}?lang=en`,
    new URL(calendarUrl).pathname,
    ...sessions.flatMap((s: any) => [`${w}/sessions/${s.id}`, `${w}/sessions/${s.id}/calendar.ics`]),
  ]
  for (const page of pages) {
    const res = await app.inject(page)
    t.equal(res.statusCode, 200, page)
    // The summary's media contact is published on purpose, as in the press release.
    assertNoEmails(t, res, page, ['miriam.pineau@undp.org'])
  }
  t.ok(token.startsWith('ndw_reg_'))
})
