import t from 'tap'
import { sql } from 'drizzle-orm'
import { registrationsRepository, type NewPlacement } from '../../src/modules/registrations/registrations.repository.ts'
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
    const result = await db.execute(sql`select confirmed, waitlisted from workshop_places where workshop_id = ${w.id}`)
    const [row] = (Array.isArray(result) ? result : (result as unknown as { rows: any[] }).rows) as { confirmed: number, waitlisted: number }[]
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
