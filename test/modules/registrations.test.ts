import t from 'tap'
import { DateTime } from 'luxon'
import { eq } from 'drizzle-orm'
import type { Db } from '../../src/db/client.ts'
import type { App } from '../../src/lib/module.ts'
import { sessions } from '../../src/modules/timetable/timetable.table.ts'
import { registrations } from '../../src/modules/registrations/registrations.table.ts'
import { promoteWaitlist } from '../../src/modules/registrations/registrations.service.ts'
import { capturedLogs } from '../security/leaks.ts'
import { admin, assertProblem, buildTestApp, createOrganisation, createWorkshop, json, jsonHeaders, orgHeaders } from '../helpers.ts'

const FUTURE = { start_date: '2030-03-01', end_date: '2030-03-03' }
const NO_ID = '00000000-0000-4000-8000-000000000000'

/** A session row written directly (the timetable API is another module's). */
async function addSession (db: Db, workshopId: string, overrides: Partial<typeof sessions.$inferInsert> = {}): Promise<string> {
  const [row] = await db.insert(sessions).values({
    workshopId, title: { en: 'Session' }, kind: 'panel',
    startsAt: new Date('2030-03-01T09:00:00+03:00'), endsAt: new Date('2030-03-01T10:00:00+03:00'), ...overrides,
  }).returning({ id: sessions.id })
  return row.id
}

const person = (i: number | string, extra: Record<string, unknown> = {}) => ({ name: `Person ${i}`, email: `person${i}@example.org`, ...extra })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

function register (app: App, workshopId: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/v1/workshops/${workshopId}/registrations`, headers: { ...jsonHeaders, ...headers }, payload: body as object })
}

async function registered (app: App, workshopId: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await register(app, workshopId, body, headers)
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`)
  return json(res)
}

const url = (workshopId: string, id = '') => `/v1/workshops/${workshopId}/registrations${id ? `/${id}` : ''}`
const read = async (app: App, workshopId: string, id: string) => json(await app.inject({ url: url(workshopId, id), headers: admin }))
const patch = (app: App, workshopId: string, id: string, payload: object) => app.inject({ method: 'PATCH', url: url(workshopId, id), headers: orgHeaders, payload })
const patchMine = (app: App, token: string, payload: object) => app.inject({ method: 'PATCH', url: '/v1/registration', headers: { ...jsonHeaders, ...bearer(token) }, payload })
const cancelMine = (app: App, token: string) => app.inject({ method: 'DELETE', url: '/v1/registration', headers: bearer(token) })

async function statuses (app: App, workshopId: string) {
  const items = json(await app.inject({ url: `${url(workshopId)}?limit=500`, headers: admin })).items
  return items.map((r: any) => [r.name, r.status, r.waitlist_position])
}

