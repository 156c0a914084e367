import t from 'tap'
import { admin, assertProblem, buildTestApp, createWorkshop, json } from '../helpers.ts'
import { addRoom, addSession, addSpeaker, patch } from './timetable.fixtures.ts'

t.test('changing sessions: sequence, ETag, cancelling', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app, {}, true)
  const base = `/v1/workshops/${w.id}/sessions`
  const hall = await addRoom(app, w.id, 'Hall')
  const annex = await addRoom(app, w.id, 'Annex')
  const auke = await addSpeaker(app, w.id)
  const ali = await addSpeaker(app, w.id, { name: 'Ali Abbas Jahangir' })
  const s = await addSession(app, w.id, { room_id: hall.id, speaker_ids: [auke.id] })
  const url = `${base}/${s.id}`
  let etag = `"${s.id}.1"`

  const change = async (body: Record<string, unknown>, expected: { sequence: number, version: number }) => {
    const res = await patch(app, url, body, { 'if-match': etag })
    t.equal(res.statusCode, 200, `${JSON.stringify(body)}: ${res.body.slice(0, 200)}`)
    t.equal(json(res).sequence, expected.sequence, `sequence after ${JSON.stringify(body)}`)
    t.equal(res.headers.etag, `"${s.id}.${expected.version}"`, `version after ${JSON.stringify(body)}`)
    etag = String(res.headers.etag)
    return json(res)
  }

  await change({ description: { en: 'Now with an agenda' } }, { sequence: 0, version: 2 })
  await change({ capacity: 40 }, { sequence: 0, version: 3 })
  await change({ speaker_ids: [ali.id, auke.id] }, { sequence: 0, version: 4 })
  await change({ kind: 'keynote', language: 'en' }, { sequence: 0, version: 5 })
  await change({ title: { ar: 'الجلسة الافتتاحية', en: 'Opening plenary' } }, { sequence: 0, version: 5 })
  await change({ starts_at: '2023-02-05T06:00:00Z', room_id: hall.id, capacity: 40, speaker_ids: [ali.id, auke.id], description: { en: 'Now with an agenda' } }, { sequence: 0, version: 5 })
  await change({}, { sequence: 0, version: 5 })
  const moved = await change({ starts_at: '2023-02-05T09:30:00+03:00', ends_at: '2023-02-05T11:00:00+03:00' }, { sequence: 1, version: 6 })
  t.match(moved, { starts_at: '2023-02-05T09:30:00.000+03:00', speaker_ids: [ali.id, auke.id], capacity: 40, kind: 'keynote' })
  await change({ room_id: annex.id }, { sequence: 2, version: 7 })
  await change({ room_id: null }, { sequence: 3, version: 8 })
  await change({ title: { en: 'Opening' } }, { sequence: 4, version: 9 })
  await change({ title: { en: 'Opening again' }, ends_at: '2023-02-05T12:00:00+03:00', room_id: hall.id }, { sequence: 5, version: 10 })

  await t.test('If-Match', async (t) => {
    assertProblem(t, await patch(app, url, { capacity: 1 }, { 'if-match': `"${s.id}.1"` }), 412)
    assertProblem(t, await patch(app, url, { capacity: 1 }, { 'if-match': '"garbage"' }), 412)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url}/cancel`, headers: { ...admin, 'if-match': `"${s.id}.2"` } }), 412)
    t.equal(json(await app.inject(url)).capacity, 40, 'nothing changed')
    t.equal((await patch(app, url, { capacity: 41 }, { 'if-match': '*' })).statusCode, 200)
    etag = String((await patch(app, url, { capacity: 40 })).headers.etag)
  })

  await t.test('moves are checked like creates', async (t) => {
    const other = await addSession(app, w.id, { title: { en: 'Working group' }, kind: 'working_group', starts_at: '2023-02-05T13:00:00+03:00', ends_at: '2023-02-05T14:00:00+03:00', room_id: annex.id, speaker_ids: [auke.id] })
    const p = assertProblem(t, await patch(app, url, { room_id: annex.id, starts_at: '2023-02-05T12:00:00+03:00', ends_at: '2023-02-05T13:30:00+03:00' }), 409)
    t.equal(p.conflicting_session.id, other.id)
    const q = assertProblem(t, await patch(app, url, { starts_at: '2023-02-05T12:30:00+03:00', ends_at: '2023-02-05T13:30:00+03:00' }), 409)
    t.match(q, { type: /speaker-overlap$/, conflicting_session: { id: other.id } })
    assertProblem(t, await patch(app, url, { ends_at: '2023-02-05T09:00:00+03:00' }), 400, 'ends_at')
    assertProblem(t, await patch(app, url, { starts_at: '2023-02-08T09:00:00+03:00', ends_at: '2023-02-08T10:00:00+03:00' }), 400, 'starts_at')
    assertProblem(t, await patch(app, url, { room_id: '00000000-0000-4000-8000-000000000000' }), 400, 'room_id')
    assertProblem(t, await patch(app, url, { speaker_ids: ['00000000-0000-4000-8000-000000000000'] }), 400, 'speaker_ids')
    assertProblem(t, await patch(app, url, { status: 'cancelled' }), 400, 'status')
    assertProblem(t, await patch(app, url, { title: null }), 400, 'title')
    assertProblem(t, await patch(app, `${base}/00000000-0000-4000-8000-000000000000`, { capacity: 1 }), 404)
    assertProblem(t, await app.inject({ method: 'PATCH', url, headers: { 'content-type': 'application/json' }, payload: { capacity: 'x' } }), 401)
    // Moving within its own slot is not an overlap with itself.
    const self = json(await patch(app, url, { starts_at: '2023-02-05T09:45:00+03:00' }))
    t.equal(self.starts_at, '2023-02-05T09:45:00.000+03:00')
    etag = String((await app.inject(url)).headers.etag)
  })

  await t.test('cancelling keeps the session, marked, and frees its room and speakers', async (t) => {
    const before = json(await app.inject(url))
    const res = await app.inject({ method: 'POST', url: `${url}/cancel`, headers: { ...admin, 'if-match': etag } })
    t.equal(res.statusCode, 200)
    const cancelled = json(res)
    t.match(cancelled, { status: 'cancelled', sequence: before.sequence + 1, cancelled_at: /\+03:00$/ })
    const again = await app.inject({ method: 'POST', url: `${url}/cancel`, headers: admin })
    t.equal(json(again).sequence, cancelled.sequence, 'cancelling twice changes nothing')
    t.equal(again.headers.etag, res.headers.etag)
    const replacement = await addSession(app, w.id, { title: { en: 'Replacement' }, starts_at: before.starts_at, ends_at: before.ends_at, room_id: before.room_id, speaker_ids: before.speaker_ids })
    t.equal(replacement.status, 'scheduled', 'the room and speakers are free again')
    const listed = json(await app.inject(`${base}?day=2023-02-05`)).items.map((x: any) => [x.id, x.status])
    t.same(listed.find((x: string[]) => x[0] === s.id), [s.id, 'cancelled'], 'still listed')
    const agenda = json(await app.inject(`/v1/workshops/${w.id}/agenda`))
    t.ok(agenda.days[0].sessions.some((x: any) => x.id === s.id && x.status === 'cancelled'), 'still on the agenda')
    const p = assertProblem(t, await patch(app, url, { capacity: 3 }), 409)
    t.match(p.type, /session-cancelled$/)
    assertProblem(t, await app.inject({ method: 'POST', url: `${base}/00000000-0000-4000-8000-000000000000/cancel`, headers: admin }), 404)
    assertProblem(t, await app.inject({ method: 'POST', url: `${url}/cancel` }), 401)
  })
})
