import t, { type Test } from 'tap'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { eq, sql } from 'drizzle-orm'
import ICAL from 'ical.js'
import nodeIcal from 'node-ical'
import { DateTime } from 'luxon'
import type { Db } from '../../src/db/client.ts'
import { hashToken, newToken } from '../../src/lib/tokens.ts'
import { registrations, registrationSessions } from '../../src/modules/registrations/registrations.table.ts'
import { rooms, sessions } from '../../src/modules/timetable/timetable.table.ts'
import { admin, assertProblem, buildTestApp, createWorkshop, TEST_DATABASE_URL, untilCoding } from '../helpers.ts'

type Kind = typeof sessions.$inferInsert['kind']

async function addRoom (db: Db, workshopId: string, name: { en?: string, ar?: string }) {
  const [room] = await db.insert(rooms).values({ workshopId, name }).returning()
  return room
}

async function addSession (db: Db, workshopId: string, values: { title: { en?: string, ar?: string }, kind: Kind, startsAt: string, endsAt: string, roomId?: string, description?: { en?: string, ar?: string } }) {
  const [session] = await db.insert(sessions).values({ workshopId, ...values, startsAt: new Date(values.startsAt), endsAt: new Date(values.endsAt) }).returning()
  return session
}

/** What the timetable does when it moves a session: new times, sequence, version and updated_at. */
async function moveSession (db: Db, id: string, startsAt: string, endsAt: string) {
  await db.update(sessions).set({
    startsAt: new Date(startsAt), endsAt: new Date(endsAt),
    sequence: sql`${sessions.sequence} + 1`, version: sql`${sessions.version} + 1`, updatedAt: sql`now()`,
  }).where(eq(sessions.id, id))
}

async function cancelSession (db: Db, id: string) {
  await db.update(sessions).set({
    status: 'cancelled', cancelledAt: sql`now()`,
    sequence: sql`${sessions.sequence} + 1`, version: sql`${sessions.version} + 1`, updatedAt: sql`now()`,
  }).where(eq(sessions.id, id))
}

async function addRegistration (db: Db, workshopId: string, chosen: string[], status: 'confirmed' | 'pending' = 'confirmed') {
  const feedToken = newToken('ndw_cal')
  const email = `person-${feedToken.slice(-8)}@example.org`
  const [registration] = await db.insert(registrations).values({
    workshopId, name: 'Layla Hassan', email, emailKey: email.toLowerCase(), status,
    manageTokenHash: hashToken(newToken('ndw_reg')), feedTokenHash: hashToken(feedToken),
  }).returning()
  if (chosen.length > 0) await db.insert(registrationSessions).values(chosen.map((sessionId) => ({ registrationId: registration.id, sessionId })))
  return { registration, feedToken }
}

interface Parsed {
  uid: string
  summary: string
  description: string | null
  location: string | null
  status: string
  sequence: number
  start: number
  end: number
  tzid: string | null
}

/** Parses a feed with ical.js and node-ical and asserts that both read the same events. */
function parseBoth (t: Test, text: string): Parsed[] {
  const root = new ICAL.Component(ICAL.parse(text))
  for (const vtz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz)
  const fromIcalJs: Parsed[] = root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent)
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description ?? null,
      location: event.location ?? null,
      status: String(vevent.getFirstPropertyValue('status')),
      sequence: event.sequence,
      start: event.startDate.toJSDate().getTime(),
      end: event.endDate.toJSDate().getTime(),
      tzid: (vevent.getFirstProperty('dtstart')!.getParameter('tzid') as string | undefined) ?? null,
    }
  })
  const fromNodeIcal = Object.values(nodeIcal.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT').map((c) => {
    const e = c as nodeIcal.VEvent
    return { uid: e.uid, summary: String(e.summary), sequence: Number(e.sequence), start: e.start.getTime(), end: e.end!.getTime(), status: String(e.status) }
  })
  t.same(fromNodeIcal, fromIcalJs.map(({ uid, summary, sequence, start, end, status }) => ({ uid, summary, sequence, start, end, status })), 'ical.js and node-ical read the same events')
  return fromIcalJs
}