t.test('registrations', async (t) => {
  const { app, db } = await buildTestApp(t)

  await t.test('register, read with the manage token, and nothing else opens it', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 10 }, true)
    const res = await register(app, w.id, person(1, { title: 'Programme officer', email: 'Person1@Example.org' }))
    t.equal(res.statusCode, 201)
    t.equal(res.headers['cache-control'], 'no-store')
    const body = json(res)
    t.match(body, {
      registration: {
        workshop_id: w.id, name: 'Person 1', email: 'Person1@Example.org', title: 'Programme officer', status: 'confirmed',
        waitlist_position: null, session_ids: [], checked_in_days: [], organisation_id: null, sector: null, erased_at: null,
      },
      manage_token: /^ndw_reg_[A-Za-z0-9_-]{43}$/,
      calendar_url: /^https:\/\/nadwa\.test\/v1\/calendars\/ndw_cal_[A-Za-z0-9_-]{43}\.ics$/,
      calendar_webcal_url: /^webcal:\/\/nadwa\.test\/v1\/calendars\/ndw_cal_/,
    })
    t.equal(res.headers.location, url(w.id, body.registration.id))
    const feedToken = body.calendar_url.match(/(ndw_cal_[^.]+)\.ics/)[1]

    const mine = await app.inject({ url: '/v1/registration', headers: bearer(body.manage_token) })
    t.equal(mine.statusCode, 200)
    t.same(json(mine), body.registration)

    const stored = (await db.select().from(registrations).where(eq(registrations.id, body.registration.id)))[0]
    t.not(stored.manageTokenHash, body.manage_token, 'tokens are stored hashed')
    t.notOk(JSON.stringify(stored).includes(body.manage_token.slice(8)))
    t.notOk(JSON.stringify(stored).includes(feedToken.slice(8)))
    for (const answer of [await app.inject({ url: url(w.id), headers: admin }), await app.inject({ url: url(w.id, body.registration.id), headers: admin }),
      await app.inject({ url: url(w.id), headers: { ...admin, accept: 'text/csv' } })]) {
      t.notOk(answer.body.includes(body.manage_token.slice(8)), 'no listing or answer carries the manage token')
      t.notOk(answer.body.includes(feedToken.slice(8)), 'nor the feed token')
    }

    assertProblem(t, await app.inject({ url: '/v1/registration' }), 401)
    assertProblem(t, await app.inject({ url: '/v1/registration', headers: bearer(`${body.manage_token}x`) }), 401)
    assertProblem(t, await app.inject({ url: '/v1/registration', headers: bearer(feedToken) }), 401)
    assertProblem(t, await app.inject({ url: '/v1/registration', headers: admin }), 401, undefined)
    assertProblem(t, await app.inject({ url: '/v1/registration', headers: { authorization: body.manage_token } }), 401)
    assertProblem(t, await app.inject({ url: url(w.id), headers: bearer(body.manage_token) }), 401)
    assertProblem(t, await app.inject({ url: url(w.id, body.registration.id), headers: bearer(body.manage_token) }), 401)
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops', headers: { ...jsonHeaders, ...bearer(body.manage_token) }, payload: {} }), 401)
    assertProblem(t, await register(app, w.id, person(2), bearer(body.manage_token)), 401)
    // Authentication comes before validation, as for organiser tokens.
    assertProblem(t, await app.inject({ method: 'PATCH', url: '/v1/registration', headers: { ...jsonHeaders, ...bearer('ndw_reg_nope') }, payload: { name: 42 } }), 401)
    assertProblem(t, await app.inject({ method: 'DELETE', url: '/v1/registration' }), 401)
  })

  await t.test('capacity, waitlist, and promotion when a place frees', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 2 }, true)
    const people = []
    for (let i = 1; i <= 5; i++) people.push(await registered(app, w.id, person(`c${i}`)))
    t.same(people.map((p) => [p.registration.status, p.registration.waitlist_position]),
      [['confirmed', null], ['confirmed', null], ['waitlisted', 1], ['waitlisted', 2], ['waitlisted', 3]])

    const cancelled = await cancelMine(app, people[0].manage_token)
    t.equal(cancelled.statusCode, 200)
    t.match(json(cancelled), { status: 'cancelled', cancelled_at: /^20/, waitlist_position: null })
    t.same(await statuses(app, w.id), [
      ['Person c1', 'cancelled', null], ['Person c2', 'confirmed', null], ['Person c3', 'confirmed', null],
      ['Person c4', 'waitlisted', 1], ['Person c5', 'waitlisted', 2]], 'the head of the waitlist is confirmed at once')
    t.equal(json(await cancelMine(app, people[0].manage_token)).status, 'cancelled', 'cancelling twice is harmless')
    assertProblem(t, await patchMine(app, people[0].manage_token, { name: 'Back again' }), 409)
    t.equal(json(await app.inject({ url: '/v1/registration', headers: bearer(people[0].manage_token) })).status, 'cancelled', 'a cancelled registration can still be read')

    t.equal(json(await patch(app, w.id, people[1].registration.id, { status: 'rejected' })).status, 'rejected')
    t.same((await statuses(app, w.id)).slice(3), [['Person c4', 'confirmed', null], ['Person c5', 'waitlisted', 1]])
    assertProblem(t, await patch(app, w.id, people[1].registration.id, { status: 'cancelled' }), 409)
    t.equal((await patch(app, w.id, people[1].registration.id, { status: 'rejected' })).statusCode, 200, 'rejecting twice is harmless')
    assertProblem(t, await cancelMine(app, people[1].manage_token), 409)

    // Raising the workshop's capacity promotes in the same change.
    const raised = await app.inject({ method: 'PATCH', url: `/v1/workshops/${w.id}`, headers: orgHeaders, payload: { capacity: 3 } })
    t.equal(raised.statusCode, 200)
    t.same((await statuses(app, w.id)).slice(4), [['Person c5', 'confirmed', null]])

    // Organisers reinstate: confirmed when there is room, else at the end of the waitlist.
    const late = await registered(app, w.id, person('c6'))
    t.equal(late.registration.waitlist_position, 1)
    const back = await patch(app, w.id, people[0].registration.id, { status: 'confirmed' })
    t.match(json(back), { status: 'waitlisted', waitlist_position: 2, cancelled_at: null })
    t.equal((await app.inject({ method: 'PATCH', url: `/v1/workshops/${w.id}`, headers: orgHeaders, payload: { capacity: null } })).statusCode, 200)
    t.same((await statuses(app, w.id)).filter((s: any) => s[1] === 'waitlisted'), [], 'no limit: everyone waiting is confirmed')
    t.equal(json(await patch(app, w.id, people[0].registration.id, { status: 'confirmed' })).status, 'confirmed', 'confirming a confirmed one changes nothing')
    t.equal(json(await patch(app, w.id, people[1].registration.id, { status: 'confirmed' })).status, 'confirmed', 'a rejected one can be reinstated')
    t.same(await promoteWaitlist(db, w.id), [], 'nothing to promote')
    t.same(await promoteWaitlist(db, NO_ID), [], 'no such workshop')
  })

  await t.test('session choices: seats, overlaps, and the head that does not fit', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 3 }, true)
    const other = await createWorkshop(app, FUTURE, true)
    const a = await addSession(db, w.id, { capacity: 1 })
    const b = await addSession(db, w.id, { startsAt: new Date('2030-03-01T09:30:00+03:00'), endsAt: new Date('2030-03-01T10:30:00+03:00') })
    const c = await addSession(db, w.id, { startsAt: new Date('2030-03-01T10:00:00+03:00'), endsAt: new Date('2030-03-01T11:00:00+03:00') })
    const gone = await addSession(db, w.id, { status: 'cancelled', startsAt: new Date('2030-03-02T09:00:00+03:00'), endsAt: new Date('2030-03-02T10:00:00+03:00') })
    const elsewhere = await addSession(db, other.id)

    const overlap = assertProblem(t, await register(app, w.id, person('s0', { session_ids: [a, b] })), 409)
    t.same(overlap.session_ids.sort(), [a, b].sort())
    assertProblem(t, await register(app, w.id, person('s0', { session_ids: [gone] })), 409)
    assertProblem(t, await register(app, w.id, person('s0', { session_ids: [elsewhere] })), 400, 'session_ids')
    assertProblem(t, await register(app, w.id, person('s0', { session_ids: [a, a] })), 400, 'session_ids')

    const first = await registered(app, w.id, person('s1', { session_ids: [a, c] }))
    t.match(first.registration, { status: 'confirmed', session_ids: [a, c] }, 'back-to-back sessions do not overlap')
    const second = await registered(app, w.id, person('s2', { session_ids: [a] }))
    t.match(second.registration, { status: 'waitlisted', waitlist_position: 1 }, 'a full session waitlists the registration')
    const third = await registered(app, w.id, person('s3', { session_ids: [b] }))
    t.equal(third.registration.status, 'confirmed', 'a newcomer who fits is confirmed while the head waits for its session')

    // A confirmed person may not take a seat that is not free: 409 and nothing changes.
    const taken = await patchMine(app, third.manage_token, { session_ids: [a], name: 'Renamed' })
    assertProblem(t, taken, 409)
    t.match(await read(app, w.id, third.registration.id), { name: 'Person s3', session_ids: [b] })
    assertProblem(t, await patchMine(app, third.manage_token, { session_ids: [b, c] }), 409)
    const roomy = await addSession(db, w.id, { capacity: 5, startsAt: new Date('2030-03-03T09:00:00+03:00'), endsAt: new Date('2030-03-03T10:00:00+03:00') })
    t.same(json(await patchMine(app, third.manage_token, { session_ids: [b, roomy] })).session_ids, [b, roomy], 'a seat that is free is taken')

    // The first gives up session a: the waiting head now fits and is confirmed.
    const changed = await patchMine(app, first.manage_token, { session_ids: [c] })
    t.equal(changed.statusCode, 200)
    t.same(json(changed).session_ids, [c])
    t.match(await read(app, w.id, second.registration.id), { status: 'confirmed', waitlist_position: null })

    // Waitlisted people may change their choices; the workshop is full now.
    const fourth = await registered(app, w.id, person('s4', { session_ids: [a] }))
    t.equal(fourth.registration.status, 'waitlisted')
    t.match(json(await patchMine(app, fourth.manage_token, { session_ids: [c] })), { status: 'waitlisted', session_ids: [c] })
    assertProblem(t, await patchMine(app, fourth.manage_token, { session_ids: [NO_ID] }), 400, 'session_ids')

    // A session's capacity rises (the timetable calls promoteWaitlist); the workshop is still full.
    await db.update(sessions).set({ capacity: 2 }).where(eq(sessions.id, a))
    t.same(await promoteWaitlist(db, w.id), [])
    t.equal(json(await patch(app, w.id, first.registration.id, { status: 'cancelled' })).status, 'cancelled')
    t.match(await read(app, w.id, fourth.registration.id), { status: 'confirmed' })
    assertProblem(t, await patch(app, w.id, first.registration.id, { session_ids: [a] }), 409)
    t.equal((await patch(app, w.id, first.registration.id, { session_ids: [] })).statusCode, 409, 'a cancelled registration has no choices to change')
  })

  await t.test('a head whose session is still full keeps its place; the next who fits is confirmed', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 2 }, true)
    const s = await addSession(db, w.id, { capacity: 1 })
    const p1 = await registered(app, w.id, person('h1', { session_ids: [s] }))
    const p2 = await registered(app, w.id, person('h2', { session_ids: [s] }))
    const p3 = await registered(app, w.id, person('h3'))
    const p4 = await registered(app, w.id, person('h4'))
    t.same([p1, p2, p3, p4].map((p) => [p.registration.status, p.registration.waitlist_position]),
      [['confirmed', null], ['waitlisted', 1], ['confirmed', null], ['waitlisted', 2]])
    await cancelMine(app, p3.manage_token)
    t.same((await statuses(app, w.id)).map((r: any) => r.slice(1)), [['confirmed', null], ['waitlisted', 1], ['cancelled', null], ['confirmed', null]])
    await cancelMine(app, p1.manage_token)
    t.match(await read(app, w.id, p2.registration.id), { status: 'confirmed' }, 'its seat freed: the head is confirmed')
  })

  await t.test('approval: pending until an organiser confirms; full means waitlisted', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 1, requires_approval: true }, true)
    const one = await registered(app, w.id, person('a1'))
    const two = await registered(app, w.id, person('a2'))
    t.equal(one.registration.status, 'pending')
    t.equal(json(await patch(app, w.id, one.registration.id, { status: 'confirmed' })).status, 'confirmed')
    t.match(json(await patch(app, w.id, two.registration.id, { status: 'confirmed' })), { status: 'waitlisted', waitlist_position: 1 })
    const walkIn = await registered(app, w.id, person('a3'), admin)
    t.match(walkIn.registration, { status: 'waitlisted', waitlist_position: 2 }, 'organisers place people directly; capacity still holds')
    t.equal(json(await patch(app, w.id, one.registration.id, { status: 'rejected' })).status, 'rejected')
    t.same((await statuses(app, w.id)).map((s: any) => s.slice(1)), [['rejected', null], ['confirmed', null], ['waitlisted', 1]])
    const pending = await registered(app, w.id, person('a4'))
    t.equal(json(await patch(app, w.id, pending.registration.id, { status: 'rejected' })).status, 'rejected')
  })

  await t.test('one registration per e-mail, ignoring case', async (t) => {
    const w = await createWorkshop(app, FUTURE, true)
    const first = await registered(app, w.id, { name: 'Layla', email: 'layla@example.org' })
    assertProblem(t, await register(app, w.id, { name: 'Layla', email: 'LAYLA@Example.ORG' }), 409)
    assertProblem(t, await register(app, w.id, { name: 'Layla', email: 'LAYLA@Example.ORG' }, admin), 409)
    // The repeat is refused where the registration would be written, after its organisation was
    // made in the same transaction: the organisation goes with it.
    const repeat = assertProblem(t, await register(app, w.id, { name: 'Layla', email: 'layla@example.org', organisation_name: 'Basra Water Directorate', sector: 'government' }), 409)
    t.equal(repeat.type, 'https://nadwa.dev/problems/already-registered')
    t.same(json(await app.inject('/v1/organisations?q=Basra')).items, [], 'no organisation made by a refused repeat')
    t.same((await statuses(app, w.id)).map(([name]: string[]) => name), ['Layla'], 'one registration')
    const other = await createWorkshop(app, FUTURE, true)
    t.equal((await register(app, other.id, { name: 'Layla', email: 'LAYLA@example.org' })).statusCode, 201, 'another workshop is another registration')
    const second = await registered(app, w.id, { name: 'Omar', email: 'omar@example.org' })
    assertProblem(t, await patchMine(app, second.manage_token, { email: 'Layla@example.org' }), 409)
    assertProblem(t, await patch(app, w.id, second.registration.id, { email: 'Layla@example.org' }), 409)
    t.equal(json(await patchMine(app, first.manage_token, { email: 'LAYLA@example.org' })).email, 'LAYLA@example.org', 'changing the case of one\'s own address is fine')
    const corrected = await patch(app, w.id, second.registration.id, { name: 'Omar Al-Tamimi', title: 'Adviser', email: 'omar.t@example.org' })
    t.match(json(corrected), { name: 'Omar Al-Tamimi', title: 'Adviser', email: 'omar.t@example.org' })
    t.equal(json(await patchMine(app, second.manage_token, { title: null })).title, null)
  })

  await t.test('Idempotency-Key: a retried registration answers the first answer', async (t) => {
    const w = await createWorkshop(app, FUTURE, true)
    const headers = { 'idempotency-key': 'reg-1' }
    const first = await register(app, w.id, person('i1'), headers)
    const again = await register(app, w.id, person('i1'), headers)
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.same(json(again), json(first), 'the same registration and the same manage token')
    assertProblem(t, await register(app, w.id, person('i2'), headers), 422)
    t.equal(json(await app.inject({ url: url(w.id), headers: admin })).items.length, 1)
    const elsewhere = await createWorkshop(app, FUTURE, true)
    t.equal((await register(app, elsewhere.id, person('i1'), headers)).statusCode, 201, 'keys are per workshop')
    assertProblem(t, await register(app, w.id, person('i3'), { 'idempotency-key': 'bad key with spaces' }), 400, 'header.idempotency-key')
  })

  await t.test('the registration window, drafts and cancelled workshops', async (t) => {
    const soon = await createWorkshop(app, { ...FUTURE, registration_opens_at: '2029-01-01T00:00:00Z' }, true)
    assertProblem(t, await register(app, soon.id, person('w1')), 409)
    t.equal((await register(app, soon.id, person('w1'), admin)).statusCode, 201, 'organisers ignore the window')
    const closed = await createWorkshop(app, { ...FUTURE, registration_closes_at: '2024-01-01T00:00:00Z' }, true)
    assertProblem(t, await register(app, closed.id, person('w2')), 409)
    const open = await createWorkshop(app, { ...FUTURE, registration_opens_at: '2024-01-01T00:00:00Z', registration_closes_at: '2030-02-01T00:00:00Z' }, true)
    t.equal((await register(app, open.id, person('w3'))).statusCode, 201)
    const past = await createWorkshop(app, {}, true)
    assertProblem(t, await register(app, past.id, person('w4')), 409, undefined)
    t.equal((await register(app, past.id, person('w4'), admin)).statusCode, 201, 'a late entry by an organiser')
    const draft = await createWorkshop(app, FUTURE)
    assertProblem(t, await register(app, draft.id, person('w5')), 404)
    t.equal((await register(app, draft.id, person('w5'), admin)).statusCode, 201, 'organisers may import before publishing')
    const cancelled = await createWorkshop(app, FUTURE, true)
    await app.inject({ method: 'POST', url: `/v1/workshops/${cancelled.id}/cancel`, headers: admin })
    assertProblem(t, await register(app, cancelled.id, person('w6')), 409)
    assertProblem(t, await register(app, cancelled.id, person('w6'), admin), 409)
    t.same(await promoteWaitlist(db, cancelled.id), [], 'a cancelled workshop promotes nobody')
    assertProblem(t, await register(app, NO_ID, person('w7')), 404)
    assertProblem(t, await register(app, NO_ID, person('w7'), admin), 404)
  })

  await t.test('organisations are matched, not duplicated', async (t) => {
    const w = await createWorkshop(app, FUTURE, true)
    const undp = await createOrganisation(app, { name: { en: 'United Nations Development Programme' }, acronym: 'UNDP', sector: 'un_agency' })
    const byId = await registered(app, w.id, person('o1', { organisation_id: undp.id }))
    t.match(byId.registration, { organisation_id: undp.id, sector: 'un_agency' })
    const byAcronym = await registered(app, w.id, person('o2', { organisation_name: 'undp', sector: 'un_agency' }))
    t.equal(byAcronym.registration.organisation_id, undp.id)
    const fresh = await registered(app, w.id, person('o3', { organisation_name: 'Mosul University', sector: 'academia' }))
    const again = await registered(app, w.id, person('o4', { organisation_name: '  mosul   UNIVERSITY ', sector: 'academia' }))
    t.equal(again.registration.organisation_id, fresh.registration.organisation_id)
    t.equal(fresh.registration.sector, 'academia')
    const arabic = await registered(app, w.id, person('o5', { organisation_name: 'وزارة الهجرة والمهجرين', sector: 'government' }))
    const org = json(await app.inject(`/v1/organisations/${arabic.registration.organisation_id}`))
    t.same(org.name, { ar: 'وزارة الهجرة والمهجرين' })
    const own = await registered(app, w.id, person('o6', { sector: 'civil_society' }))
    t.match(own.registration, { organisation_id: null, sector: 'civil_society' }, 'a person without an organisation may give a sector')
    t.match(json(await patchMine(app, own.manage_token, { organisation_id: undp.id })), { organisation_id: undp.id, sector: 'un_agency' })
    t.match(json(await patchMine(app, own.manage_token, { organisation_id: null })), { organisation_id: null, sector: 'un_agency' })
    t.match(json(await patchMine(app, own.manage_token, { sector: 'media' })), { sector: 'media' })
    t.match(json(await patchMine(app, own.manage_token, { organisation_name: 'Mosul University', sector: 'academia' })), { organisation_id: fresh.registration.organisation_id })
    t.match(json(await patchMine(app, own.manage_token, { organisation_id: null, sector: 'other' })), { organisation_id: null, sector: 'other' })

    assertProblem(t, await register(app, w.id, person('o7', { organisation_id: NO_ID })), 400, 'organisation_id')
    assertProblem(t, await register(app, w.id, person('o7', { organisation_id: undp.id, organisation_name: 'UNDP', sector: 'un_agency' })), 400, 'organisation_name')
    assertProblem(t, await register(app, w.id, person('o7', { organisation_name: 'New body' })), 400, 'sector')
  })

  await t.test('organisers list, filter, page, and export CSV', async (t) => {
    const w = await createWorkshop(app, { ...FUTURE, capacity: 3, title: { en: 'Export' } }, true)
    const gov = await createOrganisation(app, { name: { en: 'Government of Iraq', ar: 'حكومة العراق' }, sector: 'government' })
    const names = ['زيدان خلف عبيد', 'Auke Lootsma', 'علي عباس جهانكير', '=HYPERLINK("x")', 'Miriam Pineau', 'Independent']
    const made = []
    for (const [i, name] of names.entries()) {
      const organisation = i === 5 ? { title: 'Consultant' } : i % 2 === 0 ? { organisation_id: gov.id } : { organisation_name: `Body ${i}`, sector: 'academia' }
      made.push(await registered(app, w.id, { name, email: `p${i}@example.org`, ...organisation }))
    }
    const list = json(await app.inject({ url: url(w.id), headers: admin }))
    t.same(list.items.map((r: any) => r.name), names, 'in the order people registered')
    t.equal(list.next_cursor, null)
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const page: any = json(await app.inject({ url: `${url(w.id)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: admin }))
      ids.push(...page.items.map((r: any) => r.id))
      cursor = page.next_cursor
    } while (cursor)
    t.same(ids, made.map((m) => m.registration.id), 'cursor paging walks them all once')
    const names_ = async (query: string) => json(await app.inject({ url: `${url(w.id)}?${query}`, headers: admin })).items.map((r: any) => r.name)
    t.same(await names_('status=waitlisted'), names.slice(3))
    t.same(await names_('sector=government'), [names[0], names[2], names[4]])
    t.same(await names_(`organisation_id=${gov.id}`), [names[0], names[2], names[4]])
    t.same(await names_(`q=${encodeURIComponent('عباس')}`), [names[2]])
    t.same(await names_('q=P4%40EXAMPLE'), [names[4]], 'q finds e-mail addresses, ignoring case')
    t.same(await names_('q=%25'), [], 'q is text, not a pattern')

    const csv = await app.inject({ url: `${url(w.id)}?status=confirmed`, headers: { ...admin, accept: 'text/csv' } })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/)
    t.match(csv.headers['content-disposition'], /attachment; filename="export-2030(-[0-9a-f]+)?-registrations\.csv"/)
    const raw = csv.rawPayload
    t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a UTF-8 byte order mark')
    const lines = raw.toString('utf8').slice(1).trim().split(/\r?\n/)
    t.equal(lines[0], 'id,name,email,title,organisation,sector,status,waitlist_position,session_ids,checked_in_days,created_at')
    t.equal(lines.length, 4)
    t.match(lines[1], `,زيدان خلف عبيد,p0@example.org,,Government of Iraq,government,confirmed,,,,`)
    t.match(lines[2], ',Auke Lootsma,p1@example.org,,Body 1,academia,confirmed,')
    const all = (await app.inject({ url: url(w.id), headers: { ...admin, accept: 'text/csv, application/json;q=0.5' } })).body
    t.match(all, `'=HYPERLINK(""x"")`, 'a cell that would run as a formula is defused')
    t.match(all, ',waitlisted,1,')
    t.match(all, ',Independent,p5@example.org,Consultant,,,waitlisted,3,')

    assertProblem(t, await app.inject({ url: url(w.id) }), 401)
    assertProblem(t, await app.inject({ url: url(NO_ID), headers: admin }), 404)
    assertProblem(t, await app.inject({ url: url(NO_ID), headers: { ...admin, accept: 'text/csv' } }), 404)
    assertProblem(t, await app.inject({ url: `${url(w.id)}?status=maybe`, headers: admin }), 400, 'query.status')
    assertProblem(t, await app.inject({ url: `${url(w.id)}?sector=army`, headers: admin }), 400, 'query.sector')
    assertProblem(t, await app.inject({ url: `${url(w.id)}?organisation_id=7`, headers: admin }), 400, 'query.organisation_id')
    assertProblem(t, await app.inject({ url: `${url(w.id)}?limit=501`, headers: admin }), 400, 'query.limit')
    assertProblem(t, await app.inject({ url: `${url(w.id)}?cursor=nope`, headers: admin }), 400, 'query.cursor')
    const forged = Buffer.from(JSON.stringify(['yesterday', NO_ID])).toString('base64url')
    assertProblem(t, await app.inject({ url: `${url(w.id)}?cursor=${forged}`, headers: admin }), 400, 'query.cursor')
    assertProblem(t, await app.inject({ url: url('not-a-uuid'), headers: admin }), 400, 'params.workshopId')
    assertProblem(t, await app.inject({ url: url(w.id, NO_ID), headers: admin }), 404)
    assertProblem(t, await app.inject({ url: url(NO_ID, made[0].registration.id), headers: admin }), 404, undefined)
    assertProblem(t, await app.inject({ url: url(w.id, 'x'), headers: admin }), 400, 'params.registrationId')
  })

  await t.test('check-in by day', async (t) => {
    const zone = 'Asia/Baghdad'
    const today = DateTime.now().setZone(zone)
    const w = await createWorkshop(app, { timezone: zone, start_date: today.minus({ days: 1 }).toISODate(), end_date: today.plus({ days: 1 }).toISODate(), capacity: 1 }, true)
    const one = await registered(app, w.id, person('k1'))
    const two = await registered(app, w.id, person('k2'))
    const checkIn = (id: string, payload?: object) => app.inject({ method: 'POST', url: `${url(w.id, id)}/check-in`, headers: payload ? orgHeaders : admin, ...(payload ? { payload } : {}) })
    const res = await checkIn(one.registration.id)
    t.equal(res.statusCode, 200)
    t.same(json(res).checked_in_days, [today.toISODate()], 'default: today in the workshop\'s zone')
    t.same(json(await checkIn(one.registration.id, {})).checked_in_days, [today.toISODate()], 'twice on one day is harmless')
    t.same(json(await checkIn(one.registration.id, { day: today.minus({ days: 1 }).toISODate() })).checked_in_days,
      [today.minus({ days: 1 }).toISODate(), today.toISODate()])
    assertProblem(t, await checkIn(one.registration.id, { day: today.plus({ days: 2 }).toISODate() }), 400, 'day')
    assertProblem(t, await checkIn(one.registration.id, { day: 'today' }), 400, 'day')
    assertProblem(t, await checkIn(one.registration.id, { day: today.toISODate(), by: 'me' }), 400, 'by')
    assertProblem(t, await checkIn(two.registration.id), 409)
    assertProblem(t, await checkIn(NO_ID), 404)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url(w.id, one.registration.id)}/check-in` }), 401)
    const past = await createWorkshop(app, { capacity: 5 }, true)
    const late = await registered(app, past.id, person('k3'), admin)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url(past.id, late.registration.id)}/check-in`, headers: admin }), 400, 'day')
  })

  await t.test('erasure after the event keeps the counts', async (t) => {
    const soon = await createWorkshop(app, FUTURE, true)
    const active = await registered(app, soon.id, person('e0', { title: 'Adviser' }))
    const erase = (workshopId: string, id: string) => app.inject({ method: 'POST', url: `${url(workshopId, id)}/erase`, headers: admin })
    assertProblem(t, await erase(soon.id, active.registration.id), 409)
    await cancelMine(app, active.manage_token)
    t.match(json(await erase(soon.id, active.registration.id)), { name: 'Erased', email: null, title: null, status: 'cancelled', erased_at: /^20/ }, 'a cancelled one may go before the event')

    const past = await createWorkshop(app, { capacity: 5 }, true)
    const gov = await createOrganisation(app, { sector: 'government' })
    const one = await registered(app, past.id, person('e1', { title: 'Minister adviser', organisation_id: gov.id }), admin)
    await app.inject({ method: 'POST', url: `${url(past.id, one.registration.id)}/check-in`, headers: orgHeaders, payload: { day: '2023-02-06' } })
    const erased = await erase(past.id, one.registration.id)
    t.equal(erased.statusCode, 200)
    t.match(json(erased), { name: 'Erased', email: null, title: null, status: 'confirmed', organisation_id: gov.id, sector: 'government', checked_in_days: ['2023-02-06'] })
    t.notOk(JSON.stringify(await db.select().from(registrations).where(eq(registrations.id, one.registration.id))).includes('person'), 'no trace of the address')
    assertProblem(t, await app.inject({ url: '/v1/registration', headers: bearer(one.manage_token) }), 401)
    t.equal((await erase(past.id, one.registration.id)).statusCode, 200, 'erasing twice is harmless')
    assertProblem(t, await patch(app, past.id, one.registration.id, { name: 'Back' }), 409)
    t.same(await statuses(app, past.id), [['Erased', 'confirmed', null]])
    t.same(json(await app.inject({ url: `${url(past.id)}?sector=government`, headers: admin })).items.length, 1)
    t.match((await app.inject({ url: url(past.id), headers: { ...admin, accept: 'text/csv' } })).body, `${one.registration.id},Erased,,,`)
    t.equal((await register(app, past.id, person('e1'), admin)).statusCode, 201, 'the address is free again')
    const cancelledErased = await registered(app, past.id, person('e2'), admin)
    await patch(app, past.id, cancelledErased.registration.id, { status: 'cancelled' })
    await erase(past.id, cancelledErased.registration.id)
    assertProblem(t, await patch(app, past.id, cancelledErased.registration.id, { status: 'confirmed' }), 409)
    assertProblem(t, await erase(past.id, NO_ID), 404)
  })

  await t.test('every bad input is a 400 naming the field', async (t) => {
    const w = await createWorkshop(app, FUTURE, true)
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email: 'a@example.org' }, 'name'],
      [{ name: 'A' }, 'email'],
      [{ name: '', email: 'a@example.org' }, 'name'],
      [{ name: '   ', email: 'a@example.org' }, 'name'],
      [{ name: 'x'.repeat(201), email: 'a@example.org' }, 'name'],
      [{ name: 7, email: 'a@example.org' }, 'name'],
      [{ name: 'A', email: 'not an address' }, 'email'],
      [{ name: 'A', email: `${'x'.repeat(250)}@example.org` }, 'email'],
      [{ name: 'A', email: 'a@example.org', title: '' }, 'title'],
      [{ name: 'A', email: 'a@example.org', sector: 'army' }, 'sector'],
      [{ name: 'A', email: 'a@example.org', organisation_id: 'undp' }, 'organisation_id'],
      [{ name: 'A', email: 'a@example.org', organisation_name: '' }, 'organisation_name'],
      [{ name: 'A', email: 'a@example.org', session_ids: 'all' }, 'session_ids'],
      [{ name: 'A', email: 'a@example.org', session_ids: ['x'] }, 'session_ids.0'],
      [{ name: 'A', email: 'a@example.org', status: 'confirmed' }, 'status'],
      [{ name: 'A', email: 'a@example.org', waitlist_position: 1 }, 'waitlist_position'],
    ]
    for (const [body, field] of cases) assertProblem(t, await register(app, w.id, body), 400, field)
    assertProblem(t, await register(app, 'nope', person('b1')), 400, 'params.workshopId')
    assertProblem(t, await app.inject({ method: 'POST', url: url(w.id), headers: jsonHeaders, payload: '{"name":' }), 400)
    assertProblem(t, await app.inject({ method: 'POST', url: url(w.id), headers: { 'content-type': 'text/plain' }, payload: 'name' }), 415)

    const someone = await registered(app, w.id, person('b2'))
    const mineCases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'name'], [{ email: 'x' }, 'email'], [{ status: 'confirmed' }, 'status'], [{ session_ids: [NO_ID, NO_ID] }, 'session_ids'],
      [{ organisation_id: NO_ID }, 'organisation_id'], [{ organisation_name: 'Somewhere' }, 'sector'],
    ]
    for (const [body, field] of mineCases) assertProblem(t, await patchMine(app, someone.manage_token, body), 400, field)
    const orgCases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'waitlisted' }, 'status'], [{ status: 'pending' }, 'status'], [{ checked_in_days: [] }, 'checked_in_days'], [{ email: 'x' }, 'email'],
    ]
    for (const [body, field] of orgCases) assertProblem(t, await patch(app, w.id, someone.registration.id, body), 400, field)
    assertProblem(t, await patch(app, w.id, NO_ID, { name: 'A' }), 404)
    assertProblem(t, await patch(app, NO_ID, someone.registration.id, { name: 'A' }), 404)
    t.equal((await read(app, w.id, someone.registration.id)).name, 'Person b2', 'nothing changed')
  })
})

t.test('no log line carries a manage token or a feed token', async (t) => {
  const { lines, logger } = capturedLogs()
  const { app } = await buildTestApp(t, { logger })
  const w = await createWorkshop(app, FUTURE, true)
  const { manage_token: manage, calendar_url: calendar } = await registered(app, w.id, person('log'))
  await app.inject({ url: '/v1/registration', headers: bearer(manage) })
  await patchMine(app, manage, { title: 'Logged' })
  await app.inject({ url: '/v1/registration', headers: bearer(`${manage}x`) })
  await app.inject({ url: new URL(calendar).pathname })
  const log = lines.join('')
  t.match(log, /"url":"\/v1\/registration"/, 'requests are logged')
  t.notMatch(log, manage.slice(8))
  t.notMatch(log, calendar.match(/ndw_cal_([^.]+)/)![1])
})
