import t from 'tap'
import { sql } from 'drizzle-orm'
import { admin, assertProblem, buildTestApp, createOrganisation, createWorkshop, json, orgHeaders, workshopBody } from '../helpers.ts'

t.test('workshops', async (t) => {
  const { app, db } = await buildTestApp(t)

  await t.test('create a draft with Arabic and English text', async (t) => {
    const res = await app.inject({
      method: 'POST', url: '/v1/workshops', headers: orgHeaders,
      payload: workshopBody({
        description: { en: 'Three days on reintegration policy', ar: 'ثلاثة أيام' },
        venue: { name: { en: 'Baghdad venue', ar: 'بغداد' }, city: { en: 'Baghdad', ar: 'بغداد' }, country: 'IQ' },
        capacity: 80, requires_approval: true,
        registration_opens_at: '2023-01-01T09:00:00+03:00', registration_closes_at: '2023-02-04T18:00:00Z',
      }),
    })
    t.equal(res.statusCode, 201)
    const w = json(res)
    t.match(w, {
      slug: 'strategic-planning-for-reintegration-2023', status: 'draft', timezone: 'Asia/Baghdad',
      days: ['2023-02-05', '2023-02-06', '2023-02-07'], capacity: 80, requires_approval: true, default_language: 'en',
      registration_opens_at: '2023-01-01T09:00:00.000+03:00', registration_closes_at: '2023-02-04T21:00:00.000+03:00',
      calendar_url: `https://nadwa.test/v1/workshops/${w.id}/calendar.ics`, calendar_webcal_url: `webcal://nadwa.test/v1/workshops/${w.id}/calendar.ics`,
      partners: [], published_at: null,
    })
    t.equal(res.headers.etag, `"${w.id}.1"`)

    t.equal((await app.inject(`/v1/workshops/${w.id}`)).statusCode, 404, 'drafts are hidden from the public')
    t.equal((await app.inject({ url: `/v1/workshops/${w.id}`, headers: admin })).statusCode, 200, 'organisers see drafts')
    assertProblem(t, await app.inject({ url: `/v1/workshops/${w.id}`, headers: { authorization: 'Bearer wrong' } }), 401)
    t.same(json(await app.inject('/v1/workshops')).items, [], 'drafts are not listed publicly')
    assertProblem(t, await app.inject('/v1/workshops?status=draft'), 401)

    const second = await createWorkshop(app)
    t.match(second.slug, /^strategic-planning-for-reintegration-2023-[0-9a-f]{6}$/, 'a taken slug gets a suffix')
    const arabicOnly = await createWorkshop(app, { title: { ar: 'ورشة عمل' } })
    t.equal(arabicOnly.default_language, 'ar')
    t.equal(arabicOnly.slug, 'workshop-2023', 'a title without Latin letters still gets a slug')
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: workshopBody({ slug: 'workshop-2023' }) }), 409)
    const chosen = await createWorkshop(app, { slug: 'baghdad-2023', registration_opens_at: null, capacity: null })
    t.equal(chosen.slug, 'baghdad-2023')
  })

  await t.test('refuses bad input, naming the field', async (t) => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ timezone: '+03:00' }, 'timezone'],
      [{ end_date: '2023-02-04' }, 'end_date'],
      [{ end_date: '2023-06-30' }, 'end_date'],
      [{ start_date: '2023-02-30' }, 'start_date'],
      [{ start_date: '05/02/2023' }, 'start_date'],
      [{ capacity: -1 }, 'capacity'],
      [{ capacity: 1.5 }, 'capacity'],
      [{ capacity: '10' }, 'capacity'],
      [{ title: {} }, 'title'],
      [{ title: { en: '' } }, 'title.en'],
      [{ title: { en: 'x'.repeat(20_001) } }, 'title.en'],
      [{ registration_opens_at: '2023-01-01T09:00:00' }, 'registration_opens_at'],
      [{ registration_opens_at: '2023-01-01' }, 'registration_opens_at'],
      [{ registration_opens_at: '2023-02-01T00:00:00Z', registration_closes_at: '2023-01-01T00:00:00Z' }, 'registration_closes_at'],
      [{ slug: 'Not A Slug' }, 'slug'],
      [{ default_language: 'fr' }, 'default_language'],
      [{ venue: { city: { en: 'Baghdad' } } }, 'venue.name'],
      [{ requires_approval: 'yes' }, 'requires_approval'],
      [{ status: 'published' }, 'status'],
    ]
    for (const [overrides, field] of cases) {
      assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: workshopBody(overrides) }), 400, field)
    }
    const { title, ...untitled } = workshopBody()
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: untitled }), 400, 'title')
    t.ok(title)
  })

  await t.test('publish, list, cancel', async (t) => {
    const w = await createWorkshop(app, { start_date: '2024-05-01', end_date: '2024-05-02', title: { en: 'Later' } })
    const published = await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin })
    t.equal(published.statusCode, 200)
    t.match(json(published), { status: 'published', published_at: /^2\d{3}-/ })
    const again = await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin })
    t.equal(again.headers.etag, published.headers.etag, 'publishing twice changes nothing')
    t.same(json(await app.inject('/v1/workshops')).items.map((x: any) => x.id), [w.id], 'the public sees published workshops')
    t.equal(json(await app.inject(`/v1/workshops/${w.id}`)).status, 'published')

    const cancelled = await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/cancel`, headers: admin })
    t.equal(json(cancelled).status, 'cancelled')
    t.equal(json(await app.inject(`/v1/workshops/${w.id}`)).status, 'cancelled', 'a cancelled workshop stays visible')
    t.equal((await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/cancel`, headers: admin })).statusCode, 200)
    assertProblem(t, await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin }), 409)
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops/00000000-0000-4000-8000-000000000000/publish', headers: admin }), 404)
  })

  await t.test('list filters by status and days, pages by start date', async (t) => {
    const all = json(await app.inject({ url: '/v1/workshops?limit=500', headers: admin })).items
    t.ok(all.length >= 5)
    const starts = all.map((w: any) => w.start_date)
    t.same(starts, [...starts].sort(), 'by start date')
    t.same(json(await app.inject({ url: '/v1/workshops?status=cancelled', headers: admin })).items.map((w: any) => w.title.en), ['Later'])
    t.same(json(await app.inject('/v1/workshops?from=2024-05-02')).items.map((w: any) => w.title.en), ['Later'])
    t.same(json(await app.inject('/v1/workshops?from=2024-05-03')).items, [])
    t.same(json(await app.inject({ url: '/v1/workshops?to=2023-02-05', headers: admin })).items.length, all.length - 1)
    t.same(json(await app.inject({ url: '/v1/workshops?to=2023-02-04', headers: admin })).items, [])
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const page: any = json(await app.inject({ url: `/v1/workshops?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: admin }))
      ids.push(...page.items.map((w: any) => w.id))
      cursor = page.next_cursor
    } while (cursor)
    t.same(ids, all.map((w: any) => w.id))
    assertProblem(t, await app.inject('/v1/workshops?from=tomorrow'), 400, 'query.from')
    assertProblem(t, await app.inject('/v1/workshops?status=open'), 400, 'query.status')
  })

  await t.test('update: partial, If-Match, cross-field rules', async (t) => {
    const w = await createWorkshop(app)
    const url = `/v1/workshops/${w.id}`
    const patched = await app.inject({ method: 'PATCH', url, headers: { ...orgHeaders, 'if-match': `"${w.id}.1"` }, payload: { capacity: null, description: { ar: 'وصف' }, venue: null } })
    t.equal(patched.statusCode, 200)
    t.match(json(patched), { capacity: null, description: { ar: 'وصف' }, title: w.title, venue: null })
    t.equal(patched.headers.etag, `"${w.id}.2"`)
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: { ...orgHeaders, 'if-match': `"${w.id}.1"` }, payload: { capacity: 5 } }), 412)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url}/publish`, headers: { ...admin, 'if-match': `"${w.id}.1"` } }), 412)
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { end_date: '2023-02-01' } }), 400, 'end_date')
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { timezone: 'Nowhere/City' } }), 400, 'timezone')
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { registration_opens_at: '2023-03-01T00:00:00Z', registration_closes_at: '2023-02-01T00:00:00Z' } }), 400, 'registration_closes_at')
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { slug: 'baghdad-2023' } }), 409)
    const moved = json(await app.inject({
      method: 'PATCH', url, headers: orgHeaders,
      payload: { timezone: 'europe/berlin', start_date: '2024-03-30', end_date: '2024-04-01', slug: 'berlin-2024', title: { en: 'Berlin' }, default_language: 'ar', requires_approval: true, registration_opens_at: '2024-01-01T00:00:00+01:00' },
    }))
    t.match(moved, { timezone: 'Europe/Berlin', days: ['2024-03-30', '2024-03-31', '2024-04-01'], slug: 'berlin-2024', title: { en: 'Berlin' }, default_language: 'ar', requires_approval: true, registration_opens_at: '2024-01-01T00:00:00.000+01:00' })
    t.equal((await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { slug: 'berlin-2024' } })).statusCode, 200, 'keeping its own slug is fine')
    assertProblem(t, await app.inject({ method: 'PATCH', url: '/v1/workshops/00000000-0000-4000-8000-000000000000', headers: orgHeaders, payload: { capacity: 1 } }), 404)

    await t.test('dates cannot move away from its sessions', async (t) => {
      await db.execute(sql`insert into sessions (workshop_id, title, kind, starts_at, ends_at) values (${w.id}, '{"en":"Opening"}', 'plenary', '2024-03-31T08:00:00Z', '2024-03-31T09:00:00Z')`)
      const res = assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { start_date: '2024-04-01' } }), 409)
      t.match(res.detail, /Opening/)
      t.equal(res.session_ids.length, 1)
      assertProblem(t, await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { timezone: 'Pacific/Kiritimati', start_date: '2024-04-01', end_date: '2024-04-02' } }), 409)
      t.equal((await app.inject({ method: 'PATCH', url, headers: orgHeaders, payload: { end_date: '2024-03-31' } })).statusCode, 200, 'a change that keeps them inside is fine')
    })
  })

  await t.test('partners with roles', async (t) => {
    const w = await createWorkshop(app, {}, true)
    const undp = await createOrganisation(app, { name: { en: 'UNDP' }, sector: 'un_agency' })
    const gov = await createOrganisation(app, { name: { en: 'Government of Iraq', ar: 'حكومة العراق' }, sector: 'government' })
    const url = (o: any) => `/v1/workshops/${w.id}/partners/${o.id}`
    const added = await app.inject({ method: 'PUT', url: url(undp), headers: orgHeaders, payload: { role: 'co_organiser' } })
    t.equal(added.statusCode, 201)
    t.match(json(added), { role: 'co_organiser', organisation: { id: undp.id, sector: 'un_agency' } })
    t.equal((await app.inject({ method: 'PUT', url: url(gov), headers: orgHeaders, payload: { role: 'host' } })).statusCode, 201)
    const changed = await app.inject({ method: 'PUT', url: url(undp), headers: orgHeaders, payload: { role: 'funder' } })
    t.equal(changed.statusCode, 200, 'changing a role')
    const read = await app.inject(`/v1/workshops/${w.id}`)
    t.same(json(read).partners.map((p: any) => [p.organisation.name.en, p.role]), [['UNDP', 'funder'], ['Government of Iraq', 'host']])
    assertProblem(t, await app.inject({ method: 'PUT', url: url(gov), headers: orgHeaders, payload: { role: 'sponsor' } }), 400, 'role')
    assertProblem(t, await app.inject({ method: 'PUT', url: `/v1/workshops/${w.id}/partners/00000000-0000-4000-8000-000000000000`, headers: orgHeaders, payload: { role: 'host' } }), 404)
    assertProblem(t, await app.inject({ method: 'PUT', url: url(gov), headers: { ...orgHeaders, 'if-match': '"stale"' }, payload: { role: 'host' } }), 412)
    const removed = await app.inject({ method: 'DELETE', url: url(gov), headers: { ...admin, 'if-match': read.headers.etag as string } })
    t.equal(removed.statusCode, 204)
    assertProblem(t, await app.inject({ method: 'DELETE', url: url(gov), headers: admin }), 404)
    t.same(json(await app.inject(`/v1/workshops/${w.id}`)).partners.map((p: any) => p.organisation.id), [undp.id])
    assertProblem(t, await app.inject({ method: 'DELETE', url: url(undp) }), 401)
  })

  await t.test('Idempotency-Key on createWorkshop', async (t) => {
    const headers = { ...orgHeaders, 'idempotency-key': 'workshop-1' }
    const first = await app.inject({ method: 'POST', url: '/v1/workshops', headers, payload: workshopBody({ slug: 'once' }) })
    const again = await app.inject({ method: 'POST', url: '/v1/workshops', headers, payload: workshopBody({ slug: 'once' }) })
    t.equal(again.statusCode, 201)
    t.same(json(again), json(first))
    t.equal(again.headers.etag, first.headers.etag)
  })
})
