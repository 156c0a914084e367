import t from 'tap'
import { admin, assertProblem, buildTestApp, createOrganisation, createWorkshop, json, orgHeaders } from '../helpers.ts'
import { addRoom, addSpeaker, patch, post } from './timetable.fixtures.ts'

t.test('rooms', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app)
  const url = `/v1/workshops/${w.id}/rooms`

  const res = await post(app, url, { name: { en: 'Main hall', ar: 'القاعة الرئيسية' }, capacity: 120 })
  t.equal(res.statusCode, 201)
  t.match(json(res), { workshop_id: w.id, name: { en: 'Main hall' }, capacity: 120, created_at: /\+03:00$/ })
  const second = await addRoom(app, w.id, 'Room 2', null)
  t.equal(second.capacity, null)

  t.equal((await app.inject(url)).statusCode, 404, 'rooms of a draft are hidden from the public')
  const page1 = json(await app.inject({ url: `${url}?limit=1`, headers: admin }))
  t.equal(page1.items.length, 1)
  t.equal(page1.items[0].name.en, 'Main hall')
  const page2 = json(await app.inject({ url: `${url}?limit=1&cursor=${page1.next_cursor}`, headers: admin }))
  t.same(page2.items.map((r: any) => r.name.en), ['Room 2'])
  t.equal(page2.next_cursor, null)

  await t.test('idempotent create', async (t) => {
    const headers = { ...orgHeaders, 'idempotency-key': 'room-1' }
    const first = await post(app, url, { name: { en: 'Annex' } }, headers)
    const again = await post(app, url, { name: { en: 'Annex' } }, headers)
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(json(again).id, json(first).id)
    assertProblem(t, await post(app, url, { name: { en: 'Other' } }, headers), 422)
    t.equal(json(await app.inject({ url, headers: admin })).items.length, 3, 'created once')
  })

  await t.test('bad input', async (t) => {
    for (const [body, field] of [
      [{}, 'name'], [{ name: {} }, 'name'], [{ name: { en: ' ' } }, 'name.en'], [{ name: { fr: 'Salle' } }, 'name.fr'],
      [{ name: { en: 'x' }, capacity: -1 }, 'capacity'], [{ name: { en: 'x' }, capacity: '10' }, 'capacity'],
      [{ name: { en: 'x' }, colour: 'red' }, 'colour'],
    ] as const) {
      assertProblem(t, await post(app, url, body), 400, field)
    }
    assertProblem(t, await post(app, '/v1/workshops/not-a-uuid/rooms', { name: { en: 'x' } }), 400, 'params.workshopId')
    assertProblem(t, await post(app, '/v1/workshops/00000000-0000-4000-8000-000000000000/rooms', { name: { en: 'x' } }), 404)
    assertProblem(t, await post(app, url, { name: {} }, { 'content-type': 'application/json' }), 401)
    assertProblem(t, await app.inject({ url, headers: { authorization: 'Bearer nope' } }), 401)
    assertProblem(t, await app.inject({ url: `${url}?limit=0`, headers: admin }), 400, 'query.limit')
    assertProblem(t, await app.inject({ url: `${url}?cursor=zzz`, headers: admin }), 400, 'query.cursor')
  })
})

t.test('speakers: e-mail addresses are for organisers only', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app, {}, true)
  const undp = await createOrganisation(app, { name: { en: 'UNDP' }, sector: 'un_agency' })
  const url = `/v1/workshops/${w.id}/speakers`

  const s = await addSpeaker(app, w.id, { title: { en: 'Resident Representative', ar: 'الممثل المقيم' }, organisation_id: undp.id, email: 'auke@example.org' })
  t.match(s, { name: 'Auke Lootsma', title: { en: 'Resident Representative' }, organisation_id: undp.id, email: 'auke@example.org' })
  const plain = await addSpeaker(app, w.id, { name: '  Zaidan Khalaf Obaid ' })
  t.match(plain, { name: 'Zaidan Khalaf Obaid', title: null, organisation_id: null, email: null })

  const publicList = json(await app.inject(url))
  t.equal(publicList.items.length, 2)
  t.notOk('email' in publicList.items[0], 'no e-mail for the public')
  t.notOk(JSON.stringify(publicList).includes('auke@example.org'))
  const orgList = json(await app.inject({ url, headers: admin }))
  t.equal(orgList.items[0].email, 'auke@example.org')

  const updated = await patch(app, `${url}/${plain.id}`, { title: { en: 'Advisor to the Prime Minister for Human Rights' }, email: 'z@example.org' })
  t.equal(updated.statusCode, 200)
  t.match(json(updated), { name: 'Zaidan Khalaf Obaid', title: { en: 'Advisor to the Prime Minister for Human Rights' }, email: 'z@example.org' })
  const renamed = json(await patch(app, `${url}/${plain.id}`, { name: 'Zaidan K. Obaid', organisation_id: undp.id, email: null }))
  t.match(renamed, { name: 'Zaidan K. Obaid', organisation_id: undp.id, email: null })
  t.equal(json(await patch(app, `${url}/${plain.id}`, {})).name, 'Zaidan K. Obaid', 'an empty change changes nothing')

  const headers = { ...orgHeaders, 'idempotency-key': 'speaker-1' }
  const a = await post(app, url, { name: 'Ali Abbas Jahangir' }, headers)
  const b = await post(app, url, { name: 'Ali Abbas Jahangir' }, headers)
  t.equal(json(a).id, json(b).id, 'idempotent create')

  for (const [body, field] of [
    [{}, 'name'], [{ name: '' }, 'name'], [{ name: '   ' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'A', email: 'not-an-email' }, 'email'], [{ name: 'A', organisation_id: 'x' }, 'organisation_id'],
    [{ name: 'A', organisation_id: '00000000-0000-4000-8000-000000000000' }, 'organisation_id'],
    [{ name: 'A', title: {} }, 'title'], [{ name: 'A', phone: '1' }, 'phone'],
  ] as const) {
    assertProblem(t, await post(app, url, body), 400, field)
  }
  assertProblem(t, await patch(app, `${url}/${plain.id}`, { organisation_id: '00000000-0000-4000-8000-000000000000' }), 400, 'organisation_id')
  assertProblem(t, await patch(app, `${url}/${plain.id}`, { name: null }), 400, 'name')
  assertProblem(t, await patch(app, `${url}/00000000-0000-4000-8000-000000000000`, { name: 'B' }), 404)
  const other = await createWorkshop(app)
  assertProblem(t, await patch(app, `/v1/workshops/${other.id}/speakers/${plain.id}`, { name: 'B' }), 404, undefined)
  assertProblem(t, await app.inject({ method: 'PATCH', url: `${url}/${plain.id}`, headers: { 'content-type': 'application/json' }, payload: { name: 1 } }), 401)
  t.equal((await app.inject(`/v1/workshops/${other.id}/speakers`)).statusCode, 404, 'speakers of a draft are hidden')
})
