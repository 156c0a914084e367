import t from 'tap'
import { admin, assertProblem, buildTestApp, createWorkshop, json } from '../helpers.ts'
import { loadTimetable } from '../../src/modules/timetable/timetable.service.ts'
import { addRoom, addSession, addSpeaker } from './timetable.fixtures.ts'

t.test('listing and the agenda, day by day in local time', async (t) => {
  const { app, db } = await buildTestApp(t)
  const w = await createWorkshop(app)
  const base = `/v1/workshops/${w.id}/sessions`
  const hall = await addRoom(app, w.id, 'Hall')
  const annex = await addRoom(app, w.id, 'Annex')
  const auke = await addSpeaker(app, w.id, { email: 'secret@example.org', title: { en: 'Resident Representative' } })
  const at = (day: string, from: string, to: string) => ({ starts_at: `${day}T${from}:00+03:00`, ends_at: `${day}T${to}:00+03:00` })
  const day3 = await addSession(app, w.id, { title: { en: 'Closing' }, ...at('2023-02-07', '15:00', '16:00'), room_id: hall.id })
  const day1b = await addSession(app, w.id, { title: { en: 'Panel' }, kind: 'panel', ...at('2023-02-05', '11:00', '12:30'), room_id: annex.id })
  const day1a = await addSession(app, w.id, { title: { en: 'Opening' }, ...at('2023-02-05', '09:00', '10:30'), room_id: hall.id, speaker_ids: [auke.id] })
  const early = await addSession(app, w.id, { title: { en: 'Early' }, ...at('2023-02-06', '00:15', '01:00') })

  t.equal((await app.inject(`/v1/workshops/${w.id}/agenda`)).statusCode, 404, 'the agenda of a draft is hidden')
  t.equal((await app.inject(base)).statusCode, 404)
  t.equal((await app.inject(`${base}/${day1a.id}`)).statusCode, 404)
  await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin })

  const agenda = json(await app.inject(`/v1/workshops/${w.id}/agenda`))
  t.equal(agenda.timezone, 'Asia/Baghdad')
  t.same(agenda.days.map((d: any) => d.date), ['2023-02-05', '2023-02-06', '2023-02-07'])
  t.same(agenda.days.map((d: any) => d.sessions.map((s: any) => s.id)), [[day1a.id, day1b.id], [early.id], [day3.id]])
  t.match(agenda.days[0].sessions[0], {
    local_start: '09:00', local_end: '10:30', starts_at: '2023-02-05T09:00:00.000+03:00', room: { id: hall.id, name: { en: 'Hall' } },
    speakers: [{ id: auke.id, name: 'Auke Lootsma', title: { en: 'Resident Representative' } }],
  })
  t.equal(agenda.days[1].sessions[0].local_start, '00:15', 'local day, not the UTC one (21:15 UTC the day before)')
  t.equal(agenda.days[1].sessions[0].room, null)
  t.notOk(JSON.stringify(agenda).includes('secret@example.org'), 'no e-mail on the agenda')

  const ids = async (query: string) => json(await app.inject(`${base}${query}`)).items.map((s: any) => s.id)
  t.same(await ids(''), [day1a.id, day1b.id, early.id, day3.id], 'by start')
  t.same(await ids('?day=2023-02-05'), [day1a.id, day1b.id])
  t.same(await ids('?day=2023-02-06'), [early.id])
  t.same(await ids(`?room=${hall.id}`), [day1a.id, day3.id])
  t.same(await ids(`?room=${hall.id}&day=2023-02-07`), [day3.id])
  t.same(await ids('?status=cancelled'), [])
  const page1 = json(await app.inject(`${base}?limit=3`))
  t.equal(page1.items.length, 3)
  const page2 = json(await app.inject(`${base}?limit=3&cursor=${page1.next_cursor}`))
  t.same(page2.items.map((s: any) => s.id), [day3.id])
  t.equal(page2.next_cursor, null)

  assertProblem(t, await app.inject(`${base}?day=2023-02-08`), 400, 'query.day')
  assertProblem(t, await app.inject(`${base}?day=05-02-2023`), 400, 'query.day')
  assertProblem(t, await app.inject(`${base}?room=nope`), 400, 'query.room')
  assertProblem(t, await app.inject(`${base}?room=00000000-0000-4000-8000-000000000000`), 400, 'query.room')
  assertProblem(t, await app.inject(`${base}?status=maybe`), 400, 'query.status')
  assertProblem(t, await app.inject(`${base}?limit=501`), 400, 'query.limit')
  assertProblem(t, await app.inject(`${base}?cursor=abc`), 400, 'query.cursor')
  assertProblem(t, await app.inject('/v1/workshops/00000000-0000-4000-8000-000000000000/agenda'), 404)

  await t.test('loadTimetable: what other modules read', async (t) => {
    const timetable = await loadTimetable(db, w.id)
    t.same(timetable.rooms.map((r) => r.id), [hall.id, annex.id])
    t.same(timetable.speakers.map((s) => s.email), ['secret@example.org'])
    t.same(timetable.sessions.map((s) => s.id), [day1a.id, day1b.id, early.id, day3.id])
    t.match(timetable.sessions[0], { speakerIds: [auke.id], room: { id: hall.id }, speakers: [{ name: 'Auke Lootsma' }], startsAt: new Date('2023-02-05T06:00:00Z') })
    t.equal(timetable.sessions[2].room, null)
    t.same(await loadTimetable(db, '00000000-0000-4000-8000-000000000000'), { rooms: [], speakers: [], sessions: [] })
  })
})
