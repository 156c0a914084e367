import t from 'tap'
import { sql } from 'drizzle-orm'
import { assertProblem, buildTestApp, createWorkshop, json } from '../helpers.ts'
import { sqlState, timetableService } from '../../src/modules/timetable/timetable.service.ts'
import { addRoom, addSession, addSpeaker, patch, post, sessionBody } from './timetable.fixtures.ts'

t.test('time zones far from UTC and across daylight saving time', async (t) => {
  const { app, db } = await buildTestApp(t)

  await t.test('Europe/Berlin across its March change', async (t) => {
    const w = await createWorkshop(app, { timezone: 'Europe/Berlin', start_date: '2024-03-30', end_date: '2024-03-31' }, true)
    const base = `/v1/workshops/${w.id}/sessions`
    const room = await addRoom(app, w.id)
    // 01:30 CET to 03:30 CEST is one hour: 02:00 does not exist that night.
    const night = await addSession(app, w.id, { starts_at: '2024-03-31T01:30:00+01:00', ends_at: '2024-03-31T03:30:00+02:00', room_id: room.id })
    t.equal(night.starts_at, '2024-03-31T01:30:00.000+01:00')
    t.equal(night.ends_at, '2024-03-31T03:30:00.000+02:00')
    const clash = assertProblem(t, await post(app, base, sessionBody({ starts_at: '2024-03-31T00:45:00Z', ends_at: '2024-03-31T01:15:00Z', room_id: room.id })), 409)
    t.equal(clash.conflicting_session.id, night.id, '01:45 CET to 03:15 CEST is inside 01:30 CET to 03:30 CEST')
    const fine = await addSession(app, w.id, { starts_at: '2024-03-31T03:30:00+02:00', ends_at: '2024-03-31T04:00:00+02:00', room_id: room.id })
    t.ok(fine.id, 'the next one starts when it ends')
    const late = await addSession(app, w.id, { title: { en: 'Late' }, starts_at: '2024-03-31T23:30:00+02:00', ends_at: '2024-03-31T23:59:00+02:00' })
    t.equal(late.day, '2024-03-31')
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2024-04-01T00:30:00+02:00', ends_at: '2024-04-01T01:00:00+02:00' })), 400, 'starts_at')
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2024-03-31T23:30:00+02:00', ends_at: '2024-03-31T22:30:00Z' })), 400, 'ends_at')
    const saturday = await addSession(app, w.id, { title: { en: 'Saturday' }, starts_at: '2024-03-30T09:00:00Z', ends_at: '2024-03-30T10:00:00Z' })
    t.equal(saturday.starts_at, '2024-03-30T10:00:00.000+01:00', 'shown with the offset of the day (CET)')
    const agenda = json(await app.inject(`/v1/workshops/${w.id}/agenda`))
    t.same(agenda.days[1].sessions.map((s: any) => [s.local_start, s.local_end]), [['01:30', '03:30'], ['03:30', '04:00'], ['23:30', '23:59']])
    t.same(agenda.days[0].sessions.map((s: any) => s.local_start), ['10:00'])
    t.equal(json(await app.inject(`${base}?day=2024-03-31`)).items.length, 3)
  })

  await t.test('Pacific/Kiritimati, fourteen hours ahead of UTC', async (t) => {
    const w = await createWorkshop(app, { timezone: 'Pacific/Kiritimati', start_date: '2024-01-10', end_date: '2024-01-11' }, true)
    const base = `/v1/workshops/${w.id}/sessions`
    // 09:00 on the 10th in Kiritimati is 19:00 UTC on the 9th.
    const s = await addSession(app, w.id, { starts_at: '2024-01-09T19:00:00Z', ends_at: '2024-01-09T20:00:00Z' })
    t.match(s, { starts_at: '2024-01-10T09:00:00.000+14:00', day: '2024-01-10' })
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2024-01-09T23:30:00+14:00', ends_at: '2024-01-10T00:30:00+14:00' })), 400, 'starts_at')
    assertProblem(t, await post(app, base, sessionBody({ starts_at: '2024-01-11T10:00:00Z', ends_at: '2024-01-11T10:30:00Z' })), 400, 'starts_at')
    const last = await addSession(app, w.id, { starts_at: '2024-01-11T09:30:00Z', ends_at: '2024-01-11T10:00:00Z' })
    t.equal(last.ends_at, '2024-01-12T00:00:00.000+14:00', 'ending at midnight after the last day is inside')
    t.same(json(await app.inject(`${base}?day=2024-01-10`)).items.map((x: any) => x.id), [s.id])
    const agenda = json(await app.inject(`/v1/workshops/${w.id}/agenda`))
    t.same(agenda.days.map((d: any) => [d.date, d.sessions.map((x: any) => `${x.local_start}-${x.local_end}`)]),
      [['2024-01-10', ['09:00-10:00']], ['2024-01-11', ['23:30-00:00']]])
  })

  await t.test('a workshop cannot move away from its sessions', async (t) => {
    const w = await createWorkshop(app, {}, true)
    const s = await addSession(app, w.id, { starts_at: '2023-02-07T22:00:00+03:00', ends_at: '2023-02-07T23:30:00+03:00' })
    const shorter = assertProblem(t, await patch(app, `/v1/workshops/${w.id}`, { end_date: '2023-02-06' }), 409)
    t.same(shorter.session_ids, [s.id])
    // In Berlin (two hours behind Baghdad in February) 22:00 Baghdad is 20:00 the same day: fine.
    t.equal((await patch(app, `/v1/workshops/${w.id}`, { timezone: 'Europe/Berlin' })).statusCode, 200)
    // In Kiritimati (eleven hours ahead) it is 09:00 on the 8th: outside.
    assertProblem(t, await patch(app, `/v1/workshops/${w.id}`, { timezone: 'Pacific/Kiritimati' }), 409)
    const moved = json(await app.inject(`/v1/workshops/${w.id}/sessions/${s.id}`))
    t.equal(moved.starts_at, '2023-02-07T20:00:00.000+01:00', 'shown in the new zone')
    t.equal((await patch(app, `/v1/workshops/${w.id}`, { timezone: 'Asia/Baghdad' })).statusCode, 200)
  })

  await t.test('a lost race still names the other session (the constraint fires after the read)', async (t) => {
    const w = await createWorkshop(app, {}, true)
    const room = await addRoom(app, w.id)
    const speaker = await addSpeaker(app, w.id)
    const winner = await addSession(app, w.id, { room_id: room.id, speaker_ids: [speaker.id] })
    const service = timetableService(db, {} as never)
    const workshop = { id: w.id, timezone: 'Asia/Baghdad', startDate: w.start_date, endDate: w.end_date, defaultLanguage: 'en' as const }
    const claim = { workshop, roomId: room.id, speakerIds: [speaker.id], startsAt: new Date('2023-02-05T06:30:00Z'), endsAt: new Date('2023-02-05T07:00:00Z') }
    const raced = Object.assign(new Error('Failed query'), { cause: { code: '23P01' } })
    const room409 = await service.guarded(async (attempt) => { attempt.current = claim; throw raced }).catch((e: unknown) => e)
    t.match(room409, { status: 409, type: 'room-overlap', extra: { conflicting_session: { id: winner.id } } })
    const speaker409 = await service.guarded(async (attempt) => { attempt.current = { ...claim, roomId: null }; throw raced }).catch((e: unknown) => e)
    t.match(speaker409, { status: 409, type: 'speaker-overlap', extra: { conflicting_session: { id: winner.id }, speaker_id: speaker.id } })
    const gone = await service.guarded(async (attempt) => { attempt.current = { ...claim, roomId: null, speakerIds: [] }; throw raced }).catch((e: unknown) => e)
    t.match(gone, { status: 409, type: 'overlap' }, 'a winner gone by the time we look is still a 409')
    const other = Object.assign(new Error('other'), { code: '23505' })
    await t.rejects(service.guarded(async (attempt) => { attempt.current = claim; throw other }), other)
    await t.rejects(service.guarded(async () => { throw raced }), raced, 'without a claim, the error goes on')
    let runs = 0
    const deadlock = Object.assign(new Error('deadlock'), { cause: { code: '40P01' } })
    t.equal(await service.guarded(async () => { if (++runs < 3) throw deadlock; return 'done' }), 'done', 'a deadlock is retried')
    runs = 0
    await t.rejects(service.guarded(async () => { runs++; throw deadlock }), deadlock)
    t.equal(runs, 5, 'at most five runs')
    t.equal(sqlState(null), undefined)
    t.equal(sqlState({ code: 12 }), undefined)
  })

  await t.test('the database refuses overlaps itself', async (t) => {
    const w = await createWorkshop(app, {}, true)
    const room = await addRoom(app, w.id)
    const s = await addSession(app, w.id, { room_id: room.id })
    await t.rejects(db.execute(sql`insert into sessions (workshop_id, title, kind, starts_at, ends_at, room_id) values (${w.id}, '{"en":"x"}', 'panel', '2023-02-05T06:30:00Z', '2023-02-05T07:00:00Z', ${room.id})`))
    await t.rejects(db.execute(sql`update sessions set ends_at = starts_at where id = ${s.id}`))
  })
})