/** The RFC 5545 rules a strict reader relies on. */
function assertWellFormed (t: Test, res: { body: string, rawPayload: Buffer, headers: Record<string, unknown> }, zone: string | null) {
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8')
  const text = res.body
  t.ok(text.endsWith('END:VCALENDAR\r\n'), 'ends with END:VCALENDAR and CRLF')
  t.notOk(/[^\r]\n/.test(text) || /\r[^\n]/.test(text), 'every line ends in CRLF')
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const bytes = res.rawPayload
  let start = 0
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) {
      const line = bytes.subarray(start, i)
      if (line.length > 75) t.fail(`a line longer than 75 octets: ${line.toString()}`)
      t.doesNotThrow(() => decoder.decode(line), 'no line splits a UTF-8 character')
      start = i + 2
    }
  }
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n')
  t.equal(lines.filter((l) => l.startsWith('VERSION:')).length, 1, 'VERSION once')
  t.same(lines.filter((l) => l.startsWith('PRODID:')), ['PRODID:-//Nadwa//Nadwa workshops//EN'], 'our PRODID once')
  const firstComponent = lines.findIndex((l, i) => i > 0 && l.startsWith('BEGIN:'))
  t.notOk(lines.slice(firstComponent).some((l) => /^(NAME|X-WR-CALNAME|REFRESH-INTERVAL|X-PUBLISHED-TTL|VERSION|PRODID|X-WR-TIMEZONE)[:;]/.test(l)), 'calendar properties come before the first component')
  t.ok(lines.includes('REFRESH-INTERVAL;VALUE=DURATION:PT1H'))
  t.ok(lines.includes('X-PUBLISHED-TTL:PT1H'))
  const tzids = lines.filter((l) => l.startsWith('TZID:'))
  t.same(tzids, zone ? [`TZID:${zone}`] : [], 'exactly one VTIMEZONE, of the workshop\'s zone')
  const afterZones = lines.slice(lines.lastIndexOf('END:VTIMEZONE') + 1)
  t.ok(afterZones.length > 0)
  for (const l of afterZones.filter((l) => /^DT(START|END)[:;]/.test(l))) {
    if (zone) t.match(l, new RegExp(`^DT(START|END);TZID=${zone}:\\d{8}T\\d{6}$`), 'times carry the TZID')
    else t.match(l, /^DT(START|END):\d{8}T\d{6}Z$/, 'times in UTC without a VTIMEZONE')
  }
  for (const l of lines.filter((l) => /^(DTSTAMP|CREATED|LAST-MODIFIED)[:;]/.test(l))) t.match(l, /^[A-Z-]+:\d{8}T\d{6}Z$/, 'stamps in UTC')
  t.notOk(/America\/New_York|Layla|@example\.org/.test(text), 'nothing from the host\'s zone, no attendee data')
  return lines
}

const get = (app: Awaited<ReturnType<typeof buildTestApp>>['app'], url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers })
const eventBlock = (text: string, id: string) => text.slice(text.indexOf(`UID:${id}@nadwa`), text.indexOf('END:VEVENT', text.indexOf(`UID:${id}@nadwa`)))

