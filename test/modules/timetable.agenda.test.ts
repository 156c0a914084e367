import t from 'tap'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { sql } from 'drizzle-orm'
import { admin, assertProblem, buildTestApp, createWorkshop, json, TEST_DATABASE_URL, untilCoding } from '../helpers.ts'
import { loadTimetable } from '../../src/modules/timetable/timetable.service.ts'
import { addRoom, addSession, addSpeaker, patch } from './timetable.fixtures.ts'

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
  const session = json(await app.inject(`${base}/${day1a.id}`))
  t.ok(session.created_at && session.updated_at, 'a session has its bookkeeping times ...')
  t.same(Object.keys(agenda.days[0].sessions[0]).filter((k) => !(k in session)), ['local_start', 'local_end', 'room', 'speakers'], 'the agenda adds what a timetable shows ...')
  t.same(Object.keys(session).filter((k) => !(k in agenda.days[0].sessions[0])), ['created_at', 'updated_at'], '... and leaves out the bookkeeping')
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

t.test('the agenda answers an ETag, 304 and gzip, and is fresh after any change, whoever writes it', async (t) => {
  const { app, db } = await buildTestApp(t)
  const w = await createWorkshop(app)
  const url = `/v1/workshops/${w.id}/agenda`
  const hall = await addRoom(app, w.id, 'Hall')
  const auke = await addSpeaker(app, w.id, { title: { en: 'Resident Representative' } })
  const s = await addSession(app, w.id, { room_id: hall.id, speaker_ids: [auke.id] })
  t.equal(json(await app.inject({ url, headers: admin })).days[0].sessions[0].id, s.id, 'organisers see the agenda of a draft')
  await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/publish`, headers: admin })

  const first = await app.inject(url)
  t.equal(first.statusCode, 200)
  t.match(first.headers['content-type'], /^application\/json/)
  t.equal(first.headers.vary, 'Accept-Encoding')
  t.equal(first.headers['cache-control'], 'no-cache')
  const etag = String(first.headers.etag)
  t.equal((await app.inject(url)).headers.etag, etag, 'the same state, the same ETag')
  const notModified = await app.inject({ url, headers: { 'if-none-match': etag } })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.body, '')

  const zipped = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } })
  t.equal(zipped.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(zipped.rawPayload).toString(), first.body, 'the same JSON, compressed')
  t.equal(zipped.headers.etag, etag.replace(/"$/, '-gzip"'), 'the compressed bytes have their own tag')
  t.equal((await app.inject({ url, headers: { 'if-none-match': String(zipped.headers.etag) } })).statusCode, 304, 'either tag revalidates')
  t.equal((await app.inject({ url, headers: { 'accept-encoding': 'gzip;q=0' } })).headers['content-encoding'], undefined)
  // Browsers accept brotli: made once in the background after the first of them asked (above); gzip until then.
  const brotli = await untilCoding(t, app, url, { 'accept-encoding': 'gzip, deflate, br, zstd' }, 'br')
  t.equal(brotliDecompressSync(brotli.rawPayload).toString(), first.body, 'the same JSON, in brotli')
  t.ok(brotli.rawPayload.length < zipped.rawPayload.length, `smaller than gzip (${brotli.rawPayload.length} against ${zipped.rawPayload.length} bytes)`)
  t.equal(brotli.headers.etag, etag.replace(/"$/, '-br"'))
  t.equal(brotli.headers.vary, 'Accept-Encoding')
  t.equal((await app.inject({ url, headers: { 'if-none-match': String(brotli.headers.etag) } })).statusCode, 304, 'any tag revalidates')
  t.equal((await app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0.5' } })).headers['content-encoding'], 'gzip', 'a client that prefers gzip gets it')

  // Through the API: a speaker's new title shows at once.
  t.equal((await patch(app, `/v1/workshops/${w.id}/speakers/${auke.id}`, { title: { en: 'Head of Office' } })).statusCode, 200)
  const renamed = await app.inject({ url, headers: { 'if-none-match': etag } })
  t.equal(renamed.statusCode, 200, 'the old ETag no longer matches')
  t.equal(json(renamed).days[0].sessions[0].speakers[0].title.en, 'Head of Office')

  // Written by another program straight into the database: triggers keep the version.
  await db.execute(sql`update rooms set name = '{"en": "Main hall"}'::jsonb where id = ${hall.id}`)
  t.equal(json(await app.inject(url)).days[0].sessions[0].room.name.en, 'Main hall')
  await db.execute(sql`delete from session_speakers where session_id = ${s.id}`)
  t.same(json(await app.inject(url)).days[0].sessions[0].speakers, [], 'a session speaker removed')
  await db.execute(sql`update workshops set timezone = 'Asia/Riyadh' where id = ${w.id}`)
  t.equal(json(await app.inject(url)).timezone, 'Asia/Riyadh', 'the workshop row itself')
  await db.execute(sql`update sessions set title = '{"en": "Renamed"}'::jsonb where id = ${s.id}`)
  t.equal(json(await app.inject(url)).days[0].sessions[0].title.en, 'Renamed')
})

t.test('two instances on one database: a change through one shows through the other at once', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const first = await buildTestApp(t)
  const second = await buildTestApp(t, { url: first.url })
  const w = await createWorkshop(first.app, {}, true)
  const url = `/v1/workshops/${w.id}/agenda`
  const s = await addSession(first.app, w.id, { title: { en: 'Before' } })
  const a = await first.app.inject(url)
  const b = await second.app.inject(url)
  t.equal(a.body, b.body)
  t.equal(a.headers.etag, b.headers.etag, 'the same bytes give the same ETag on both')
  for (let i = 0; i < 5; i++) {
    const title = `Change ${i}`
    t.equal((await patch(first.app, `/v1/workshops/${w.id}/sessions/${s.id}`, { title: { en: title } })).statusCode, 200)
    // Both at once, many times: none may answer what was there before the change.
    const answers = await Promise.all(Array.from({ length: 10 }, (_, j) => (j % 2 ? first : second).app.inject(url)))
    t.ok(answers.every((r) => json(r).days[0].sessions[0].title.en === title), `change ${i} seen by every request after it`)
  }
})
