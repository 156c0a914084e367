// Stand-ins for the timetable and registrations routes of the contract (PRODUCT.md), for builds that do not
// have them yet: just enough of each operation for the seed to run through, writing the real tables.
// Registered only where the real route is missing, so once the modules are merged the real ones answer.
import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../src/db/client.ts'
import type { App } from '../src/lib/module.ts'
import { rooms, sessions, sessionSpeakers, speakers } from '../src/modules/timetable/timetable.table.ts'
import { attendance, registrations } from '../src/modules/registrations/registrations.table.ts'

type Body = Record<string, any>
type Params = Record<string, string>

export function addContractStubs (app: App, db: Db): string[] {
  const added: string[] = []
  const route = (method: 'GET' | 'POST' | 'PATCH', url: string, handler: (params: Params, body: Body) => Promise<unknown>, code = method === 'POST' ? 201 : 200) => {
    if (app.hasRoute({ method, url })) return
    added.push(`${method} ${url}`)
    app.route({ method, url, schema: { hide: true }, config: { auth: method === 'GET' ? 'public' : 'org' }, handler: async (request, reply) => reply.code(code).send(await handler(request.params as Params, (request.body ?? {}) as Body)) })
  }
  const list = (rows: unknown[]) => ({ items: rows, next_cursor: null })
  const w = '/v1/workshops/:workshopId'

  route('GET', `${w}/rooms`, async (p) => list(await db.select().from(rooms).where(eq(rooms.workshopId, p.workshopId))))
  route('POST', `${w}/rooms`, async (p, b) => (await db.insert(rooms).values({ workshopId: p.workshopId, name: b.name, capacity: b.capacity }).returning())[0])
  route('GET', `${w}/speakers`, async (p) => list(await db.select().from(speakers).where(eq(speakers.workshopId, p.workshopId))))
  route('POST', `${w}/speakers`, async (p, b) => (await db.insert(speakers).values({ workshopId: p.workshopId, name: b.name, title: b.title, organisationId: b.organisation_id }).returning())[0])
  route('GET', `${w}/sessions`, async (p) => list((await db.select().from(sessions).where(eq(sessions.workshopId, p.workshopId)))
    .map((s) => ({ id: s.id, title: s.title, starts_at: s.startsAt.toISOString() }))))
  route('POST', `${w}/sessions`, async (p, b) => {
    const [row] = await db.insert(sessions).values({
      workshopId: p.workshopId, title: b.title, description: b.description, kind: b.kind, startsAt: new Date(b.starts_at), endsAt: new Date(b.ends_at), roomId: b.room_id, language: b.language,
    }).returning()
    for (const [position, speakerId] of (b.speaker_ids ?? []).entries()) {
      await db.insert(sessionSpeakers).values({ sessionId: row.id, speakerId, position, startsAt: row.startsAt, endsAt: row.endsAt })
    }
    return { id: row.id }
  })

  const view = async (id: string) => {
    const [row] = await db.select().from(registrations).where(eq(registrations.id, id))
    const days = await db.select({ day: attendance.day }).from(attendance).where(eq(attendance.registrationId, id)).orderBy(attendance.day)
    return { id: row.id, email: row.email, status: row.status, checked_in_days: days.map((d) => d.day) }
  }
  route('GET', `${w}/registrations`, async (p) => {
    const rows = await db.select({ id: registrations.id }).from(registrations).where(eq(registrations.workshopId, p.workshopId))
    return list(await Promise.all(rows.map((r) => view(r.id))))
  })
  route('POST', `${w}/registrations`, async (p, b) => {
    const [row] = await db.insert(registrations).values({
      workshopId: p.workshopId, name: b.name, email: b.email, emailKey: b.email.toLowerCase(), title: b.title, organisationId: b.organisation_id, sector: b.sector,
      status: 'confirmed', manageTokenHash: randomBytes(16).toString('hex'), feedTokenHash: randomBytes(16).toString('hex'),
    }).returning()
    return { registration: await view(row.id), manage_token: 'stub', calendar_url: 'stub' }
  })
  route('PATCH', `${w}/registrations/:registrationId`, async (p, b) => {
    await db.update(registrations).set({ status: b.status, updatedAt: sql`now()` }).where(and(eq(registrations.id, p.registrationId), eq(registrations.workshopId, p.workshopId)))
    return view(p.registrationId)
  })
  route('POST', `${w}/registrations/:registrationId/check-in`, async (p, b) => {
    await db.insert(attendance).values({ registrationId: p.registrationId, day: b.day }).onConflictDoNothing()
    return view(p.registrationId)
  }, 200)
  return added
}
