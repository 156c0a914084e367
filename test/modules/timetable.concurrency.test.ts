import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp, createWorkshop, json, TEST_DATABASE_URL } from '../helpers.ts'
import { addRoom, addSession, addSpeaker, patch, post, sessionBody } from './timetable.fixtures.ts'
import type { Db } from '../../src/db/client.ts'

const N = 20

/** Overlaps left in the database, whatever the service said: must be none. */
async function overlaps (db: Db, workshopId: string) {
  const rooms = await db.execute(sql`
    select a.id from sessions a join sessions b on a.room_id = b.room_id and a.id < b.id
    where a.workshop_id = ${workshopId} and a.status = 'scheduled' and b.status = 'scheduled'
      and a.starts_at < b.ends_at and b.starts_at < a.ends_at`)
  const speakers = await db.execute(sql`
    select a.session_id from session_speakers a join session_speakers b on a.speaker_id = b.speaker_id and a.session_id < b.session_id
    join sessions s on s.id = a.session_id
    where s.workshop_id = ${workshopId} and a.active and b.active and a.starts_at < b.ends_at and b.starts_at < a.ends_at`)
  const rows = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows)
  return rows(rooms).length + rows(speakers).length
}

t.test('concurrent conflicting writes on PostgreSQL, through two instances', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const one = await buildTestApp(t)
  const two = await buildTestApp(t, { url: one.url })
  const apps = [one.app, two.app]
  const w = await createWorkshop(one.app, {}, true)
  const base = `/v1/workshops/${w.id}/sessions`

  await t.test(`${N} parallel overlapping creates in one room: exactly one wins`, async (t) => {
    const room = await addRoom(one.app, w.id, 'Contested hall')
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => post(apps[i % 2], base, sessionBody({
      title: { en: `Attempt ${i}` }, room_id: room.id,
      starts_at: `2023-02-05T09:${String(i).padStart(2, '0')}:00+03:00`, ends_at: '2023-02-05T10:30:00+03:00',
    }))))
    const won = answers.filter((r) => r.statusCode === 201)
    t.equal(won.length, 1, 'one 201')
    t.equal(answers.filter((r) => r.statusCode === 409).length, N - 1, `${N - 1} 409s: ${answers.filter((r) => r.statusCode !== 409 && r.statusCode !== 201).map((r) => r.body).join(' ')}`)
    const winner = json(won[0])
    for (const lost of answers.filter((r) => r.statusCode === 409)) {
      const problem = json(lost)
      t.equal(problem.conflicting_session?.id, winner.id, 'each 409 names the winner')
      t.equal(problem.conflicting_session?.title.en, winner.title.en)
    }
    t.equal(await overlaps(one.db, w.id), 0)
  })

  await t.test(`${N} parallel creates of one speaker in different rooms: exactly one wins`, async (t) => {
    const speaker = await addSpeaker(one.app, w.id, { name: 'Busy speaker' })
    const rooms = await Promise.all(Array.from({ length: N }, (_, i) => addRoom(apps[i % 2], w.id, `Room ${i}`)))
    const answers = await Promise.all(rooms.map((room, i) => post(apps[i % 2], base, sessionBody({
      title: { en: `Talk ${i}` }, room_id: room.id, speaker_ids: [speaker.id],
      starts_at: '2023-02-06T11:00:00+03:00', ends_at: `2023-02-06T12:${String(i).padStart(2, '0')}:00+03:00`,
    }))))
    const won = answers.filter((r) => r.statusCode === 201)
    t.equal(won.length, 1, 'one 201')
    for (const lost of answers.filter((r) => r.statusCode !== 201)) {
      t.equal(lost.statusCode, 409)
      t.match(json(lost), { type: /speaker-overlap$/, speaker_id: speaker.id, conflicting_session: { id: json(won[0]).id } })
    }
    t.equal(await overlaps(one.db, w.id), 0)
  })

  await t.test('parallel moves into one slot: exactly one lands', async (t) => {
    const room = await addRoom(one.app, w.id, 'Moving hall')
    const sessions = []
    for (let i = 0; i < 10; i++) {
      sessions.push(await addSession(one.app, w.id, { title: { en: `Slot ${i}` }, room_id: room.id, starts_at: `2023-02-07T${String(8 + i).padStart(2, '0')}:00:00+03:00`, ends_at: `2023-02-07T${String(8 + i).padStart(2, '0')}:30:00+03:00` }))
    }
    const answers = await Promise.all(sessions.map((s, i) => patch(apps[i % 2], `${base}/${s.id}`, { starts_at: '2023-02-07T19:00:00+03:00', ends_at: '2023-02-07T20:00:00+03:00' })))
    t.equal(answers.filter((r) => r.statusCode === 200).length, 1, 'one moved')
    t.equal(answers.filter((r) => r.statusCode === 409).length, 9, `nine refused (others: ${answers.filter((r) => r.statusCode !== 409 && r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body.slice(0, 200)}`).join('; ')})`)
    t.equal(await overlaps(one.db, w.id), 0)
  })

  await t.test('cancel and take the slot, racing: the room is never double-booked', async (t) => {
    const room = await addRoom(one.app, w.id, 'Freed hall')
    const s = await addSession(one.app, w.id, { title: { en: 'To cancel' }, room_id: room.id, starts_at: '2023-02-06T15:00:00+03:00', ends_at: '2023-02-06T16:00:00+03:00' })
    const answers = await Promise.all([
      one.app.inject({ method: 'POST', url: `${base}/${s.id}/cancel`, headers: { authorization: 'Bearer test-admin-token-0123456789' } }),
      ...Array.from({ length: 6 }, (_, i) => post(apps[i % 2], base, sessionBody({ title: { en: `Taker ${i}` }, room_id: room.id, starts_at: '2023-02-06T15:00:00+03:00', ends_at: '2023-02-06T16:00:00+03:00' }))),
    ])
    t.equal(answers[0].statusCode, 200)
    t.ok(answers.slice(1).filter((r) => r.statusCode === 201).length <= 1, 'at most one taker')
    t.ok(answers.slice(1).every((r) => r.statusCode === 201 || r.statusCode === 409))
    t.equal(await overlaps(one.db, w.id), 0)
  })
})
