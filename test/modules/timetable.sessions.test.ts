import t from 'tap'
import { admin, assertProblem, buildTestApp, createWorkshop, json, orgHeaders } from '../helpers.ts'
import { addRoom, addSession, addSpeaker, post, sessionBody } from './timetable.fixtures.ts'

t.test('sessions in Baghdad: rules, each refused with a reason', async (t) => {
  const { app } = await buildTestApp(t)
  const w = await createWorkshop(app, {}, true)
  const base = `/v1/workshops/${w.id}/sessions`
  const hall = await addRoom(app, w.id, 'Hall')
  const annex = await addRoom(app, w.id, 'Annex')
  const auke = await addSpeaker(app, w.id)
  const zaidan = await addSpeaker(app, w.id, { name: 'Zaidan Khalaf Obaid' })

  const res = await post(app, base, sessionBody({ room_id: hall.id, speaker_ids: [zaidan.id, auke.id], capacity: 80, language: 'ar', description: { en: 'Welcome' } }))
  t.equal(res.statusCode, 201)
  const opening = json(res)
  t.match(opening, {
    workshop_id: w.id, kind: 'plenary', starts_at: '2023-02-05T09:00:00.000+03:00', ends_at: '2023-02-05T10:30:00.000+03:00', day: '2023-02-05',
    room_id: hall.id, speaker_ids: [zaidan.id, auke.id], capacity: 80, language: 'ar', status: 'scheduled', sequence: 0, cancelled_at: null,
  })
  t.equal(res.headers.etag, `"${opening.id}.1"`)
  t.equal(res.headers.location, `${base}/${opening.id}`)
  const read = await app.inject(`${base}/${opening.id}`)
  t.same(json(read), opening)
  t.equal(read.headers.etag, res.headers.etag)

  await t.test('time: ends after it starts, inside the local days', async (t) => {
    assertProblem(t, await post(app, base, sessionBody({ ends_at: '2023-02-05T09:00:00+03:00' })), 400, 'ends_at')
    assertProblem(t, await post(app, base, sessionBody({ ends_at: '2023-02-05T08:00:00+03:00' })), 400, 'ends_at')
    // 23:30 local on the last day is inside; 00:30 local the next day is outside, though UTC still says the 7th.
    const late = await addSession(app, w.id, { starts_at: '2023-02-07T23:00:00+03:00', ends_at: '2023-02-07T20:30:00Z' })
    t.equal(late.ends_at, '2023-02-07T23:30:00.000+03:00')
    const p = assertProblem(t, await post(app, base, sessionBody({ starts_at: '2023-02-07T23:30:00+03:00', ends_at: '2023-02-07T21:30:00Z' })), 400, 'ends_at')
    t.match(p.detail, /2023-02-08 00:30 local time/)
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2023-02-07T21:00:00Z', ends_at: '2023-02-07T21:30:00Z' })), 400, 'starts_at')
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2023-02-04T23:30:00+03:00' })), 400, 'starts_at')
    const first = await addSession(app, w.id, { starts_at: '2023-02-04T21:00:00Z', ends_at: '2023-02-04T21:30:00Z' })
    t.equal(first.starts_at, '2023-02-05T00:00:00.000+03:00', 'midnight local of the first day is inside')
    t.equal(first.day, '2023-02-05')
  })

  await t.test('no two sessions in one room at once', async (t) => {
    const p = assertProblem(t, await post(app, base, sessionBody({ title: { en: 'Panel' }, kind: 'panel', starts_at: '2023-02-05T10:00:00+03:00', ends_at: '2023-02-05T11:00:00+03:00', room_id: hall.id })), 409)
    t.match(p, { type: /room-overlap$/, conflicting_session: { id: opening.id, title: { en: 'Opening plenary' }, starts_at: '2023-02-05T09:00:00.000+03:00' } })
    t.match(p.detail, new RegExp(`Opening plenary.*${opening.id}`))
    const inside = assertProblem(t, await post(app, base, sessionBody({ starts_at: '2023-02-05T09:15:00+03:00', ends_at: '2023-02-05T09:30:00+03:00', room_id: hall.id })), 409)
    t.equal(inside.conflicting_session.id, opening.id)
    const next = await addSession(app, w.id, { title: { en: 'Coffee' }, kind: 'break', starts_at: '2023-02-05T10:30:00+03:00', ends_at: '2023-02-05T11:00:00+03:00', room_id: hall.id })
    t.equal(next.room_id, hall.id, 'a session that starts when another ends does not overlap')
    const elsewhere = await addSession(app, w.id, { title: { en: 'Side event' }, starts_at: '2023-02-05T09:00:00+03:00', ends_at: '2023-02-05T10:00:00+03:00', room_id: annex.id })
    t.equal(elsewhere.room_id, annex.id, 'another room is free')
    const roomless = await addSession(app, w.id, { title: { en: 'Registration desk' }, kind: 'other' })
    t.equal(roomless.room_id, null, 'sessions without a room never clash on rooms')
  })

  await t.test('no speaker in two sessions at once', async (t) => {
    const p = assertProblem(t, await post(app, base, sessionBody({ title: { en: 'Interview' }, starts_at: '2023-02-05T10:00:00+03:00', ends_at: '2023-02-05T10:45:00+03:00', speaker_ids: [auke.id] })), 409)
    t.match(p, { type: /speaker-overlap$/, speaker_id: auke.id, conflicting_session: { id: opening.id, title: { en: 'Opening plenary' } } })
    t.match(p.detail, /Auke Lootsma/)
    const after = await addSession(app, w.id, { title: { en: 'Interview' }, starts_at: '2023-02-05T10:30:00+03:00', ends_at: '2023-02-05T11:00:00+03:00', speaker_ids: [auke.id] })
    t.same(after.speaker_ids, [auke.id])
  })

  await t.test('rooms and speakers must be of this workshop', async (t) => {
    const other = await createWorkshop(app)
    const foreignRoom = await addRoom(app, other.id)
    const foreignSpeaker = await addSpeaker(app, other.id)
    const when = { starts_at: '2023-02-06T09:00:00+03:00', ends_at: '2023-02-06T10:00:00+03:00' }
    assertProblem(t, await post(app, base, sessionBody({ ...when, room_id: foreignRoom.id })), 400, 'room_id')
    assertProblem(t, await post(app, base, sessionBody({ ...when, room_id: '00000000-0000-4000-8000-000000000000' })), 400, 'room_id')
    const p = assertProblem(t, await post(app, base, sessionBody({ ...when, speaker_ids: [auke.id, foreignSpeaker.id] })), 400, 'speaker_ids')
    t.match(p.detail, foreignSpeaker.id)
  })

  await t.test('bad input names the field', async (t) => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: {} }, 'title'], [{ title: { en: '' } }, 'title.en'], [{ title: { en: 'x'.repeat(501) } }, 'title.en'],
      [{ kind: 'party' }, 'kind'], [{ kind: undefined }, 'kind'],
      [{ starts_at: '2023-02-05T09:00:00' }, 'starts_at'], [{ ends_at: '2023-02-05' }, 'ends_at'], [{ starts_at: 'tomorrow' }, 'starts_at'],
      [{ starts_at: '2023-02-30T09:00:00+03:00' }, 'starts_at'], [{ starts_at: '2023-02-06T02:59:60+03:00' }, 'starts_at'],
      [{ ends_at: '2023-02-06T02:59:60+03:00' }, 'ends_at'], [{ starts_at: 1675580400 }, 'starts_at'],
      [{ room_id: 'hall' }, 'room_id'], [{ speaker_ids: 'x' }, 'speaker_ids'], [{ speaker_ids: ['x'] }, 'speaker_ids.0'],
      [{ speaker_ids: [auke.id, auke.id] }, 'speaker_ids'], [{ capacity: -5 }, 'capacity'], [{ capacity: 2.5 }, 'capacity'],
      [{ language: 'fr' }, 'language'], [{ description: { de: 'x' } }, 'description.de'], [{ status: 'cancelled' }, 'status'],
      [{ sequence: 4 }, 'sequence'],
    ]
    for (const [overrides, field] of cases) {
      assertProblem(t, await post(app, base, sessionBody(overrides)), 400, field)
    }
    assertProblem(t, await app.inject({ method: 'POST', url: base, headers: { ...orgHeaders, 'idempotency-key': 'é' }, payload: sessionBody() }), 400, 'header.idempotency-key')
    assertProblem(t, await app.inject({ method: 'POST', url: base, headers: orgHeaders, payload: '{"title":' }), 400)
    assertProblem(t, await app.inject({ method: 'POST', url: base, headers: { ...admin, 'content-type': 'text/plain' }, payload: 'x' }), 415)
    assertProblem(t, await app.inject({ method: 'POST', url: base, headers: { 'content-type': 'application/json' }, payload: { nonsense: true } }), 401)
    assertProblem(t, await app.inject(`${base}/not-a-uuid`), 400, 'params.sessionId')
    assertProblem(t, await app.inject(`${base}/00000000-0000-4000-8000-000000000000`), 404)
  })

  await t.test('idempotent create of a session', async (t) => {
    const headers = { ...orgHeaders, 'idempotency-key': 'session-day3-closing' }
    const body = sessionBody({ title: { en: 'Closing' }, starts_at: '2023-02-07T15:00:00+03:00', ends_at: '2023-02-07T16:00:00+03:00', room_id: hall.id })
    const first = await post(app, base, body, headers)
    const again = await post(app, base, body, headers)
    t.equal(first.statusCode, 201)
    t.equal(again.statusCode, 201, 'a repeat is not an overlap with itself')
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(json(again).id, json(first).id)
    t.equal(again.headers.etag, first.headers.etag)
  })
})
