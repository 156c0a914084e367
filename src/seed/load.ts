// Loads the reference workshop THROUGH the HTTP API of the contract (app.inject with an organiser token),
// so the seed obeys every rule a client obeys. Idempotent: it looks before it writes, so a second run changes nothing.
import type { App } from '../lib/module.ts'
import { DateTime } from 'luxon'
import * as data from './baghdad.ts'

type Json = any
export interface SeedResult { workshopId: string, slug: string, created: number }

export interface SeedOptions {
  log: (line: string) => void
  /** Items per page when reading lists (the API's maximum by default). */
  pageSize?: number
}

export async function seedWorkshop (app: App, token: string, { log, pageSize = 500 }: SeedOptions): Promise<SeedResult> {
  const auth = { authorization: `Bearer ${token}` }
  let created = 0

  async function call (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, expect: number[] = [200, 201]): Promise<Json> {
    const res = await app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) })
    if (!expect.includes(res.statusCode)) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 500)}`)
    if (method !== 'GET') created += 1
    return JSON.parse(res.body)
  }
  /** Every item of a paginated list. */
  async function all (url: string): Promise<Json[]> {
    const items: Json[] = []
    let next = `${url}?limit=${pageSize}`
    for (;;) {
      const page: Json = await call('GET', next)
      items.push(...page.items)
      if (page.next_cursor === null) return items
      next = `${url}?limit=${pageSize}&cursor=${encodeURIComponent(page.next_cursor)}`
    }
  }
  const instant = (day: string, time: string) => DateTime.fromISO(`${day}T${time}`, { zone: data.WORKSHOP.timezone }).toISO({ suppressMilliseconds: true })!
  const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b)

  // Organisations, matched by their English name.
  const organisations = new Map<string, Json>()
  const known = await all('/v1/organisations')
  for (const o of data.ORGANISATIONS) {
    let row = known.find((k) => k.name.en?.toLowerCase() === o.name.en!.toLowerCase())
    if (!row) {
      const { key, ...body } = o
      row = await call('POST', '/v1/organisations', body)
    }
    organisations.set(o.key, row)
  }
  log(`organisations: ${organisations.size}`)

  // The workshop, found by its slug.
  let workshop: Json = (await all('/v1/workshops')).find((w) => w.slug === data.WORKSHOP.slug)
  if (!workshop) workshop = await call('POST', '/v1/workshops', data.WORKSHOP)
  const base = `/v1/workshops/${workshop.id}`
  for (const p of data.PARTNERS) {
    const organisation = organisations.get(p.organisation)
    if (!workshop.partners.some((x: Json) => x.organisation.id === organisation.id && x.role === p.role)) {
      await call('PUT', `${base}/partners/${organisation.id}`, { role: p.role })
    }
  }
  log(`workshop: ${data.WORKSHOP.slug} (${workshop.id})`)

  // The invented timetable: rooms, speakers, sessions.
  const speakers = new Map<string, Json>()
  const rooms = new Map<string, Json>()
  const knownRooms = await all(`${base}/rooms`)
  for (const r of data.ROOMS) {
    const { key, ...body } = r
    rooms.set(key, knownRooms.find((k) => k.name.en === r.name.en) ?? await call('POST', `${base}/rooms`, body))
  }
  const knownSpeakers = await all(`${base}/speakers`)
  for (const s of data.SPEAKERS) {
    const body = { name: s.name, title: s.title, organisation_id: organisations.get(s.organisation).id }
    speakers.set(s.key, knownSpeakers.find((k) => k.name === s.name) ?? await call('POST', `${base}/speakers`, body))
  }
  const knownSessions = await all(`${base}/sessions`)
  for (const s of data.SESSIONS) {
    const startsAt = instant(s.day, s.start)
    if (knownSessions.some((k) => k.title.en === s.title.en && sameInstant(k.starts_at, startsAt))) continue
    await call('POST', `${base}/sessions`, {
      title: s.title, description: s.description, kind: s.kind, starts_at: startsAt, ends_at: instant(s.day, s.end),
      room_id: rooms.get(s.room).id,
      ...(s.speakers ? { speaker_ids: s.speakers.map((k) => speakers.get(k).id) } : {}),
      ...(s.language ? { language: s.language } : {}),
    })
  }
  log(`timetable: ${rooms.size} rooms, ${speakers.size} speakers, ${data.SESSIONS.length} sessions`)

  if (workshop.status === 'draft') workshop = await call('POST', `${base}/publish`)

  // Participants (an organiser's registrations ignore the registration window) and their check-ins.
  const knownRegistrations = await all(`${base}/registrations`)
  for (const r of data.REGISTRATIONS) {
    const organisation = organisations.get(r.organisation)
    let registration = knownRegistrations.find((k) => k.email.toLowerCase() === r.email)
    if (!registration) {
      registration = (await call('POST', `${base}/registrations`, {
        name: r.name, email: r.email, title: r.title, organisation_id: organisation.id, sector: organisation.sector,
      })).registration
    }
    const checkedIn: string[] = registration.checked_in_days
    for (const day of r.days) {
      if (!checkedIn.includes(day)) await call('POST', `${base}/registrations/${registration.id}/check-in`, { day })
    }
    if (r.status === 'cancelled' && registration.status !== 'cancelled') {
      await call('PATCH', `${base}/registrations/${registration.id}`, { status: 'cancelled' })
    }
  }
  log(`registrations: ${data.REGISTRATIONS.length}`)

  // The summary: the release, with the four quotes of the speakers; published (the workshop is long over).
  const summary = {
    headline: data.SUMMARY.headline,
    lead: data.SUMMARY.lead,
    body: data.SUMMARY.body,
    dateline: data.SUMMARY.dateline,
    outcomes: data.SUMMARY.outcomes,
    quotes: data.SUMMARY.quotes.map((q) => ({ speaker_id: speakers.get(q.speaker).id, text: q.text })),
    contacts: data.SUMMARY.contacts,
  }
  const current = await app.inject({ method: 'GET', url: `${base}/summary`, headers: auth })
  const existing: Json = current.statusCode === 200 ? JSON.parse(current.body) : undefined
  if (!existing || !sameSummary(existing, summary)) await call('PUT', `${base}/summary`, summary)
  if (!existing || existing.status !== 'published') await call('POST', `${base}/summary/publish`)
  log(`summary: /summaries/${workshop.slug}`)
  return { workshopId: workshop.id, slug: workshop.slug, created }
}

/** Whether the stored summary already says what the seed would write (its quotes and contacts read through the keys the seed writes). */
function sameSummary (stored: Json, wanted: Json): boolean {
  const sorted = (value: Json) => JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v))
  const like = (rows: Json[], shapes: Json[]) => rows.length === shapes.length && shapes.every((shape, i) => Object.keys(shape).every((k) => sorted(rows[i][k]) === sorted(shape[k])))
  return ['headline', 'lead', 'body', 'dateline', 'outcomes'].every((k) => sorted(stored[k]) === sorted(wanted[k])) &&
    like(stored.quotes, wanted.quotes) && like(stored.contacts, wanted.contacts)
}