t.test('calendars', async (t) => {
  const { app, db } = await buildTestApp(t)
  const title = { en: 'Reintegration, planning; and \\ policy', ar: 'ورشة عمل حول التخطيط الاستراتيجي لإعادة الإدماج، بغداد' }
  const workshop = await createWorkshop(app, { title, timezone: 'Asia/Baghdad', start_date: '2023-02-05', end_date: '2023-02-07', default_language: 'en' }, true)
  const hall = await addRoom(db, workshop.id, { en: 'Hall A, ground floor', ar: 'القاعة أ' })
  const side = await addRoom(db, workshop.id, { en: 'Side room' })
  const opening = await addSession(db, workshop.id, {
    title: { en: 'Opening; welcome, words', ar: 'الجلسة الافتتاحية: كلمة معالي وزير الهجرة والمهجرين وكلمة ممثل المنظمة الدولية للهجرة في العراق' },
    description: { en: 'Line one\nLine two, with \\ backslash; semicolon', ar: 'وصف' }, kind: 'plenary',
    startsAt: '2023-02-05T09:00:00+03:00', endsAt: '2023-02-05T10:30:00+03:00', roomId: hall.id,
  })
  const keynote = await addSession(db, workshop.id, { title: { en: 'Keynote' }, kind: 'keynote', startsAt: '2023-02-05T11:00:00+03:00', endsAt: '2023-02-05T12:00:00+03:00', roomId: hall.id })
  const panel = await addSession(db, workshop.id, { title: { en: 'Panel on data' }, kind: 'panel', startsAt: '2023-02-06T09:00:00+03:00', endsAt: '2023-02-06T10:00:00+03:00', roomId: side.id })
  const group = await addSession(db, workshop.id, { title: { ar: 'مجموعة عمل' }, kind: 'working_group', startsAt: '2023-02-06T11:00:00+03:00', endsAt: '2023-02-06T12:30:00+03:00', roomId: side.id })
  const lunch = await addSession(db, workshop.id, { title: { en: 'Lunch' }, kind: 'break', startsAt: '2023-02-05T12:00:00+03:00', endsAt: '2023-02-05T13:00:00+03:00' })
  const url = `/v1/workshops/${workshop.id}/calendar.ics`

  await t.test('the workshop feed: RFC 5545, local times with a VTIMEZONE, stable identities', async (t) => {
    t.equal(workshop.calendar_url, `https://nadwa.test${url}`)
    t.equal(workshop.calendar_webcal_url, `webcal://nadwa.test${url}`)
    const res = await get(app, url)
    t.equal(res.statusCode, 200)
    const lines = assertWellFormed(t, res, 'Asia/Baghdad')
    t.ok(lines.includes('NAME:Reintegration\\, planning\\; and \\\\ policy'), 'the name is escaped')
    t.ok(lines.includes('X-WR-CALNAME:Reintegration\\, planning\\; and \\\\ policy'))
    t.ok(lines.includes(`URL:https://nadwa.test/v1/workshops/${workshop.id}`), 'URL values are not escaped')
    t.ok(lines.includes(`URL;VALUE=URI:https://nadwa.test/v1/workshops/${workshop.id}/sessions/${opening.id}`))
    t.ok(lines.includes('DTSTART;TZID=Asia/Baghdad:20230205T090000'), 'local wall-clock time')
    t.ok(lines.includes('SUMMARY:Opening\\; welcome\\, words'))
    t.ok(lines.includes('DESCRIPTION:Line one\\nLine two\\, with \\\\ backslash\\; semicolon'))
    t.ok(lines.includes('LOCATION:Hall A\\, ground floor'), 'LOCATION from the room')
    t.ok(lines.includes(`DTSTAMP:${DateTime.fromJSDate(opening.updatedAt, { zone: 'UTC' }).toFormat("yyyyLLdd'T'HHmmss'Z'")}`), 'DTSTAMP is the session\'s updated_at, in UTC')
    const events = parseBoth(t, res.body)
    t.same(events.map((e) => e.uid), [opening, keynote, lunch, panel, group].map((s) => `${s.id}@nadwa`), 'every session, in timetable order, UID from its id')
    for (const s of [opening, keynote, lunch, panel, group]) {
      const e = events.find((e) => e.uid === `${s.id}@nadwa`)!
      t.equal(e.start, s.startsAt.getTime(), 'start instant to the millisecond')
      t.equal(e.end, s.endsAt.getTime(), 'end instant to the millisecond')
      t.equal(e.tzid, 'Asia/Baghdad')
      t.equal(e.sequence, 0)
      t.equal(e.status, 'CONFIRMED')
    }
    t.equal(events[0].summary, 'Opening; welcome, words')
    t.equal(events[0].description, 'Line one\nLine two, with \\ backslash; semicolon')
    t.equal(events[3].summary, 'Panel on data')
    t.equal(events[4].summary, 'مجموعة عمل', 'falls back to the other language')
    t.equal((await get(app, url)).body, res.body, 'the same data gives the same bytes')
    t.match(res.headers['cache-control'], /no-cache/)
    t.equal(res.headers.vary, 'Accept-Language, Accept-Encoding')
  })

  await t.test('language from ?lang=, then Accept-Language, then the workshop\'s default', async (t) => {
    const arabic = await get(app, `${url}?lang=ar`)
    assertWellFormed(t, arabic, 'Asia/Baghdad')
    const events = parseBoth(t, arabic.body)
    t.equal(events[0].summary, 'الجلسة الافتتاحية: كلمة معالي وزير الهجرة والمهجرين وكلمة ممثل المنظمة الدولية للهجرة في العراق', 'long Arabic text survives folding')
    t.equal(events[0].location, 'القاعة أ')
    t.match(arabic.body, /X-WR-CALNAME:ورشة عمل/)
    t.equal((await get(app, url, { 'accept-language': 'ar-IQ, en;q=0.5' })).body, arabic.body)
    t.not((await get(app, url, { 'accept-language': 'ar' })).headers.etag, (await get(app, url)).headers.etag, 'the ETag depends on the language')
    t.equal((await get(app, `${url}?lang=en`, { 'accept-language': 'ar' })).body, (await get(app, url)).body, '?lang= wins')
    assertProblem(t, await get(app, `${url}?lang=fr`), 400, 'query.lang')
  })

  await t.test('filters by room and kind', async (t) => {
    const inSide = parseBoth(t, (await get(app, `${url}?room=${side.id}`)).body)
    t.same(inSide.map((e) => e.uid), [`${panel.id}@nadwa`, `${group.id}@nadwa`])
    const keynotes = parseBoth(t, (await get(app, `${url}?kind=keynote`)).body)
    t.same(keynotes.map((e) => e.uid), [`${keynote.id}@nadwa`])
    const both = await get(app, `${url}?kind=plenary&room=${side.id}`)
    assertWellFormed(t, both, 'Asia/Baghdad')
    t.same(parseBoth(t, both.body), [], 'no session matches: an empty calendar')
    t.not((await get(app, `${url}?kind=keynote`)).headers.etag, (await get(app, url)).headers.etag)
    assertProblem(t, await get(app, `${url}?room=nope`), 400, 'query.room')
    assertProblem(t, await get(app, `${url}?kind=party`), 400, 'query.kind')
  })

  await t.test('ETag and Last-Modified: 304 while nothing changed', async (t) => {
    const first = await get(app, url)
    const etag = String(first.headers.etag)
    const lastModified = String(first.headers['last-modified'])
    t.match(etag, /^"[A-Za-z0-9_-]{32}"$/)
    t.equal(new Date(lastModified).toUTCString(), lastModified)
    const notModified = await get(app, url, { 'if-none-match': etag })
    t.equal(notModified.statusCode, 304)
    t.equal(notModified.body, '')
    t.equal(notModified.headers.etag, etag)
    // RFC 9110 15.4.5: what a 304 must carry, and nothing the client's copy already has.
    t.equal(notModified.headers['cache-control'], 'public, no-cache')
    t.equal(notModified.headers.vary, 'Accept-Language, Accept-Encoding')
    for (const header of ['last-modified', 'content-disposition', 'content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']) {
      t.equal(notModified.headers[header], undefined, `a 304 leaves out ${header}`)
    }
    t.equal(first.headers['content-disposition'], undefined, 'the URL already ends in calendar.ics')
    t.equal(first.headers['x-content-type-options'], 'nosniff', 'the 200 has the security headers')
    t.equal((await get(app, url, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'weak comparison, lists')
    t.equal((await get(app, url, { 'if-none-match': '*' })).statusCode, 304)
    t.equal((await get(app, url, { 'if-none-match': '"other"' })).statusCode, 200)
    t.equal((await get(app, url, { 'if-modified-since': lastModified })).statusCode, 304)
    t.equal((await get(app, url, { 'if-modified-since': 'Thu, 01 Jan 2015 00:00:00 GMT' })).statusCode, 200)
    t.equal((await get(app, url, { 'if-modified-since': 'yesterday' })).statusCode, 200, 'a date that does not parse is ignored')
    t.equal((await get(app, url, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).statusCode, 200, 'If-None-Match wins over If-Modified-Since')
  })

  await t.test('moving a session updates it in place; cancelling keeps it, marked', async (t) => {
    const before = await get(app, url)
    await moveSession(db, panel.id, '2023-02-06T14:00:00+03:00', '2023-02-06T15:30:00+03:00')
    const after = await get(app, url, { 'if-none-match': String(before.headers.etag) })
    t.equal(after.statusCode, 200, 'the old ETag no longer matches')
    t.not(after.headers.etag, before.headers.etag)
    const events = parseBoth(t, after.body)
    const moved = events.find((e) => e.uid === `${panel.id}@nadwa`)!
    t.equal(moved.sequence, 1, 'SEQUENCE rises')
    t.equal(moved.start, Date.parse('2023-02-06T11:00:00Z'))
    t.equal(moved.end, Date.parse('2023-02-06T12:30:00Z'))
    t.equal(events.length, 5, 'not duplicated')
    for (const s of [opening, keynote, lunch, group]) t.equal(eventBlock(after.body, s.id), eventBlock(before.body, s.id), 'other events are unchanged')

    await cancelSession(db, keynote.id)
    const cancelled = await get(app, url, { 'if-none-match': String(after.headers.etag) })
    t.equal(cancelled.statusCode, 200)
    const e = parseBoth(t, cancelled.body).find((e) => e.uid === `${keynote.id}@nadwa`)!
    t.equal(e.status, 'CANCELLED')
    t.equal(e.sequence, 1)
    t.equal(e.summary, 'Cancelled: Keynote')
    const arabic = parseBoth(t, (await get(app, `${url}?lang=ar`)).body).find((e) => e.uid === `${keynote.id}@nadwa`)!
    t.equal(arabic.summary, 'أُلغيت: Keynote')

    await db.update(rooms).set({ name: { en: 'Side room (moved upstairs)' }, updatedAt: sql`now()` }).where(eq(rooms.id, side.id))
    const renamed = await get(app, url, { 'if-none-match': String(cancelled.headers.etag) })
    t.equal(renamed.statusCode, 200, 'a renamed room changes the feed')
    t.ok(parseBoth(t, renamed.body).some((e) => e.location === 'Side room (moved upstairs)'))
  })

  await t.test('one session\'s calendar', async (t) => {
    const res = await get(app, `/v1/workshops/${workshop.id}/sessions/${opening.id}/calendar.ics?lang=ar`)
    t.equal(res.statusCode, 200)
    assertWellFormed(t, res, 'Asia/Baghdad')
    t.same(parseBoth(t, res.body).map((e) => e.uid), [`${opening.id}@nadwa`])
    t.equal((await get(app, `/v1/workshops/${workshop.id}/sessions/${opening.id}/calendar.ics?lang=ar`, { 'if-none-match': String(res.headers.etag) })).statusCode, 304)
    const other = await createWorkshop(app, {}, true)
    assertProblem(t, await get(app, `/v1/workshops/${other.id}/sessions/${opening.id}/calendar.ics`), 404)
    assertProblem(t, await get(app, `/v1/workshops/${workshop.id}/sessions/00000000-0000-4000-8000-000000000000/calendar.ics`), 404)
    assertProblem(t, await get(app, `/v1/workshops/${workshop.id}/sessions/nope/calendar.ics`), 400, 'params.sessionId')
  })

  await t.test('drafts are not public; unknown workshops are 404', async (t) => {
    const draft = await createWorkshop(app)
    await addSession(db, draft.id, { title: { en: 'Secret' }, kind: 'plenary', startsAt: '2023-02-05T09:00:00+03:00', endsAt: '2023-02-05T10:00:00+03:00' })
    assertProblem(t, await get(app, `/v1/workshops/${draft.id}/calendar.ics`), 404)
    const preview = await get(app, `/v1/workshops/${draft.id}/calendar.ics`, admin)
    t.equal(preview.statusCode, 200, 'organisers may preview')
    t.match(preview.body, /SUMMARY:Secret/)
    assertProblem(t, await get(app, '/v1/workshops/00000000-0000-4000-8000-000000000000/calendar.ics'), 404)
    assertProblem(t, await get(app, '/v1/workshops/nope/calendar.ics'), 400, 'params.workshopId')
    assertProblem(t, await get(app, `/v1/workshops/${draft.id}/calendar.ics`, { authorization: 'Bearer wrong' }), 401)
    const [secret] = parseBoth(t, preview.body)
    const sessionUrl = `/v1/workshops/${draft.id}/sessions/${secret.uid.split('@')[0]}/calendar.ics`
    assertProblem(t, await get(app, sessionUrl), 404)
    t.equal((await get(app, sessionUrl, admin)).statusCode, 200)
  })

  await t.test('a cancelled workshop cancels every session', async (t) => {
    const w = await createWorkshop(app, { title: { en: 'Soon cancelled' } }, true)
    await addSession(db, w.id, { title: { en: 'Day one' }, kind: 'plenary', startsAt: '2023-02-05T09:00:00+03:00', endsAt: '2023-02-05T10:00:00+03:00' })
    const before = await get(app, `/v1/workshops/${w.id}/calendar.ics`)
    t.same(parseBoth(t, before.body).map((e) => e.status), ['CONFIRMED'])
    t.equal((await app.inject({ method: 'POST', url: `/v1/workshops/${w.id}/cancel`, headers: admin })).statusCode, 200)
    const after = await get(app, `/v1/workshops/${w.id}/calendar.ics`, { 'if-none-match': String(before.headers.etag) })
    t.equal(after.statusCode, 200)
    t.same(parseBoth(t, after.body).map((e) => e.status), ['CANCELLED'])
  })

  await t.test('the personal feed: plenaries, keynotes and the chosen sessions, nobody else\'s', async (t) => {
    const { registration, feedToken } = await addRegistration(db, workshop.id, [group.id])
    const other = await addRegistration(db, workshop.id, [panel.id])
    const personal = `/v1/calendars/${feedToken}.ics`
    const res = await get(app, personal)
    t.equal(res.statusCode, 200)
    const lines = assertWellFormed(t, res, 'Asia/Baghdad')
    t.ok(lines.includes('NAME:Reintegration\\, planning\\; and \\\\ policy (my sessions)'))
    t.same(parseBoth(t, res.body).map((e) => e.uid), [opening, keynote, group].map((s) => `${s.id}@nadwa`))
    t.notOk(res.body.includes(feedToken), 'the token is not in the text')
    t.equal(res.headers['cache-control'], 'private, no-cache')
    t.equal(res.headers['x-robots-tag'], 'noindex')
    t.equal(res.headers['content-disposition'], 'inline; filename="my-sessions.ics"', 'saved under a name, not under its secret token')
    t.same(parseBoth(t, (await get(app, `/v1/calendars/${other.feedToken}.ics`)).body).map((e) => e.uid), [opening, keynote, panel].map((s) => `${s.id}@nadwa`))
    t.match((await get(app, `${personal}?lang=ar`)).body.replace(/\r\n /g, ''), /\r\nNAME:.*\(جلساتي\)\r\n/)

    const unchanged = await get(app, personal, { 'if-none-match': String(res.headers.etag) })
    t.equal(unchanged.statusCode, 304)
    t.equal(unchanged.headers['last-modified'], undefined)
    t.equal(unchanged.headers['content-disposition'], undefined)
    await db.insert(registrationSessions).values({ registrationId: registration.id, sessionId: panel.id })
    const chosen = await get(app, personal, { 'if-none-match': String(res.headers.etag) })
    t.equal(chosen.statusCode, 200, 'a new choice changes the feed')
    t.equal(parseBoth(t, chosen.body).length, 4)

    assertProblem(t, await get(app, '/v1/calendars/ndw_cal_unknown.ics'), 404)
    assertProblem(t, await get(app, `/v1/calendars/${feedToken.slice(0, -1)}x.ics`), 404)

    await db.update(registrations).set({ status: 'cancelled', cancelledAt: sql`now()`, updatedAt: sql`now()` }).where(eq(registrations.id, registration.id))
    assertProblem(t, await get(app, personal), 410)
    assertProblem(t, await get(app, personal, { 'if-none-match': String(chosen.headers.etag) }), 410, undefined)
    await db.update(registrations).set({ erasedAt: sql`now()`, name: 'erased', email: 'erased', emailKey: `erased-${other.registration.id}` }).where(eq(registrations.id, other.registration.id))
    assertProblem(t, await get(app, `/v1/calendars/${other.feedToken}.ics`), 410)
    const rejected = await addRegistration(db, workshop.id, [], 'pending')
    t.equal((await get(app, `/v1/calendars/${rejected.feedToken}.ics`)).statusCode, 200, 'a pending registration sees the plenaries')
    await db.update(registrations).set({ status: 'rejected' }).where(eq(registrations.id, rejected.registration.id))
    assertProblem(t, await get(app, `/v1/calendars/${rejected.feedToken}.ics`), 410)

    const draft = await createWorkshop(app)
    const inDraft = await addRegistration(db, draft.id, [])
    assertProblem(t, await get(app, `/v1/calendars/${inDraft.feedToken}.ics`), 404)
  })
})

t.test('time zones: DST in Berlin, UTC+14 in Kiritimati, zones whose rules changed', async (t) => {
  const { app, db } = await buildTestApp(t)
  const cases: Array<{ zone: string, start: string, end: string, sessions: Array<[string, string, string]>, vtimezone: boolean }> = [
    {
      zone: 'Europe/Berlin', start: '2024-03-29', end: '2024-04-01', vtimezone: true,
      sessions: [['2024-03-30T10:00', '2024-03-30T11:00', '20240330T100000'], ['2024-03-31T01:30', '2024-03-31T03:30', '20240331T013000'], ['2024-03-31T10:00', '2024-03-31T11:00', '20240331T100000']],
    },
    { zone: 'Pacific/Kiritimati', start: '2024-01-01', end: '2024-01-02', vtimezone: true, sessions: [['2024-01-01T09:00', '2024-01-01T10:00', '20240101T090000']] },
    // Mexico dropped daylight saving in 2022; its VTIMEZONE (current rules) is right for 2024 ...
    { zone: 'America/Mexico_City', start: '2024-07-01', end: '2024-07-01', vtimezone: true, sessions: [['2024-07-01T09:00', '2024-07-01T10:00', '20240701T090000']] },
    // ... but would misread July 2020 (then on daylight saving): UTC times instead.
    { zone: 'America/Mexico_City', start: '2020-07-01', end: '2020-07-01', vtimezone: false, sessions: [['2020-07-01T09:00', '2020-07-01T10:00', '20200701T140000Z']] },
    { zone: 'America/Ciudad_Juarez', start: '2024-05-01', end: '2024-05-01', vtimezone: true, sessions: [['2024-05-01T09:00', '2024-05-01T10:00', '20240501T090000']] },
  ]
  for (const c of cases) {
    const w = await createWorkshop(app, { timezone: c.zone, start_date: c.start, end_date: c.end }, true)
    const rows = []
    for (const [start, end] of c.sessions) {
      const at = (local: string) => DateTime.fromISO(local, { zone: c.zone }).toUTC().toISO()!
      rows.push(await addSession(db, w.id, { title: { en: `At ${start}` }, kind: 'plenary', startsAt: at(start), endsAt: at(end) }))
    }
    const res = await get(app, `/v1/workshops/${w.id}/calendar.ics`)
    const lines = assertWellFormed(t, res, c.vtimezone ? c.zone : null)
    const events = parseBoth(t, res.body)
    rows.forEach((row, i) => {
      t.equal(events[i].start, row.startsAt.getTime(), `${c.zone}: start instant`)
      t.equal(events[i].end, row.endsAt.getTime(), `${c.zone}: end instant`)
      t.ok(lines.some((l) => l.startsWith('DTSTART') && l.endsWith(`:${c.sessions[i][2]}`)), `${c.zone}: local time ${c.sessions[i][2]}`)
    })
  }
  t.equal(new Date('2024-01-01T09:00:00+14:00').toISOString(), '2023-12-31T19:00:00.000Z')
  const juarez = await createWorkshop(app, { timezone: 'America/Ciudad_Juarez', start_date: '2024-05-01', end_date: '2024-05-01' }, true)
  assertWellFormed(t, await get(app, `/v1/workshops/${juarez.id}/calendar.ics`), 'America/Ciudad_Juarez')
})

t.test('two instances on one database see a change at once', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const first = await buildTestApp(t)
  const second = await buildTestApp(t, { url: first.url })
  const w = await createWorkshop(first.app, {}, true)
  const s = await addSession(first.db, w.id, { title: { en: 'Shared' }, kind: 'plenary', startsAt: '2023-02-05T09:00:00+03:00', endsAt: '2023-02-05T10:00:00+03:00' })
  const url = `/v1/workshops/${w.id}/calendar.ics`
  const a = await get(first.app, url)
  const b = await get(second.app, url)
  t.equal(a.body, b.body)
  t.equal(a.headers.etag, b.headers.etag)
  await moveSession(first.db, s.id, '2023-02-05T11:00:00+03:00', '2023-02-05T12:00:00+03:00')
  const moved = await get(second.app, url, { 'if-none-match': String(b.headers.etag) })
  t.equal(moved.statusCode, 200)
  t.match(moved.body, /SEQUENCE:1/)
  t.equal((await get(first.app, url, { 'if-none-match': String(moved.headers.etag) })).statusCode, 304)
})

t.test('workshop and session feeds: gzip for clients that accept it, one ETag hash for both codings', async (t) => {
  const { app, db } = await buildTestApp(t)
  const w = await createWorkshop(app, {}, true)
  const s = await addSession(db, w.id, { title: { en: 'Compressed' }, kind: 'plenary', startsAt: '2023-02-05T09:00:00+03:00', endsAt: '2023-02-05T10:00:00+03:00' })
  for (const url of [`/v1/workshops/${w.id}/calendar.ics`, `/v1/workshops/${w.id}/sessions/${s.id}/calendar.ics`]) {
    const plain = await get(app, url)
    const zipped = await get(app, url, { 'accept-encoding': 'gzip' })
    t.equal(zipped.headers['content-encoding'], 'gzip')
    t.match(zipped.headers['content-type'], /^text\/calendar/)
    t.equal(zipped.headers.vary, 'Accept-Language, Accept-Encoding')
    t.equal(gunzipSync(zipped.rawPayload).toString(), plain.body, 'the same feed, compressed')
    t.equal(zipped.headers.etag, String(plain.headers.etag).replace(/"$/, '-gzip"'))
    const revalidated = await get(app, url, { 'accept-encoding': 'gzip', 'if-none-match': String(plain.headers.etag) })
    t.equal(revalidated.statusCode, 304, 'a tag of either coding revalidates')
    t.equal(revalidated.headers.etag, zipped.headers.etag, 'the 304 names the tag this client would get')
    const brotli = await untilCoding(t, app, url, { 'accept-encoding': 'gzip, deflate, br' }, 'br')
    t.equal(brotliDecompressSync(brotli.rawPayload).toString(), plain.body, 'the same feed, in brotli')
    t.equal(brotli.headers.etag, String(plain.headers.etag).replace(/"$/, '-br"'))
    t.equal(brotli.headers.vary, 'Accept-Language, Accept-Encoding')
    const current = await get(app, url, { 'accept-encoding': 'br', 'if-none-match': String(zipped.headers.etag) })
    t.equal(current.statusCode, 304, 'a client that had gzip and now accepts brotli keeps its copy')
    t.equal(current.headers.etag, brotli.headers.etag)
  }
})
