import t from 'tap'
import type { Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { attendance, registrations } from '../../src/modules/registrations/registrations.table.ts'
import { sessions, speakers } from '../../src/modules/timetable/timetable.table.ts'
import { summariesService } from '../../src/modules/summaries/summaries.service.ts'
import { renderMarkdown } from '../../src/modules/summaries/summaries.page.ts'
import { admin, assertProblem, createOrganisation, createWorkshop, freshDatabaseUrl, json, orgHeaders, testConfig } from '../helpers.ts'

/** The app on a fresh database, with a clock the test moves. */
async function appWithClock (t: Test) {
  const clock = { now: new Date('2023-03-01T00:00:00Z') }
  const url = await freshDatabaseUrl(t)
  const config = testConfig(url ? { DATABASE_URL: url } : {})
  const database = await openDatabase({ url })
  await migrateDatabase(database, url)
  const app = await buildApp({ config, database, now: () => clock.now })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await database.close()
  })
  return { app, db: database.db, config, clock }
}

const summaryBody = (overrides: Record<string, unknown> = {}) => ({
  headline: { en: 'UNDP and the Government of Iraq hold a workshop', ar: 'ورشة عمل' },
  lead: { en: 'A three-day workshop brought together experts.', ar: 'جمعت ورشة عمل مدتها ثلاثة أيام خبراء.' },
  body: { en: 'UNDP supports **stabilisation**.\n\n- one\n- two', ar: 'يشمل نهج **البرنامج**.' },
  dateline: { place: { en: 'Baghdad, Iraq', ar: 'بغداد، العراق' }, date: '2023-02-05' },
  outcomes: [{ en: 'A national plan is needed', ar: 'الحاجة إلى خطة وطنية' }],
  contacts: [{ name: 'Miriam Pineau', title: { en: 'Communications and Outreach Officer', ar: 'مسؤولة اعلام وتواصل' }, email: 'miriam.pineau@undp.org', phone: '+964790110 1982' }],
  ...overrides,
})

let seq = 0
function registration (workshopId: string, values: Partial<typeof registrations.$inferInsert>) {
  seq += 1
  return {
    workshopId, name: `Person ${seq}`, email: `p${seq}@example.org`, emailKey: `p${seq}@example.org`, status: 'confirmed' as const,
    manageTokenHash: randomBytes(16).toString('hex'), feedTokenHash: randomBytes(16).toString('hex'), ...values,
  }
}

