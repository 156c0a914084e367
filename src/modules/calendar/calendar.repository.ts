import { asc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { registrations } from '../registrations/registrations.table.ts'
import { rooms, sessions, SESSION_KINDS } from '../timetable/timetable.table.ts'
import { workshops } from '../workshops/workshops.table.ts'
import type { CalendarSession } from './calendar.render.ts'

export type SessionKind = (typeof SESSION_KINDS)[number]

/** Which sessions a feed holds, as a condition on `sessions` (correlated with the row of the state query). */
export type FeedSelection =
  | { of: 'workshop', workshopId: string, roomId?: string, kind?: SessionKind }
  | { of: 'session', workshopId: string, sessionId: string }
  | { of: 'registration', registrationId: SQL | string, workshopId: SQL | string }

/** Kinds every participant's personal feed holds, chosen or not. */
export const FOR_EVERYONE: SessionKind[] = ['plenary', 'keynote']

// Written with qualified names: drizzle leaves columns unqualified in a one-table select, and these
// conditions also run inside a subquery correlated with `workshops` or `registrations`.
function sessionCondition (selection: FeedSelection): SQL {
  switch (selection.of) {
    case 'workshop':
      return sql.join([
        sql`sessions.workshop_id = ${selection.workshopId}`,
        selection.roomId ? sql`sessions.room_id = ${selection.roomId}` : undefined,
        selection.kind ? sql`sessions.kind = ${selection.kind}` : undefined,
      ].filter((c) => c !== undefined), sql` and `)
    case 'session':
      return sql`sessions.workshop_id = ${selection.workshopId} and sessions.id = ${selection.sessionId}`
    case 'registration':
      return sql`sessions.workshop_id = ${selection.workshopId} and (sessions.kind in (${sql.join(FOR_EVERYONE.map((k) => sql`${k}`), sql`, `)})
        or exists (select 1 from registration_sessions rs where rs.registration_id = ${selection.registrationId} and rs.session_id = sessions.id))`
  }
}

/**
 * One aggregate over a feed's sessions and their rooms: "<count> <md5 of every (id, version,
 * sequence, updated_at, room, room's updated_at)> <latest updated_at as epoch seconds>".
 * It changes whenever anything an event shows changes, whichever instance wrote it.
 */
function sessionsDigest (selection: FeedSelection): SQL<string> {
  return sql<string>`(select count(*)::text || ' ' ||
      md5(coalesce(string_agg(concat_ws(':', sessions.id, sessions.version, sessions.sequence,
        (extract(epoch from sessions.updated_at) * 1000000)::bigint, rooms.id, (extract(epoch from rooms.updated_at) * 1000000)::bigint),
        ',' order by sessions.id), '')) || ' ' ||
      coalesce(extract(epoch from greatest(max(sessions.updated_at), max(rooms.updated_at)))::text, '0')
    from sessions left join rooms on rooms.id = sessions.room_id
    where ${sessionCondition(selection)})`
}

const workshopColumns = {
  workshopId: workshops.id,
  status: workshops.status,
  title: workshops.title,
  timezone: workshops.timezone,
  defaultLanguage: workshops.defaultLanguage,
  workshopUpdatedAt: workshops.updatedAt,
}

export interface FeedState {
  workshopId: string
  status: 'draft' | 'published' | 'cancelled'
  title: { ar?: string, en?: string }
  timezone: string
  defaultLanguage: 'ar' | 'en'
  workshopUpdatedAt: Date
  digest: string
}

export interface PersonalFeedState extends FeedState {
  registrationId: string
  registrationStatus: string
  erasedAt: Date | null
  registrationUpdatedAt: Date
}

export function calendarRepository (db: Db) {
  return {
    /** What a workshop's feeds show of the workshop itself; undefined when it does not exist. */
    async workshop (workshopId: string): Promise<Omit<FeedState, 'digest'> | undefined> {
      const [row] = await db.select(workshopColumns).from(workshops).where(eq(workshops.id, workshopId))
      return row
    },

    /** A personal feed's state, found by the hash of its token, in one query. */
    async personalFeedState (feedTokenHash: string): Promise<PersonalFeedState | undefined> {
      const selection: FeedSelection = { of: 'registration', registrationId: sql`registrations.id`, workshopId: sql`workshops.id` }
      const [row] = await db.select({
        registrationId: registrations.id,
        registrationStatus: registrations.status,
        erasedAt: registrations.erasedAt,
        registrationUpdatedAt: registrations.updatedAt,
        digest: sessionsDigest(selection),
        ...workshopColumns,
      }).from(registrations).innerJoin(workshops, eq(workshops.id, registrations.workshopId))
        .where(eq(registrations.feedTokenHash, feedTokenHash))
      return row
    },

    /** The sessions of a feed with their rooms, in timetable order. */
    async sessions (selection: FeedSelection): Promise<CalendarSession[]> {
      return db.select({
        id: sessions.id,
        workshopId: sessions.workshopId,
        title: sessions.title,
        description: sessions.description,
        kind: sessions.kind,
        startsAt: sessions.startsAt,
        endsAt: sessions.endsAt,
        status: sessions.status,
        sequence: sessions.sequence,
        version: sessions.version,
        createdAt: sessions.createdAt,
        updatedAt: sessions.updatedAt,
        roomId: rooms.id,
        roomName: rooms.name,
        roomUpdatedAt: rooms.updatedAt,
      }).from(sessions).leftJoin(rooms, eq(rooms.id, sessions.roomId))
        .where(sessionCondition(selection))
        .orderBy(asc(sessions.startsAt), asc(sessions.endsAt), asc(sessions.id))
    },
  }
}
