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
    const emptyFeed = await app.inject('/v1/summaries/feed.atom')
    t.equal(emptyFeed.statusCode, 200)
    t.notMatch(emptyFeed.body, /<entry>/, 'an empty feed')
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

    const [untitled] = await db.insert(speakers).values({ workshopId: workshop.id, name: 'No Title' }).returning()
    const plain = await app.inject({ method: 'PUT', url, headers: orgHeaders, payload: summaryBody({ quotes: [{ speaker_id: untitled.id, text: { en: 'x' } }] }) })
    t.same(json(plain).quotes, [{ speaker_id: untitled.id, name: 'No Title', title: null, organisation: null, text: { en: 'x' } }])
    await db.delete(speakers).where(eq(speakers.id, untitled.id))
    t.same(json(await app.inject({ url, headers: admin })).quotes[0].name, 'No Title', 'a removed speaker keeps the name the quote was written with')

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
    await t.rejects(service.publish(future.id), { status: 409, type: 'workshop-not-over' } as never)
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

t.test('the page, the list and the feed', async (t) => {
  const { app, db, clock } = await appWithClock(t)
  const undp = await createOrganisation(app, { name: { en: 'United Nations Development Programme', ar: 'برنامج الأمم المتحدة الإنمائي' }, acronym: 'UNDP', sector: 'un_agency' })
  const published: any[] = []
  for (const [i, slug, lang] of [[1, 'first-2023', 'en'], [2, 'second-2023', 'ar'], [3, 'third-2023', 'en']] as const) {
    const w = await createWorkshop(app, { slug, default_language: lang, start_date: `2023-0${i}-05`, end_date: `2023-0${i}-06` }, true)
    await app.inject({ method: 'PUT', url: `/v1/workshops/${w.id}/partners/${undp.id}`, headers: orgHeaders, payload: { role: 'co_organiser' } })
    const [speaker] = await db.insert(speakers).values({ workshopId: w.id, name: 'Auke Lootsma', title: { en: 'Resident Representative', ar: 'الممثل المقيم' }, organisationId: undp.id }).returning()
    const [reg] = await db.insert(registrations).values(registration(w.id, { organisationId: undp.id })).returning()
    await db.insert(attendance).values({ registrationId: reg.id, day: `2023-0${i}-05` })
    const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    t.equal((await app.inject({
      method: 'PUT', url: `/v1/workshops/${w.id}/summary`, headers: orgHeaders,
      payload: summaryBody({
        headline: { en: `Headline ${i} ${hostile}`, ar: `عنوان ${i} ${hostile}` },
        lead: { en: `Lead ${hostile}`, ar: `مقدمة ${hostile}` },
        body: { en: `Body with [a link](javascript:alert(1)) and [UNDP](https://undp.org) ${hostile}`, ar: `نص ${hostile}` },
        outcomes: [{ en: `Outcome ${hostile}`, ar: `نتيجة ${hostile}` }],
        quotes: [{ speaker_id: speaker.id, text: { en: `Quote ${hostile}`, ar: `اقتباس ${hostile}` } }, { name: `Inline ${hostile}`, text: { en: 'Said' } }],
        contacts: [{ name: `Miriam ${hostile}`, title: { en: 'Officer' }, email: 'miriam.pineau@undp.org', phone: '+964790110 1982' }, { name: 'Plain' }],
      }),
    })).statusCode, 201)
    clock.now = new Date(`2023-0${i}-20T00:00:00Z`)
    published.push(json(await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/summary/publish`, headers: admin })))
  }
  const draft = await createWorkshop(app, { slug: 'draft-2023' }, true)
  await app.inject({ method: 'PUT', url: `/v1/workshops/${draft.id}/summary`, headers: orgHeaders, payload: summaryBody() })

  await t.test('listSummaries: published only, newest first, paginated', async (t) => {
    const all = json(await app.inject('/v1/summaries'))
    t.same(all.items.map((s: any) => s.slug), ['third-2023', 'second-2023', 'first-2023'])
    t.equal(all.next_cursor, null)
    const first = json(await app.inject('/v1/summaries?limit=2'))
    t.same(first.items.map((s: any) => s.slug), ['third-2023', 'second-2023'])
    const second = json(await app.inject(`/v1/summaries?limit=2&cursor=${first.next_cursor}`))
    t.same(second.items.map((s: any) => s.slug), ['first-2023'])
    t.equal(second.next_cursor, null)
  })

  await t.test('the Atom feed is well-formed Atom 1.0, one entry per summary linking its page', async (t) => {
    const { xml2js } = await import('xml-js')
    const res = await app.inject('/v1/summaries/feed.atom')
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/atom\+xml/)
    const doc: any = xml2js(res.body, { compact: true })
    const feed = doc.feed
    t.equal(feed._attributes.xmlns, 'http://www.w3.org/2005/Atom')
    t.equal(feed.id._text, 'https://nadwa.test/v1/summaries/feed.atom')
    t.ok(feed.title._text && feed.updated._text && feed.author.name._text, 'id, title, updated, author')
    const entries = feed.entry
    t.equal(entries.length, 3)
    t.same(entries.map((e: any) => e.link._attributes.href), ['third-2023', 'second-2023', 'first-2023'].map((s) => `https://nadwa.test/summaries/${s}`))
    for (const e of entries) {
      t.ok(e.id._text && e.title._cdata && e.updated._text, 'each entry has id, title, updated')
      t.equal(e.title._attributes.type, 'html')
      t.match(e.title._cdata, /^Headline \d &lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img/, 'html-typed text is escaped, so readers show it as typed')
      t.ok(!Number.isNaN(Date.parse(e.updated._text)) && !Number.isNaN(Date.parse(e.published._text)))
    }
    t.notMatch(res.body, /<script/, 'text is escaped in the XML')
  })

  const page = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url: path, headers })
    t.equal(res.statusCode, 200, path)
    return res
  }

  await t.test('the page: language and direction', async (t) => {
    const ar = await page('/summaries/first-2023?lang=ar')
    t.match(ar.headers['content-type'], /^text\/html; charset=utf-8/)
    t.match(ar.body, /<html lang="ar" dir="rtl">/)
    t.equal(ar.headers['content-language'], 'ar')
    t.match((await page('/summaries/first-2023?lang=en')).body, /<html lang="en" dir="ltr">/)
    t.match((await page('/summaries/first-2023', { 'accept-language': 'ar-IQ,ar;q=0.9,en;q=0.5' })).body, /<html lang="ar" dir="rtl">/)
    t.match((await page('/summaries/first-2023', { 'accept-language': 'fr' })).body, /<html lang="en"/, 'falls back to the default language (en)')
    t.match((await page('/summaries/second-2023')).body, /<html lang="ar" dir="rtl">/, 'falls back to the default language (ar)')
    t.match((await page('/summaries/second-2023?lang=xx')).body, /<html lang="ar"/)
    assertProblem(t, await app.inject('/summaries/draft-2023'), 404)
    assertProblem(t, await app.inject('/summaries/nothing-here'), 404)
  })

  await t.test('the page: every element, everything typed escaped, no script, its own CSP', async (t) => {
    const { parseDocument } = await import('htmlparser2')
    for (const lang of ['en', 'ar']) {
      const res = await page(`/summaries/first-2023?lang=${lang}`)
      const csp = String(res.headers['content-security-policy'])
      t.match(csp, /default-src 'none'/)
      t.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/)
      t.notMatch(csp, /script-src|unsafe-inline|unsafe-eval/)
      t.equal(res.headers['cross-origin-opener-policy'], 'same-origin', 'the headers for documents, beside those of every answer')
      t.equal(res.headers['referrer-policy'], 'no-referrer', 'its links do not tell other sites which page sent the reader')
      t.equal(res.headers['x-frame-options'], 'DENY')
      const styleBody = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1]
      const { createHash } = await import('node:crypto')
      t.ok(csp.includes(createHash('sha256').update(styleBody).digest('base64')), 'the CSP hash matches the style element')

      const doc = parseDocument(res.body)
      const elements: any[] = []
      const walk = (node: any) => { if (node.type === 'tag' || node.type === 'script' || node.type === 'style') elements.push(node); (node.children ?? []).forEach(walk) }
      walk(doc)
      t.notOk(elements.some((e) => e.name === 'script'), 'no script element')
      t.notOk(elements.some((e) => e.name === 'img' || e.name === 'iframe'), 'no injected element')
      t.notOk(elements.some((e) => Object.keys(e.attribs ?? {}).some((a) => a.startsWith('on'))), 'no event handler')
      t.notOk(elements.some((e) => Object.keys(e.attribs ?? {}).includes('style')), 'no inline style attribute (the CSP allows only the hashed element)')
      t.notOk(elements.some((e) => /^\s*(javascript|data|vbscript):/i.test(e.attribs?.href ?? '')), 'no script link')
      t.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/, 'typed text is shown, escaped')

      const text = res.body
      const L = lang === 'en'
      t.match(text, L ? /<h1>Headline 1 / : /<h1>عنوان 1 /)
      t.match(text, L ? /<span class="dateline">Baghdad, Iraq, 5 February 2023<\/span>/ : /<span class="dateline">بغداد، العراق، 5 شباط 2023<\/span>/)
      t.match(text, L ? /Lead / : /مقدمة /)
      t.match(text, L ? /<a href="https:\/\/undp.org" rel="nofollow noopener noreferrer">UNDP<\/a>/ : /نص /)
      t.match(text, L ? /Outcome / : /نتيجة /)
      t.match(text, L ? /Quote [\s\S]*Auke Lootsma, Resident Representative, United Nations Development Programme/ : /اقتباس [\s\S]*Auke Lootsma، الممثل المقيم، برنامج الأمم المتحدة الإنمائي/)
      t.match(text, /Inline &lt;script&gt;/)
      t.match(text, L ? /United Nations Development Programme \(UNDP\) <span>– co-organiser<\/span>/ : /برنامج الأمم المتحدة الإنمائي \(UNDP\) <span>– جهة منظِّمة<\/span>/)
      t.match(text, /<a href="mailto:miriam.pineau@undp.org">miriam.pineau@undp.org<\/a>/)
      t.match(text, /<a href="tel:\+9647901101982" dir="ltr" class="phone">\+964790110 1982<\/a>/)
      t.match(text, /<svg[^>]*role="img"/, 'a chart')
      t.equal((text.match(/<rect /g) ?? []).length, 3, 'bars: two days and one sector')
      t.match(text, /<td class="n">1<\/td>/)
    }
  })

  await t.test('a summary with nothing but a headline still makes a page and an entry', async (t) => {
    const w = await createWorkshop(app, { slug: 'minimal-2023', title: { ar: 'ورشة' } }, true)
    const plainOrg = await createOrganisation(app, { name: { en: 'Plain Org' } })
    const sameAcronym = await createOrganisation(app, { name: { en: 'GCERF' }, acronym: 'GCERF', sector: 'donor' })
    for (const o of [plainOrg, sameAcronym]) await app.inject({ method: 'PUT', url: `/v1/workshops/${w.id}/partners/${o.id}`, headers: orgHeaders, payload: { role: 'partner' } })
    await app.inject({ method: 'PUT', url: `/v1/workshops/${w.id}/summary`, headers: orgHeaders, payload: { headline: { ar: 'عنوان وحيد' } } })
    clock.now = new Date('2023-12-01T00:00:00Z')
    t.equal((await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/summary/publish`, headers: admin })).statusCode, 200)
    const html = (await page('/summaries/minimal-2023?lang=en')).body
    t.match(html, /<h1>عنوان وحيد<\/h1>/, 'the other language stands in')
    t.notMatch(html, /class="lead"|class="body"|<blockquote|<ul>/)
    t.match(html, /<h2>In figures<\/h2>/)
    t.match(html, /<li>Plain Org <span>– partner<\/span><\/li><li>GCERF <span>– partner<\/span><\/li>/, 'no acronym, or one that is the name, is not repeated')
    for (const o of [plainOrg, sameAcronym]) await app.inject({ method: 'DELETE', url: `/v1/workshops/${w.id}/partners/${o.id}`, headers: admin })
    t.notMatch((await page('/summaries/minimal-2023?lang=en')).body, /partnership/, 'no partners, no section')
    t.equal((html.match(/<svg/g) ?? []).length, 1, 'only the chart by day: nobody attended')
    const feed = (await app.inject('/v1/summaries/feed.atom')).body
    t.match(feed, /<title type="html"><!\[CDATA\[عنوان وحيد\]\]><\/title>/)
  })
})
