import { and, asc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Db } from '../../db/client.ts'
import type { Localized } from '../../lib/localized.ts'
import { workshops } from '../workshops/workshops.table.ts'
import { rooms, sessions, sessionSpeakers, speakers } from './timetable.table.ts'

export type RoomRow = typeof rooms.$inferSelect
export type SpeakerRow = typeof speakers.$inferSelect
export type SessionRow = typeof sessions.$inferSelect
export type NewSession = typeof sessions.$inferInsert
export type NewSpeaker = typeof speakers.$inferInsert
export interface Cursor { sortKey: string, id: string }
/** The other session of an overlap, as a 409 names it. */
export interface OtherSession { id: string, title: Localized, startsAt: Date, endsAt: Date }

const iso = (d: Date) => d.toISOString()
const afterKey = (column: AnyPgColumn, id: AnyPgColumn, after: Cursor | undefined): SQL | undefined =>
  after && or(gt(column, new Date(after.sortKey)), and(eq(column, new Date(after.sortKey)), gt(id, after.id)))
const otherFields = { id: sessions.id, title: sessions.title, startsAt: sessions.startsAt, endsAt: sessions.endsAt }

export function timetableRepository (db: Db) {
  return {
    /** Reads the workshop under a share lock: its days and zone cannot change until this transaction ends. */
    async workshopForShare (workshopId: string) {
      const [row] = await db.select({ id: workshops.id, timezone: workshops.timezone, startDate: workshops.startDate, endDate: workshops.endDate, defaultLanguage: workshops.defaultLanguage })
        .from(workshops).where(eq(workshops.id, workshopId)).for('share')
      return row
    },

    async insertRoom (values: typeof rooms.$inferInsert): Promise<RoomRow> {
      const now = new Date()
      const [row] = await db.insert(rooms).values(Object.assign({}, values, { createdAt: now, updatedAt: now })).returning()
      return row
    },
    async roomsOf (workshopId: string, after?: Cursor, limit = 10_000): Promise<RoomRow[]> {
      return db.select().from(rooms).where(and(eq(rooms.workshopId, workshopId), afterKey(rooms.createdAt, rooms.id, after)))
        .orderBy(asc(rooms.createdAt), asc(rooms.id)).limit(limit + 1)
    },
    async findRoom (workshopId: string, id: string): Promise<RoomRow | undefined> {
      const [row] = await db.select().from(rooms).where(and(eq(rooms.workshopId, workshopId), eq(rooms.id, id)))
      return row
    },

    async insertSpeaker (values: NewSpeaker): Promise<SpeakerRow> {
      const now = new Date()
      const [row] = await db.insert(speakers).values(Object.assign({}, values, { createdAt: now, updatedAt: now })).returning()
      return row
    },
    async updateSpeaker (workshopId: string, id: string, values: Partial<NewSpeaker>): Promise<SpeakerRow | undefined> {
      const [row] = await db.update(speakers).set(Object.assign({}, values, { updatedAt: sql`now()` }))
        .where(and(eq(speakers.workshopId, workshopId), eq(speakers.id, id))).returning()
      return row
    },
    async speakersOf (workshopId: string, after?: Cursor, limit = 10_000): Promise<SpeakerRow[]> {
      return db.select().from(speakers).where(and(eq(speakers.workshopId, workshopId), afterKey(speakers.createdAt, speakers.id, after)))
        .orderBy(asc(speakers.createdAt), asc(speakers.id)).limit(limit + 1)
    },
    async speakersByIds (workshopId: string, ids: string[]): Promise<SpeakerRow[]> {
      if (ids.length === 0) return []
      return db.select().from(speakers).where(and(eq(speakers.workshopId, workshopId), inArray(speakers.id, ids)))
    },

    async insertSession (values: NewSession): Promise<SessionRow> {
      const [row] = await db.insert(sessions).values(values).returning()
      return row
    },
    /** Changes a session and raises its version (callers hold its row lock). */
    async updateSession (id: string, values: Partial<NewSession>): Promise<SessionRow> {
      const [row] = await db.update(sessions).set(Object.assign({}, values, { version: sql`${sessions.version} + 1`, updatedAt: values.cancelledAt ?? sql`now()` }))
        .where(eq(sessions.id, id)).returning()
      return row
    },
    async findSession (workshopId: string, id: string, forUpdate = false): Promise<SessionRow | undefined> {
      const query = db.select().from(sessions).where(and(eq(sessions.workshopId, workshopId), eq(sessions.id, id)))
      const [row] = forUpdate ? await query.for('update') : await query
      return row
    },
    async listSessions (filter: { workshopId: string, from?: Date, to?: Date, roomId?: string, status?: SessionRow['status'], after?: Cursor, limit: number }): Promise<SessionRow[]> {
      const where: (SQL | undefined)[] = [eq(sessions.workshopId, filter.workshopId)]
      if (filter.from) where.push(sql`${sessions.startsAt} >= ${iso(filter.from)}`)
      if (filter.to) where.push(sql`${sessions.startsAt} < ${iso(filter.to)}`)
      if (filter.roomId) where.push(eq(sessions.roomId, filter.roomId))
      if (filter.status) where.push(eq(sessions.status, filter.status))
      where.push(afterKey(sessions.startsAt, sessions.id, filter.after))
      return db.select().from(sessions).where(and(...where))
        .orderBy(asc(sessions.startsAt), asc(sessions.id)).limit(filter.limit + 1)
    },

    /** Speaker ids of sessions, in each session's order. */
    async speakerLinks (sessionIds: string[]): Promise<Array<{ sessionId: string, speakerId: string }>> {
      if (sessionIds.length === 0) return []
      return db.select({ sessionId: sessionSpeakers.sessionId, speakerId: sessionSpeakers.speakerId }).from(sessionSpeakers)
        .where(inArray(sessionSpeakers.sessionId, sessionIds)).orderBy(asc(sessionSpeakers.sessionId), asc(sessionSpeakers.position))
    },
    /**
     * Writes the speakers of a session with its time copied in (the exclusion constraint reads them there).
     * Rows go in speaker-id order so that two racing writers take their locks in one order.
     */
    async setSessionSpeakers (session: SessionRow, speakerIds: string[]): Promise<void> {
      await db.delete(sessionSpeakers).where(eq(sessionSpeakers.sessionId, session.id))
      if (speakerIds.length === 0) return
      const rows = speakerIds.map((speakerId, position) => ({
        sessionId: session.id, speakerId, position, startsAt: session.startsAt, endsAt: session.endsAt, active: session.status === 'scheduled',
      })).sort((a, b) => a.speakerId.localeCompare(b.speakerId))
      await db.insert(sessionSpeakers).values(rows)
    },

    /** A scheduled session in this room that overlaps [start, end), other than `exceptId`. */
    async roomConflict (roomId: string, start: Date, end: Date, exceptId?: string): Promise<OtherSession | undefined> {
      const [row] = await db.select(otherFields).from(sessions)
        .where(and(eq(sessions.roomId, roomId), eq(sessions.status, 'scheduled'),
          sql`${sessions.startsAt} < ${iso(end)}`, sql`${sessions.endsAt} > ${iso(start)}`,
          exceptId ? ne(sessions.id, exceptId) : undefined))
        .orderBy(asc(sessions.startsAt)).limit(1)
      return row
    },
    /** A scheduled session of one of these speakers that overlaps [start, end), other than `exceptId`. */
    async speakerConflict (speakerIds: string[], start: Date, end: Date, exceptId?: string): Promise<(OtherSession & { speakerId: string }) | undefined> {
      if (speakerIds.length === 0) return undefined
      const [row] = await db.select({ speakerId: sessionSpeakers.speakerId, ...otherFields }).from(sessionSpeakers)
        .innerJoin(sessions, eq(sessions.id, sessionSpeakers.sessionId))
        .where(and(inArray(sessionSpeakers.speakerId, speakerIds), eq(sessionSpeakers.active, true),
          sql`${sessionSpeakers.startsAt} < ${iso(end)}`, sql`${sessionSpeakers.endsAt} > ${iso(start)}`,
          exceptId ? ne(sessionSpeakers.sessionId, exceptId) : undefined))
        .orderBy(asc(sessions.startsAt)).limit(1)
      return row
    },
  }
}
