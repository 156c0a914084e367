// Races on real PostgreSQL: many registrations at once through two service instances on one database.
import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import type { App } from '../../src/lib/module.ts'
import { sessions } from '../../src/modules/timetable/timetable.table.ts'
import { organisations } from '../../src/modules/organisations/organisations.table.ts'
import { promoteWaitlist } from '../../src/modules/registrations/registrations.service.ts'
import { admin, buildTestApp, createWorkshop, json, jsonHeaders, TEST_DATABASE_URL } from '../helpers.ts'

const FUTURE = { start_date: '2030-03-01', end_date: '2030-03-03' }
const skip = !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL'

const register = (app: App, workshopId: string, body: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/workshops/${workshopId}/registrations`, headers: { ...jsonHeaders, ...headers }, payload: body })

async function everyone (app: App, workshopId: string): Promise<any[]> {
  return json(await app.inject({ url: `/v1/workshops/${workshopId}/registrations?limit=500`, headers: admin })).items
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

t.test('races through two instances on one database', { skip }, async (t) => {
  const one = await buildTestApp(t, { max: 10 })
  const two = await buildTestApp(t, { url: one.url, max: 10 })
  const instance = (i: number) => (i % 2 === 0 ? one.app : two.app)

  await t.test('500 people race for 50 places: 50 confirmed, 450 waitlisted 1..450; every cancellation promotes the next', async (t) => {
    const w = await createWorkshop(one.app, { ...FUTURE, capacity: 50 }, true)
    const started = Date.now()
    const answers = await Promise.all(range(500).map((i) => register(instance(i), w.id, { name: `Racer ${i}`, email: `racer${i}@example.org` })))
    const seconds = (Date.now() - started) / 1000
    t.comment(`500 registrations through two instances in ${seconds.toFixed(1)} s`)
    t.same([...new Set(answers.map((a) => a.statusCode))], [201], 'every one answered 201')
    const created = answers.map((a) => json(a).registration)
    t.equal(created.filter((r) => r.status === 'confirmed').length, 50)
    t.same(created.filter((r) => r.status === 'waitlisted').map((r) => r.waitlist_position).sort((a, b) => a - b), range(450),
      'positions handed out were 1..450, each once')

    const before = await everyone(one.app, w.id)
    t.equal(before.filter((r) => r.status === 'confirmed').length, 50)
    const line = before.filter((r) => r.status === 'waitlisted').sort((a, b) => a.waitlist_position - b.waitlist_position)
    t.same(line.map((r) => r.waitlist_position), range(450), 'a gapless waitlist')

    // 30 confirmed people cancel at once, half through each instance: the first 30 in line move up.
    const leaving = before.filter((r) => r.status === 'confirmed').slice(0, 30)
    const cancelled = await Promise.all(leaving.map((r, i) => instance(i).inject({
      method: 'PATCH', url: `/v1/workshops/${w.id}/registrations/${r.id}`, headers: { ...admin, ...jsonHeaders }, payload: { status: 'cancelled' },
    })))
    t.same([...new Set(cancelled.map((c) => c.statusCode))], [200])
    const after = await everyone(two.app, w.id)
    const confirmed = after.filter((r) => r.status === 'confirmed')
    t.equal(confirmed.length, 50, 'still exactly 50 confirmed')
    t.same(line.slice(0, 30).map((r) => r.id).sort(), confirmed.filter((r) => !before.some((b) => b.id === r.id && b.status === 'confirmed')).map((r) => r.id).sort(),
      'the first 30 in line were promoted')
    t.same(after.filter((r) => r.status === 'waitlisted').map((r) => r.waitlist_position).sort((a, b) => a - b), range(420), 'still gapless')
    t.ok(seconds < 30, 'bounded in time')
  })

  await t.test('a session with its own seats is never overbooked', async (t) => {
    const w = await createWorkshop(one.app, FUTURE, true)
    const [session] = await one.db.insert(sessions).values({
      workshopId: w.id, title: { en: 'Working group' }, kind: 'working_group', capacity: 10,
      startsAt: new Date('2030-03-01T09:00:00+03:00'), endsAt: new Date('2030-03-01T10:00:00+03:00'),
    }).returning()
    const answers = await Promise.all(range(100).map((i) => register(instance(i), w.id, { name: `S ${i}`, email: `s${i}@example.org`, session_ids: [session.id] })))
    t.same([...new Set(answers.map((a) => a.statusCode))], [201])
    const all = await everyone(one.app, w.id)
    t.equal(all.filter((r) => r.status === 'confirmed').length, 10)
    t.same(all.filter((r) => r.status === 'waitlisted').map((r) => r.waitlist_position).sort((a, b) => a - b), range(90))

    // The timetable raises the session's capacity and promotes (as it will through promoteWaitlist).
    await one.db.update(sessions).set({ capacity: 15 }).where(eq(sessions.id, session.id))
    const promoted = await one.db.transaction((tx) => promoteWaitlist(tx as never, w.id))
    t.equal(promoted.length, 5)
    t.equal((await everyone(two.app, w.id)).filter((r) => r.status === 'confirmed').length, 15)
  })

  await t.test('one e-mail raced in many spellings: one registration', async (t) => {
    const w = await createWorkshop(one.app, FUTURE, true)
    const spellings = ['dup@example.org', 'DUP@example.org', 'Dup@Example.org', 'dUp@EXAMPLE.ORG']
    const answers = await Promise.all(range(20).map((i) => register(instance(i), w.id, { name: 'Dup', email: spellings[i % 4] })))
    t.equal(answers.filter((a) => a.statusCode === 201).length, 1)
    t.equal(answers.filter((a) => a.statusCode === 409).length, 19)
  })

  await t.test('one Idempotency-Key raced: one registration, one answer', async (t) => {
    const w = await createWorkshop(one.app, FUTURE, true)
    const body = { name: 'Retry', email: 'retry@example.org', organisation_name: 'Raced Body', sector: 'media' }
    const answers = await Promise.all(range(10).map((i) => register(instance(i), w.id, body, { 'idempotency-key': 'same' })))
    t.same([...new Set(answers.map((a) => a.statusCode))], [201])
    t.equal(new Set(answers.map((a) => json(a).manage_token)).size, 1, 'the same manage token every time')
    t.equal((await everyone(one.app, w.id)).length, 1)
  })

  await t.test('one new organisation named by many at once: created once', async (t) => {
    const w = await createWorkshop(one.app, FUTURE, true)
    const answers = await Promise.all(range(20).map((i) => register(instance(i), w.id, { name: `O ${i}`, email: `o${i}@example.org`, organisation_name: 'Kirkuk Youth Forum', sector: 'civil_society' })))
    t.same([...new Set(answers.map((a) => a.statusCode))], [201])
    t.equal(new Set(answers.map((a) => json(a).registration.organisation_id)).size, 1)
    const [{ n }] = await one.db.select({ n: sql<number>`count(*)::int` }).from(organisations).where(eq(organisations.nameKey, 'kirkuk youth forum'))
    t.equal(Number(n), 1)
  })

  await t.test('the workshop edited while people register: every registration lands once, the places add up', async (t) => {
    const w = await createWorkshop(one.app, { ...FUTURE, capacity: 40 }, true)
    const edits = range(20).map((i) => instance(i).inject({
      method: 'PATCH', url: `/v1/workshops/${w.id}`, headers: { ...admin, ...jsonHeaders }, payload: { description: { en: `Edit ${i}` } },
    }))
    const answers = await Promise.all([...range(100).map((i) => register(instance(i), w.id, { name: `Editor race ${i}`, email: `edit${i}@example.org` })), ...edits])
    t.same([...new Set(answers.slice(0, 100).map((a) => a.statusCode))], [201], 'every registration answered 201 (re-checked when the workshop changed)')
    t.same([...new Set(answers.slice(100).map((a) => a.statusCode))], [200], 'every edit applied')
    const all = await everyone(two.app, w.id)
    t.equal(all.length, 100)
    t.equal(all.filter((r) => r.status === 'confirmed').length, 40)
    t.same(all.filter((r) => r.status === 'waitlisted').map((r) => r.waitlist_position).sort((a, b) => a - b), range(60))
    const [places] = await one.db.execute(sql`select confirmed, waitlisted from workshop_places where workshop_id = ${w.id}`) as unknown as { confirmed: number, waitlisted: number }[]
    t.same({ confirmed: Number(places.confirmed), waitlisted: Number(places.waitlisted) }, { confirmed: 40, waitlisted: 60 }, 'the counts the decisions read agree')
  })
})
