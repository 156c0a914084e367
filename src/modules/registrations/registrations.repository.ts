import { and, asc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm'
import { preparedOn, rowsOf, type Db } from '../../db/client.ts'
import type { Sector } from '../organisations/organisations.table.ts'
import { sessions } from '../timetable/timetable.table.ts'
import { attendance, registrationSessions, registrations, sessionSeats, workshopPlaces, type REGISTRATION_STATUSES } from './registrations.table.ts'

export type RegistrationRow = typeof registrations.$inferSelect
export type NewRegistration = typeof registrations.$inferInsert
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]
/** What placeNew writes: the person, their choices, and what the caller checked the workshop at. */
export interface NewPlacement {
  workshopId: string
  workshopVersion: number
  organiser: boolean
  name: string
  email: string
  emailKey: string
  title: string | null
  organisationId: string | null
  sector: Sector | null
  manageTokenHash: string
  feedTokenHash: string
  sessionIds: string[]
}
/** Where placeNew put a registration, or why it wrote nothing. */
export type Placement = { id: string, status: RegistrationStatus, waitlistPosition: number | null, createdAt: Date } | 'changed' | 'duplicate'
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
    // The added fields first, the row spread last: one hidden class for every row (README, Performance: object spread).
    rows.map((r) => ({ waitlistPosition: r.waitlistPosition === null ? null : Number(r.waitlistPosition), cursorKey: r.cursorKey, ...r.row }))

  return {
    async findPlaced (workshopId: string, id: string): Promise<PlacedRow | undefined> {
      return flatten(await selectPlaced().where(and(eq(registrations.workshopId, workshopId), eq(registrations.id, id))))[0]
    },
    async findByManageHash (hash: string): Promise<RegistrationRow | undefined> {
      const [row] = await db.select().from(registrations).where(eq(registrations.manageTokenHash, hash))
      return row
    },
    async findByEmailKey (workshopId: string, emailKey: string): Promise<RegistrationRow | undefined> {
      const query = preparedOn(db, 'registration_by_email', () => db.select().from(registrations)
        .where(and(eq(registrations.workshopId, sql.placeholder('workshopId')), eq(registrations.emailKey, sql.placeholder('emailKey')))))
      const [row] = await query.execute({ workshopId, emailKey })
      return row
    },
    async update (id: string, values: Partial<NewRegistration>): Promise<RegistrationRow> {
      const [row] = await db.update(registrations).set(Object.assign({}, values, { updatedAt: sql`now()` })).where(eq(registrations.id, id)).returning()
      return row
    },
    /** Puts a registration at the end of the waitlist. */
    async waitlist (id: string): Promise<void> {
      await db.update(registrations)
        .set({ status: 'waitlisted', cancelledAt: null, waitlistSeq: sql`nextval(pg_get_serial_sequence('registrations', 'waitlist_seq'))`, updatedAt: sql`now()` })
        .where(eq(registrations.id, id))
    },
    /**
     * Decides a new registration's place and writes it, in one statement: it reads the workshop's
     * confirmed and waitlisted counts (workshop_places, kept by a trigger), the seats taken in the
     * chosen sessions that have a capacity (session_seats, kept by triggers too), and inserts the
     * registration with its status and its chosen sessions. Run it in a transaction that holds the
     * workshop's row lock already (every seat decision of a workshop happens under that lock): the
     * statement's snapshot must be taken after the lock was granted. The same rule as `fits` in the
     * service: confirmed when the workshop has a place and every chosen scheduled session with a
     * capacity a seat; pending when the workshop needs approval and the caller is not an organiser;
     * waitlisted otherwise. Nothing is written when the workshop's version is no longer
     * `workshopVersion` (`changed`: it changed since the caller checked it) or when the address is
     * registered already (`duplicate`): it does not fail, so several can share one transaction.
     */
    async placeNew (values: NewPlacement): Promise<Placement> {
      const sessionIds = values.sessionIds.length === 0
        ? sql`array[]::uuid[]`
        : sql`array[${sql.join(values.sessionIds.map((id) => sql`${id}::uuid`), sql`, `)}]`
      const [row] = await rowsOf<{ current: boolean, id: string | null, status: RegistrationStatus, created_ms: number, waitlisted: number }>(db, sql`
        with w as (
          select capacity, requires_approval from workshops where id = ${values.workshopId} and version = ${values.workshopVersion}
        ), counts as (
          select coalesce(p.confirmed, 0) as confirmed, coalesce(p.waitlisted, 0) as waitlisted
          from (select 1) one left join workshop_places p on p.workshop_id = ${values.workshopId}
        ), decided as (
          select counts.waitlisted, case
            when w.requires_approval and not ${values.organiser} then 'pending'
            when (w.capacity is null or counts.confirmed < w.capacity) and not exists (
              select 1 from sessions s
              where s.id = any(${sessionIds}) and s.status = 'scheduled' and s.capacity is not null
                and s.capacity <= coalesce((select seats.confirmed from session_seats seats where seats.session_id = s.id), 0)
            ) then 'confirmed'
            else 'waitlisted' end as status
          from w, counts
        ), inserted as (
          insert into registrations (workshop_id, name, email, email_key, title, organisation_id, sector, status, manage_token_hash, feed_token_hash)
          select ${values.workshopId}, ${values.name}, ${values.email}, ${values.emailKey}, ${values.title}, ${values.organisationId}, ${values.sector},
            decided.status, ${values.manageTokenHash}, ${values.feedTokenHash}
          from decided
          on conflict (workshop_id, email_key) do nothing
          returning id, status, created_at
        ), chosen as (
          insert into registration_sessions (registration_id, session_id)
          select inserted.id, choice from inserted, unnest(${sessionIds}) as choice
        )
        select exists (select 1 from w) as current, inserted.id, inserted.status,
          (extract(epoch from inserted.created_at) * 1000)::float8 as created_ms, decided.waitlisted
        from (select 1) one left join inserted on true left join decided on true`)
      if (!row.current) return 'changed'
      if (row.id === null) return 'duplicate'
      return {
        id: row.id,
        status: row.status,
        waitlistPosition: row.status === 'waitlisted' ? Number(row.waitlisted) + 1 : null,
        createdAt: new Date(Number(row.created_ms)),
      }
    },
    /** Confirmed registrations of a workshop, from the counts the trigger keeps (placeNew reads the same row). */
    async confirmedCount (workshopId: string): Promise<number> {
      const [row] = await db.select({ n: workshopPlaces.confirmed }).from(workshopPlaces).where(eq(workshopPlaces.workshopId, workshopId))
      return row?.n ?? 0
    },
    /** Seats taken in each of these sessions (confirmed registrations that chose it), from the counts the triggers keep; 0 for none yet. */
    async sessionSeats (sessionIds: string[]): Promise<Map<string, number>> {
      const seats = new Map(sessionIds.map((id) => [id, 0]))
      if (sessionIds.length === 0) return seats
      for (const r of await db.select().from(sessionSeats).where(inArray(sessionSeats.sessionId, sessionIds))) seats.set(r.sessionId, r.confirmed)
      return seats
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
