import t from 'tap'
import { sql } from 'drizzle-orm'
import { rowsOf } from '../../src/db/client.ts'
import { registrationsRepository, type NewPlacement } from '../../src/modules/registrations/registrations.repository.ts'
import { sessions } from '../../src/modules/timetable/timetable.table.ts'
import { admin, buildTestApp, createWorkshop, json, jsonHeaders } from '../helpers.ts'

t.test('placeNew decides from the counts the trigger keeps, and writes nothing when it should not', async (t) => {
  const { app, db } = await buildTestApp(t)
  const w = await createWorkshop(app, { start_date: '2030-03-01', end_date: '2030-03-03', capacity: 1 }, true)
  const repo = registrationsRepository(db)
  const etag = String((await app.inject({ url: `/v1/workshops/${w.id}`, headers: admin })).headers.etag)
  const version = Number(/\.(\d+)"$/.exec(etag)![1])
  let n = 0
  const person = (overrides: Partial<NewPlacement> = {}): NewPlacement => {
    n++
    return {
      workshopId: w.id, workshopVersion: version, organiser: false, name: `Person ${n}`, email: `p${n}@example.org`, emailKey: `p${n}@example.org`,
      title: null, organisationId: null, sector: null, manageTokenHash: `manage-${n}`, feedTokenHash: `feed-${n}`, sessionIds: [], ...overrides,
    }
  }
  const places = async () => {
    const [row] = await rowsOf<{ confirmed: number, waitlisted: number }>(db, sql`select confirmed, waitlisted from workshop_places where workshop_id = ${w.id}`)
    return { confirmed: Number(row.confirmed), waitlisted: Number(row.waitlisted) }
  }

  const first = await repo.placeNew(person())
  t.match(first, { status: 'confirmed', waitlistPosition: null })
  t.same(await places(), { confirmed: 1, waitlisted: 0 }, 'the trigger counted the insert')
  t.match(await repo.placeNew(person()), { status: 'waitlisted', waitlistPosition: 1 }, 'no place left: waitlisted, first in line')
  t.equal(await repo.placeNew(person({ emailKey: 'p1@example.org' })), 'duplicate', 'an address registered already: nothing written')
  t.equal(await repo.placeNew(person({ workshopVersion: version + 1 })), 'changed', 'the workshop changed since it was checked: nothing written')
  t.same(await places(), { confirmed: 1, waitlisted: 1 })

  // Whatever changes a status keeps the counts: the API, or a program writing to the database.
  const listed = json(await app.inject({ url: `/v1/workshops/${w.id}/registrations`, headers: admin })).items
  const confirmed = listed.find((r: any) => r.status === 'confirmed')
  const cancelled = await app.inject({ method: 'PATCH', url: `/v1/workshops/${w.id}/registrations/${confirmed.id}`, headers: { ...admin, ...jsonHeaders }, payload: { status: 'cancelled' } })
  t.equal(cancelled.statusCode, 200)
  t.same(await places(), { confirmed: 1, waitlisted: 0 }, 'a cancellation promoted the one waiting')
  await db.execute(sql`delete from registrations where workshop_id = ${w.id} and status = 'confirmed'`)
  t.same(await places(), { confirmed: 0, waitlisted: 0 }, 'a deleted registration leaves the counts')
  await db.execute(sql`update registrations set status = 'pending' where workshop_id = ${w.id}`)
  t.same(await places(), { confirmed: 0, waitlisted: 0 }, 'pending and cancelled hold no place')
})

t.test('the seats taken in each session follow whatever writes registrations and their choices', async (t) => {
  const { app, db } = await buildTestApp(t)
  const w = await createWorkshop(app, { start_date: '2030-03-01', end_date: '2030-03-03' }, true)
  const at = (hour: number) => new Date(`2030-03-01T${String(hour).padStart(2, '0')}:00:00+03:00`)
  const [a, b] = await db.insert(sessions).values([
    { workshopId: w.id, title: { en: 'Working group' }, kind: 'working_group', capacity: 2, startsAt: at(9), endsAt: at(10) },
    { workshopId: w.id, title: { en: 'Plenary' }, kind: 'plenary', startsAt: at(11), endsAt: at(12) },
  ]).returning({ id: sessions.id })
  const rows = (query: ReturnType<typeof sql>) => rowsOf<any>(db, query)
  // The kept counts, and a count of the people behind them: they must agree after every change.
  const seats = async (label: string) => {
    const kept = await rows(sql`select s.id, coalesce(seats.confirmed, 0)::int as n from sessions s left join session_seats seats on seats.session_id = s.id where s.workshop_id = ${w.id}`)
    const counted = await rows(sql`select s.id, (select count(*)::int from registration_sessions rs join registrations r on r.id = rs.registration_id
      where rs.session_id = s.id and r.status = 'confirmed') as n from sessions s where s.workshop_id = ${w.id}`)
    const byId = (list: any[]) => Object.fromEntries(list.map((r) => [r.id === a.id ? 'a' : 'b', Number(r.n)]))
    t.same(byId(kept), byId(counted), `${label}: the kept counts match the people`)
    return byId(kept)
  }
  const register = async (i: number, sessionIds: string[]) => {
    const res = await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/registrations`, headers: jsonHeaders, payload: { name: `P ${i}`, email: `p${i}@example.org`, session_ids: sessionIds } })
    t.equal(res.statusCode, 201)
    return json(res).registration
  }

  const one = await register(1, [a.id, b.id])
  const two = await register(2, [a.id])
  t.same(await seats('two confirmed'), { a: 2, b: 1 })
  const three = await register(3, [a.id])
  t.equal(three.status, 'waitlisted', 'the session is full: the count the triggers keep turned the third away')
  t.same(await seats('one waitlisted'), { a: 2, b: 1 })

  const cancelled = await app.inject({ method: 'PATCH', url: `/v1/workshops/${w.id}/registrations/${one.id}`, headers: { ...admin, ...jsonHeaders }, payload: { status: 'cancelled' } })
  t.equal(cancelled.statusCode, 200)
  t.same(await seats('a cancellation promoted the one waiting'), { a: 2, b: 0 })

  // Written directly, as another program might.
  await db.execute(sql`delete from registration_sessions where registration_id = ${two.id} and session_id = ${a.id}`)
  t.same(await seats('a choice dropped'), { a: 1, b: 0 })
  await db.execute(sql`insert into registration_sessions (registration_id, session_id) values (${two.id}, ${b.id})`)
  t.same(await seats('a choice made'), { a: 1, b: 1 })
  await db.execute(sql`update registration_sessions set session_id = ${a.id} where registration_id = ${two.id}`)
  t.same(await seats('a choice moved'), { a: 2, b: 0 })
  await db.execute(sql`insert into registration_sessions (registration_id, session_id) values (${one.id}, ${a.id}) on conflict do nothing`)
  t.same(await seats('a cancelled registration\'s choice takes no seat'), { a: 2, b: 0 })
  await db.execute(sql`delete from registrations where id = ${three.id}`)
  t.same(await seats('a confirmed registration deleted, its choices with it'), { a: 1, b: 0 })
  await db.execute(sql`update registrations set status = 'pending' where id = ${two.id}`)
  t.same(await seats('pending holds no seat'), { a: 0, b: 0 })
  await db.execute(sql`update registrations set status = 'confirmed' where workshop_id = ${w.id}`)
  t.same(await seats('everyone confirmed at once'), { a: 2, b: 1 })
  await db.execute(sql`delete from sessions where id = ${a.id}`)
  t.same(await rows(sql`select * from session_seats where session_id = ${a.id}`), [], 'a deleted session leaves no count behind')
  await db.execute(sql`delete from workshops where id = ${w.id}`)
  t.same(await rows(sql`select * from session_seats where session_id = ${b.id}`), [], 'nor does a deleted workshop')
})
