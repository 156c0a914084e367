// The timetable frees seats: a session's raised capacity or its cancellation moves its waitlist up at once.
import t from 'tap'
import { admin, buildTestApp, createWorkshop, json, orgHeaders } from '../helpers.ts'
import { addSession, patch, post } from './timetable.fixtures.ts'

t.test('seats freed by the timetable go to the waitlist, in order', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app, {}, true)
  const workshop = `/v1/workshops/${w.id}`
  const lab = await addSession(app, w.id, { title: { en: 'Lab' }, kind: 'working_group', capacity: 1 })
  const talk = await addSession(app, w.id, { title: { en: 'Talk' }, kind: 'panel', capacity: 1, starts_at: '2023-02-06T09:00:00+03:00', ends_at: '2023-02-06T10:00:00+03:00' })
  const register = async (i: number, session: string) => json(await post(app, `${workshop}/registrations`, { name: `P${i}`, email: `p${i}@example.org`, session_ids: [session] }, orgHeaders)).registration
  const status = async (id: string) => json(await app.inject({ url: `${workshop}/registrations/${id}`, headers: admin }))

  const first = await register(1, lab.id)
  const second = await register(2, lab.id)
  const third = await register(3, lab.id)
  t.same([first.status, second.status, third.status], ['confirmed', 'waitlisted', 'waitlisted'])

  t.equal((await patch(app, `${workshop}/sessions/${lab.id}`, { capacity: 2 })).statusCode, 200)
  t.match(await status(second.id), { status: 'confirmed' }, 'a raised session capacity confirms the head of the waitlist')
  t.match(await status(third.id), { status: 'waitlisted', waitlist_position: 1 })
  t.equal((await patch(app, `${workshop}/sessions/${lab.id}`, { capacity: 1 })).statusCode, 200)
  t.match(await status(third.id), { status: 'waitlisted' }, 'a lowered capacity confirms nobody (and removes nobody)')

  const talker = await register(4, talk.id)
  const waiting = await register(5, talk.id)
  t.equal(waiting.status, 'waitlisted')
  t.equal((await app.inject({ method: 'POST', url: `${workshop}/sessions/${talk.id}/cancel`, headers: admin })).statusCode, 200)
  t.match(await status(waiting.id), { status: 'confirmed' }, 'a cancelled session no longer holds anyone back')
  t.match(await status(talker.id), { status: 'confirmed' })
  t.match(await status(third.id), { status: 'waitlisted' }, 'other sessions keep their waitlist')
})