t.test('summaries', async (t) => {
  const { app, db, clock } = await appWithClock(t)
  const workshop = await createWorkshop(app, { slug: 'reintegration-2023', venue: { name: { en: 'Baghdad' } } }, true)
  const url = `/v1/workshops/${workshop.id}/summary`
  const gov = await createOrganisation(app, { name: { en: 'Ministry of Migration and Displaced', ar: 'وزارة الهجرة والمهجرين' }, sector: 'government' })
  const undp = await createOrganisation(app, { name: { en: 'UNDP', ar: 'برنامج الأمم المتحدة الإنمائي' }, acronym: 'UNDP', sector: 'un_agency' })
  const uni = await createOrganisation(app, { name: { en: 'University of Baghdad' }, sector: 'academia' })
  t.equal((await app.inject({ method: 'PUT', url: `/v1/workshops/${workshop.id}/partners/${undp.id}`, headers: orgHeaders, payload: { role: 'co_organiser' } })).statusCode, 201)
  const [lootsma, obaid] = await db.insert(speakers).values([
    { workshopId: workshop.id, name: 'Auke Lootsma', title: { en: 'Resident Representative', ar: 'الممثل المقيم' }, organisationId: undp.id },
    { workshopId: workshop.id, name: 'Zaidan Khalaf Obaid', title: { en: 'Advisor to the Prime Minister for Human Rights' } },
  ]).returning()

  await t.test('draft: organisers read it, the public sees nothing', async (t) => {
    assertProblem(t, await app.inject({ url, headers: admin }), 404)
    const created = await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: summaryBody() })
    t.equal(created.statusCode, 201)
    t.match(json(created), {
      workshop_id: workshop.id, slug: 'reintegration-2023', status: 'draft', figures: null, published_at: null,
      page_url: 'https://nadwa.test/summaries/reintegration-2023', dateline: { date: '2023-02-05' },
      contacts: [{ name: 'Miriam Pineau', email: 'miriam.pineau@undp.org', phone: '+964790110 1982' }],
    })
    t.equal((await app.inject({ url, headers: admin })).statusCode, 200)
    assertProblem(t, await app.inject(url), 404)
    assertProblem(t, await app.inject('/summaries/reintegration-2023'), 404)
    t.same(json(await app.inject('/v1/summaries')).items, [])
    assertProblem(t, await app.inject({ method: 'PUT', url, payload: summaryBody() }), 401)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url}/publish` }), 401)
    assertProblem(t, await app.inject({ url, headers: { authorization: 'Bearer nope' } }), 401)

    const replaced = await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: { headline: { ar: 'عنوان فقط' } } })
    t.equal(replaced.statusCode, 200, 'a second put replaces')
    t.match(json(replaced), { headline: { ar: 'عنوان فقط' }, lead: null, body: null, dateline: null, outcomes: [], quotes: [], contacts: [] })
    t.notOk(json(replaced).headline.en, 'a full replace')
  })

  await t.test('quotes of speakers and of people given inline', async (t) => {
    const res = await app.inject({
      method: 'PUT', url, headers: orgHeaders,
      payload: summaryBody({
        quotes: [
          { speaker_id: lootsma.id, text: { en: 'Reintegration is a priority', ar: 'إن إعادة الإدماج هي أولوية' } },
          { speaker_id: obaid.id, text: { en: 'Community acceptance matters' } },
          { name: 'Dr. Mohammed Taher Al-Tamimi', title: { en: 'Director General' }, organisation: { en: 'Office of the National Security Advisor' }, text: { en: 'An important chance' } },
          { name: 'Someone', text: { ar: 'نص' } },
        ],
      }),
    })
    t.equal(res.statusCode, 200)
    t.same(json(res).quotes, [
      { speaker_id: lootsma.id, name: 'Auke Lootsma', title: { en: 'Resident Representative', ar: 'الممثل المقيم' }, organisation: undp.name, text: { en: 'Reintegration is a priority', ar: 'إن إعادة الإدماج هي أولوية' } },
      { speaker_id: obaid.id, name: 'Zaidan Khalaf Obaid', title: { en: 'Advisor to the Prime Minister for Human Rights' }, organisation: null, text: { en: 'Community acceptance matters' } },
      { speaker_id: null, name: 'Dr. Mohammed Taher Al-Tamimi', title: { en: 'Director General' }, organisation: { en: 'Office of the National Security Advisor' }, text: { en: 'An important chance' } },
      { speaker_id: null, name: 'Someone', title: null, organisation: null, text: { ar: 'نص' } },
    ])
    await db.update(speakers).set({ name: 'Auke Lootsma (UNDP)' }).where(eq(speakers.id, lootsma.id))
    t.equal(json(await app.inject({ url, headers: admin })).quotes[0].name, 'Auke Lootsma (UNDP)', "a speaker's quote follows the speaker row")
    await db.update(speakers).set({ name: 'Auke Lootsma' }).where(eq(speakers.id, lootsma.id))

    const other = await createWorkshop(app, {}, true)
    const [stranger] = await db.insert(speakers).values({ workshopId: other.id, name: 'Elsewhere' }).returning()
    const bad: Array<[unknown, string]> = [
      [{ speaker_id: stranger.id, text: { en: 'x' } }, 'quotes.0.speaker_id'],
      [{ speaker_id: '00000000-0000-4000-8000-000000000000', text: { en: 'x' } }, 'quotes.0.speaker_id'],
      [{ speaker_id: lootsma.id, name: 'Other name', text: { en: 'x' } }, 'quotes.0.name'],
      [{ speaker_id: lootsma.id, title: { en: 'x' }, text: { en: 'x' } }, 'quotes.0.title'],
      [{ speaker_id: lootsma.id, organisation: { en: 'x' }, text: { en: 'x' } }, 'quotes.0.organisation'],
      [{ title: { en: 'x' }, text: { en: 'x' } }, 'quotes.0.name'],
      [{ name: 'x' }, 'quotes.0.text'],
      [{ name: 'x', text: {} }, 'quotes.0.text'],
      [{ speaker_id: 'nope', text: { en: 'x' } }, 'quotes.0.speaker_id'],
      [{ name: 'x', text: { en: 'x' }, role: 'x' }, 'quotes.0.role'],
    ]
    for (const [quote, field] of bad) {
      assertProblem(t, await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: summaryBody({ quotes: [quote] }) }), 400, field)
    }
  })

  await t.test('every bad input names its field', async (t) => {
    const { headline, ...headless } = summaryBody()
    t.ok(headline)
    const cases: Array<[unknown, string]> = [
      [headless, 'headline'],
      [summaryBody({ headline: {} }), 'headline'],
      [summaryBody({ headline: { en: ' ' } }), 'headline.en'],
      [summaryBody({ headline: { fr: 'x' } }), 'headline.fr'],
      [summaryBody({ lead: 'text' }), 'lead'],
      [summaryBody({ body: { en: 'x'.repeat(20_001) } }), 'body.en'],
      [summaryBody({ dateline: { place: { en: 'Baghdad' } } }), 'dateline.date'],
      [summaryBody({ dateline: { place: { en: 'Baghdad' }, date: '5 February 2023' } }), 'dateline.date'],
      [summaryBody({ dateline: { date: '2023-02-05' } }), 'dateline.place'],
      [summaryBody({ outcomes: 'x' }), 'outcomes'],
      [summaryBody({ outcomes: [{}] }), 'outcomes.0'],
      [summaryBody({ contacts: [{ email: 'a@b.org' }] }), 'contacts.0.name'],
      [summaryBody({ contacts: [{ name: 'x', email: 'not-an-email' }] }), 'contacts.0.email'],
      [summaryBody({ contacts: [{ name: 'x', phone: 'call me' }] }), 'contacts.0.phone'],
      [summaryBody({ contacts: [{ name: 'x', fax: '1' }] }), 'contacts.0.fax'],
      [summaryBody({ status: 'published' }), 'status'],
      [summaryBody({ published_at: '2023-02-05T00:00:00Z' }), 'published_at'],
      [summaryBody({ slug: 'mine' }), 'slug'],
    ]
    for (const [payload, field] of cases) {
      assertProblem(t, await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: payload as object }), 400, field)
    }
    assertProblem(t, await app.inject({ method: 'PUT', url: '/v1/workshops/nope/summary', headers: orgHeaders, payload: summaryBody() }), 400, 'params.workshopId')
    assertProblem(t, await app.inject({ method: 'PUT', url: '/v1/workshops/00000000-0000-4000-8000-000000000000/summary', headers: orgHeaders, payload: summaryBody() }), 404)
    assertProblem(t, await app.inject({ url: '/v1/workshops/00000000-0000-4000-8000-000000000000/summary', headers: admin }), 404)
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops/00000000-0000-4000-8000-000000000000/summary/publish', headers: admin }), 404)
    assertProblem(t, await app.inject({ method: 'PUT', url, headers: { ...admin, 'content-type': 'text/plain' }, payload: 'x' }), 415)
    assertProblem(t, await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: '{"headline":' }), 400)
    assertProblem(t, await app.inject('/v1/summaries?limit=0'), 400, 'query.limit')
    assertProblem(t, await app.inject('/v1/summaries?cursor=bad'), 400, 'query.cursor')
    const cursor = Buffer.from(JSON.stringify(['not a date', '00000000-0000-4000-8000-000000000000'])).toString('base64url')
    assertProblem(t, await app.inject(`/v1/summaries?cursor=${cursor}`), 400, 'query.cursor')
  })

  await t.test('figures from a known data set, published once the last day is over', async (t) => {
    const w = workshop.id
    const rows = await db.insert(registrations).values([
      registration(w, { organisationId: gov.id }), // government through its organisation
      registration(w, { organisationId: undp.id, sector: 'un_agency' }),
      registration(w, { organisationId: uni.id, sector: 'academia', name: '', email: '', erasedAt: new Date() }), // erased: still counts
      registration(w, { sector: 'civil_society' }), // no organisation
      registration(w, { organisationId: gov.id, status: 'cancelled' }),
      registration(w, { status: 'waitlisted' }),
      registration(w, { status: 'pending' }),
      registration(w, { status: 'rejected' }),
      registration(w, { organisationId: gov.id }), // confirmed, never came (but a stray check-in after the workshop)
    ]).returning()
    const [r1, r2, r3, r4, , , , , r9] = rows
    await db.insert(attendance).values([
      { registrationId: r1.id, day: '2023-02-05' }, { registrationId: r1.id, day: '2023-02-06' },
      { registrationId: r2.id, day: '2023-02-05' },
      { registrationId: r3.id, day: '2023-02-05' }, { registrationId: r3.id, day: '2023-02-06' },
      { registrationId: r4.id, day: '2023-02-06' },
      { registrationId: r9.id, day: '2023-02-10' },
    ])
    const other = await createWorkshop(app, {}, true)
    const [stranger] = await db.insert(registrations).values(registration(other.id, { organisationId: gov.id })).returning()
    await db.insert(attendance).values({ registrationId: stranger.id, day: '2023-02-05' })
    const at = (h: number) => new Date(`2023-02-05T${String(h).padStart(2, '0')}:00:00+03:00`)
    await db.insert(sessions).values([
      { workshopId: w, title: { en: 'Opening' }, kind: 'plenary', startsAt: at(9), endsAt: at(10) },
      { workshopId: w, title: { en: 'Panel' }, kind: 'panel', startsAt: at(10), endsAt: at(11) },
      { workshopId: w, title: { en: 'Group' }, kind: 'working_group', startsAt: at(11), endsAt: at(12), status: 'cancelled' },
      { workshopId: w, title: { en: 'Coffee' }, kind: 'break', startsAt: at(12), endsAt: at(13) },
      { workshopId: w, title: { en: 'Lunch' }, kind: 'break', startsAt: at(13), endsAt: at(14), status: 'cancelled' },
    ])

    clock.now = new Date('2023-02-07T23:59:00+03:00')
    const early = assertProblem(t, await app.inject({ method: 'POST', url: `${url}/publish`, headers: admin }), 409)
    t.equal(early.type, 'https://nadwa.dev/problems/workshop-not-over')
    t.equal(early.publishable_at, '2023-02-08T00:00:00.000+03:00')
    clock.now = new Date('2023-02-07T23:59:59.999+03:00')
    assertProblem(t, await app.inject({ method: 'POST', url: `${url}/publish`, headers: admin }), 409)

    clock.now = new Date('2023-02-08T00:00:00+03:00')
    const published = await app.inject({ method: 'POST', url: `${url}/publish`, headers: admin })
    t.equal(published.statusCode, 200, published.body)
    const summary = json(published)
    t.equal(summary.status, 'published')
    t.equal(summary.published_at, '2023-02-08T00:00:00.000+03:00')
    t.same(summary.figures, {
      registrations: { confirmed: 5, waitlisted: 1, pending: 1, cancelled: 1, rejected: 1 },
      attendees: 4,
      attendance_per_day: [{ date: '2023-02-05', count: 3 }, { date: '2023-02-06', count: 3 }, { date: '2023-02-07', count: 0 }],
      attendees_by_sector: { government: 1, un_agency: 1, donor: 0, academia: 1, civil_society: 1, private_sector: 0, media: 0, other: 0 },
      attendees_by_organisation: [
        { organisation_id: gov.id, name: gov.name, count: 1 },
        { organisation_id: undp.id, name: undp.name, count: 1 },
        { organisation_id: uni.id, name: uni.name, count: 1 },
      ],
      sessions: { held: 2, cancelled: 1 },
      speakers: 2,
      partners: 1,
    })
    t.same(json(await app.inject(url)), summary, 'the public reads it now')

    await t.test('figures are frozen until published again; republishing keeps published_at', async (t) => {
      await db.insert(attendance).values({ registrationId: r2.id, day: '2023-02-07' })
      const corrected = await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: summaryBody({ headline: { en: 'Corrected' }, figures: { attendees: 1000 } }) })
      t.equal(corrected.statusCode, 200)
      t.equal(json(corrected).status, 'published', 'a correction stays published')
      t.same(json(corrected).figures, summary.figures, 'client figures are ignored; the frozen ones stay')
      clock.now = new Date('2023-03-01T10:00:00+03:00')
      const again = json(await app.inject({ method: 'POST', url: `${url}/publish`, headers: admin }))
      t.equal(again.published_at, summary.published_at, 'the first publication date stays')
      t.ok(again.updated_at > summary.updated_at, 'updated_at records the new publication')
      t.same(again.figures.attendance_per_day[2], { date: '2023-02-07', count: 1 }, 'recomputed')
      t.equal(again.figures.attendees, 4)
      t.equal(again.headline.en, 'Corrected')
    })
  })

  await t.test('publish is refused for a summary or workshop that is not there or not published', async (t) => {
    const draft = await createWorkshop(app, { start_date: '2022-01-01', end_date: '2022-01-01' })
    assertProblem(t, await app.inject({ method: 'POST', url: `/v1/workshops/${draft.id}/summary/publish`, headers: admin }), 404)
    t.equal((await app.inject({ method: 'PUT', url: `/v1/workshops/${draft.id}/summary`, headers: orgHeaders, payload: summaryBody() })).statusCode, 201)
    const res = assertProblem(t, await app.inject({ method: 'POST', url: `/v1/workshops/${draft.id}/summary/publish`, headers: admin }), 409)
    t.equal(res.type, 'https://nadwa.dev/problems/workshop-not-published')
  })

  await t.test('the default clock is the real one', async (t) => {
    const service = summariesService(db, testConfig())
    const future = await createWorkshop(app, { start_date: '2099-01-01', end_date: '2099-01-02' }, true)
    t.equal((await app.inject({ method: 'PUT', url: `/v1/workshops/${future.id}/summary`, headers: orgHeaders, payload: summaryBody() })).statusCode, 201)
    await t.rejects(service.publish(future.id), { status: 409, type: 'workshop-not-over' })
  })

  await t.test('slugs follow the workshop and stay unique', async (t) => {
    const w = await createWorkshop(app, { slug: 'taken-slug' }, true)
    await db.execute(`update summaries set slug = 'taken-slug' where workshop_id = '${workshop.id}'` as never)
    const res = json(await app.inject({ method: 'PUT', url: `/v1/workshops/${w.id}/summary`, headers: orgHeaders, payload: summaryBody() }))
    t.match(res.slug, /^taken-slug-[0-9a-f]{6}$/)
    await db.execute(`update summaries set slug = 'reintegration-2023' where workshop_id = '${workshop.id}'` as never)
  })
})

t.test('renderMarkdown keeps harmless markup only', async (t) => {
  const html = renderMarkdown('**bold** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://undp.org) <img src=x onerror=alert(1)> <a href="data:text/html,x" onclick="x()">z</a> <style>body{}</style>')
  t.match(html, /<strong>bold<\/strong>/)
  t.notMatch(html, /<script|<img|onerror|onclick|javascript:|data:|<style/i)
  t.match(html, /<a href="https:\/\/undp\.org" rel="nofollow noopener noreferrer">y<\/a>/)
})
