import t from 'tap'
import { buildApp } from '../src/app.ts'
import { openDatabase } from '../src/db/client.ts'
import { runSeed } from '../src/seed/cli.ts'
import * as data from '../src/seed/baghdad.ts'
import { seedWorkshop } from '../src/seed/load.ts'
import { buildTestApp, freshDatabaseUrl, json, testConfig } from './helpers.ts'

t.test('the seed stops at the first refused write, saying which', async (t) => {
  const { app } = await buildTestApp(t)
  await t.rejects(seedWorkshop(app, 'not-the-token', { log: () => {} }), /POST \/v1\/organisations: 401/)
})

t.test('npm run seed loads the reference workshop through the API, and a second run changes nothing', async (t) => {
  const url = await freshDatabaseUrl(t)
  const env = url ? { DATABASE_URL: url, PUBLIC_URL: 'https://nadwa.test' } : { DATA_DIR: t.testdir(), PUBLIC_URL: 'https://nadwa.test' }
  const out: string[] = []
  const err: string[] = []
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }
  const first = await runSeed(env, io)
  t.ok(first.created > 100, `writes: ${first.created}`)
  t.same(out, ['https://nadwa.test/summaries/baghdad-reintegration-workshop-2023?lang=ar'])
  t.match(err.join('\n'), /organisations: 13[\s\S]*timetable: 3 rooms, 4 speakers, 16 sessions[\s\S]*registrations: 36[\s\S]*Seeded/)

  const second = await runSeed(env, { out: () => {}, err: (l) => err.push(l) }, 5)
  t.equal(second.created, 0, 'idempotent: nothing written the second time')
  t.equal(second.workshopId, first.workshopId)
  t.match(err.at(-1), /Already seeded: nothing changed/)

  // Read what a visitor sees.
  const database = await openDatabase({ url, dataDir: url ? undefined : env.DATA_DIR })
  const app = await buildApp({ config: testConfig(url ? { DATABASE_URL: url } : {}), database })
  t.teardown(async () => { await app.close(); await database.close() })

  const summary = json(await app.inject(`/v1/workshops/${first.workshopId}/summary`))
  const attendees = data.REGISTRATIONS.filter((r) => r.days.length > 0)
  const bySector: Record<string, number> = { government: 0, un_agency: 0, donor: 0, academia: 0, civil_society: 0, private_sector: 0, media: 0, other: 0 }
  for (const r of attendees) bySector[data.ORGANISATIONS.find((o) => o.key === r.organisation)!.sector] += 1
  t.same(summary.figures.registrations, { confirmed: 34, waitlisted: 0, pending: 0, cancelled: 2, rejected: 0 })
  t.equal(summary.figures.attendees, attendees.length)
  t.same(summary.figures.attendance_per_day, data.DAYS.map((date) => ({ date, count: attendees.filter((r) => r.days.includes(date)).length })))
  t.same(summary.figures.attendees_by_sector, bySector)
  t.same(summary.figures.sessions, { held: data.SESSIONS.filter((s) => s.kind !== 'break').length, cancelled: 0 })
  t.equal(summary.figures.speakers, 4)
  t.equal(summary.figures.partners, 3)
  t.equal(summary.figures.attendees_by_organisation.reduce((n: number, o: any) => n + o.count, 0), attendees.length)
  t.same(summary.quotes.map((q: any) => [q.name, q.title.en, q.organisation.en]), data.SPEAKERS.map((s) => [s.name, s.title.en, data.ORGANISATIONS.find((o) => o.key === s.organisation)!.name.en]))
  t.ok(summary.quotes.every((q: any) => q.speaker_id), 'quotes name speakers of the workshop')

  const workshop = json(await app.inject(`/v1/workshops/${first.workshopId}`))
  t.same(workshop.partners.map((p: any) => [p.organisation.acronym, p.role]), [['GoI', 'host'], ['UNDP', 'co_organiser'], ['GCERF', 'funder']])

  const page = await app.inject('/summaries/baghdad-reintegration-workshop-2023?lang=ar')
  t.equal(page.statusCode, 200)
  const html = page.body
  t.match(html, /<html lang="ar" dir="rtl">/)
  const release = [data.SUMMARY.headline.ar, data.SUMMARY.lead.ar, ...data.SUMMARY.body.ar.split('\n\n'), ...data.SUMMARY.quotes.map((q) => q.text.ar),
    ...data.SPEAKERS.map((s) => s.title.ar!), 'بغداد، العراق، 5 شباط 2023', 'Miriam Pineau', 'مسؤولة اعلام وتواصل', 'miriam.pineau@undp.org', '+964790110 1982',
    'حكومة العراق', 'برنامج الأمم المتحدة الإنمائي', 'الصندوق العالمي لدعم المجتمعات المحلية ومساعدتها على الصمود']
  for (const piece of release) t.ok(html.includes(piece), `the page carries: ${piece.slice(0, 60)}`)
  t.ok(html.includes(`<td class="n">${attendees.length}</td>`), 'attendees in the figures table')
})
