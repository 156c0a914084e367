import { and, asc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { Sector } from '../organisations/organisations.table.ts'
import { sessions } from '../timetable/timetable.table.ts'
import { attendance, registrationSessions, registrations, type REGISTRATION_STATUSES } from './registrations.table.ts'

export type RegistrationRow = typeof registrations.$inferSelect
export type NewRegistration = typeof registrations.$inferInsert
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]
export type SessionChoice = Pick<typeof sessions.$inferSelect, 'id' | 'startsAt' | 'endsAt' | 'capacity' | 'status'>

/** A registration with its place on the waitlist (1, 2, 3 … counted at read time, so never with gaps). */
export type PlacedRow = RegistrationRow & { waitlistPosition: number | null, cursorKey: string }

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

const placed = {
  // Written out: drizzle leaves columns inside sql`` unqualified, which the subquery's alias would capture.
  waitlistPosition: sql<number | null>`case when "registrations"."status" = 'waitlisted' then (
    select count(*)::int from registrations w
    where w.workshop_id = "registrations"."workshop_id" and w.status = 'waitlisted' and w.waitlist_seq <= "registrations"."waitlist_seq") end`,
  // created_at to the microsecond, as keyset cursors need it (a JS Date keeps only milliseconds).
  cursorKey: sql<string>`to_char(${registrations.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
}

export function registrationsRepository (db: Db) {
  const selectPlaced = () => db.select({ row: registrations, ...placed }).from(registrations)
  const flatten = (rows: { row: RegistrationRow, waitlistPosition: number | null, cursorKey: string }[]): PlacedRow[] =>
    rows.map((r) => ({ ...r.row, waitlistPosition: r.waitlistPosition === null ? null : Number(r.waitlistPosition), cursorKey: r.cursorKey }))

  return {
    async insert (values: NewRegistration): Promise<RegistrationRow> {
      const [row] = await db.insert(registrations).values(values).returning()
      return row
    },
    async findPlaced (workshopId: string, id: string): Promise<PlacedRow | undefined> {
      return flatten(await selectPlaced().where(and(eq(registrations.workshopId, workshopId), eq(registrations.id, id))))[0]
    },
    async findByManageHash (hash: string): Promise<RegistrationRow | undefined> {
      const [row] = await db.select().from(registrations).where(eq(registrations.manageTokenHash, hash))
      return row
    },
    async findByEmailKey (workshopId: string, emailKey: string): Promise<RegistrationRow | undefined> {
      const [row] = await db.select().from(registrations).where(and(eq(registrations.workshopId, workshopId), eq(registrations.emailKey, emailKey)))
      return row
    },
    async update (id: string, values: Partial<NewRegistration>): Promise<RegistrationRow> {
      const [row] = await db.update(registrations).set({ ...values, updatedAt: sql`now()` }).where(eq(registrations.id, id)).returning()
      return row
    },
    /** Puts a registration at the end of the waitlist. */
    async waitlist (id: string): Promise<void> {
      await db.update(registrations)
        .set({ status: 'waitlisted', cancelledAt: null, waitlistSeq: sql`nextval(pg_get_serial_sequence('registrations', 'waitlist_seq'))`, updatedAt: sql`now()` })
        .where(eq(registrations.id, id))
    },
    /** Confirmed and waitlisted registrations of a workshop. */
    async placeCounts (workshopId: string): Promise<{ confirmed: number, waitlisted: number }> {
      const [row] = await db.select({
        confirmed: sql<number>`count(*) filter (where ${registrations.status} = 'confirmed')::int`,
        waitlisted: sql<number>`count(*) filter (where ${registrations.status} = 'waitlisted')::int`,
      }).from(registrations).where(eq(registrations.workshopId, workshopId))
      return { confirmed: Number(row.confirmed), waitlisted: Number(row.waitlisted) }
    },
    async confirmedCount (workshopId: string): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(registrations)
        .where(and(eq(registrations.workshopId, workshopId), eq(registrations.status, 'confirmed')))
      return Number(row.n)
    },
    /** Seats taken in each of these sessions: confirmed registrations that chose it. */
    async sessionSeats (sessionIds: string[]): Promise<Map<string, number>> {
      if (sessionIds.length === 0) return new Map()
      const rows = await db.select({ sessionId: registrationSessions.sessionId, n: sql<number>`count(*)::int` })
        .from(registrationSessions).innerJoin(registrations, eq(registrations.id, registrationSessions.registrationId))
        .where(and(inArray(registrationSessions.sessionId, sessionIds), eq(registrations.status, 'confirmed')))
        .groupBy(registrationSessions.sessionId)
      return new Map(rows.map((r) => [r.sessionId, Number(r.n)]))
    },
    async sessionsOf (workshopId: string, ids: string[]): Promise<SessionChoice[]> {
      if (ids.length === 0) return []
      return db.select({ id: sessions.id, startsAt: sessions.startsAt, endsAt: sessions.endsAt, capacity: sessions.capacity, status: sessions.status })
        .from(sessions).where(and(eq(sessions.workshopId, workshopId), inArray(sessions.id, ids)))
        .orderBy(asc(sessions.startsAt), asc(sessions.id))
    },
    /** The sessions each registration chose. */
    async choicesOf (registrationIds: string[]): Promise<Map<string, SessionChoice[]>> {
      const map = new Map<string, SessionChoice[]>(registrationIds.map((id) => [id, []]))
      if (registrationIds.length === 0) return map
      const rows = await db.select({
        registrationId: registrationSessions.registrationId,
        session: { id: sessions.id, startsAt: sessions.startsAt, endsAt: sessions.endsAt, capacity: sessions.capacity, status: sessions.status },
      }).from(registrationSessions).innerJoin(sessions, eq(sessions.id, registrationSessions.sessionId))
        .where(inArray(registrationSessions.registrationId, registrationIds))
        .orderBy(asc(sessions.startsAt), asc(sessions.id))
      for (const r of rows) map.get(r.registrationId)!.push(r.session)
      return map
    },
    async addChoices (registrationId: string, sessionIds: string[]): Promise<void> {
      if (sessionIds.length > 0) await db.insert(registrationSessions).values(sessionIds.map((sessionId) => ({ registrationId, sessionId })))
    },
    async removeChoices (registrationId: string): Promise<void> {
      await db.delete(registrationSessions).where(eq(registrationSessions.registrationId, registrationId))
    },
    async checkedInDays (registrationIds: string[]): Promise<Map<string, string[]>> {
      const map = new Map<string, string[]>(registrationIds.map((id) => [id, []]))
      if (registrationIds.length === 0) return map
      const rows = await db.select({ registrationId: attendance.registrationId, day: attendance.day }).from(attendance)
        .where(inArray(attendance.registrationId, registrationIds)).orderBy(asc(attendance.day))
      for (const r of rows) map.get(r.registrationId)!.push(r.day)
      return map
    },
    /** Checks in on a day; a second check-in on the same day changes nothing. */
    async checkIn (registrationId: string, day: string): Promise<void> {
      await db.insert(attendance).values({ registrationId, day }).onConflictDoNothing()
    },
    /** The waitlist of a workshop, first in line first. */
    async waitlisted (workshopId: string): Promise<RegistrationRow[]> {
      return db.select().from(registrations)
        .where(and(eq(registrations.workshopId, workshopId), eq(registrations.status, 'waitlisted')))
        .orderBy(asc(registrations.waitlistSeq))
    },
    async list (filter: {
      workshopId: string, status?: RegistrationStatus, sector?: Sector, organisationId?: string, q?: string,
      after?: { sortKey: string, id: string }, limit?: number,
    }): Promise<PlacedRow[]> {
      const where: (SQL | undefined)[] = [eq(registrations.workshopId, filter.workshopId)]
      if (filter.status) where.push(eq(registrations.status, filter.status))
      if (filter.sector) where.push(eq(registrations.sector, filter.sector))
      if (filter.organisationId) where.push(eq(registrations.organisationId, filter.organisationId))
      if (filter.q) {
        const pattern = `%${escapeLike(filter.q)}%`
        where.push(or(sql`${registrations.name} ilike ${pattern}`, sql`${registrations.email} ilike ${pattern}`))
      }
      if (filter.after) {
        const at = sql`${filter.after.sortKey}::timestamptz`
        where.push(or(sql`${registrations.createdAt} > ${at}`, and(sql`${registrations.createdAt} = ${at}`, gt(registrations.id, filter.after.id))))
      }
      const query = selectPlaced().where(and(...where)).orderBy(asc(registrations.createdAt), asc(registrations.id))
      return flatten(filter.limit === undefined ? await query : await query.limit(filter.limit + 1))
    },
  }
}
