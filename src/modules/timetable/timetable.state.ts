import { eq, sql } from 'drizzle-orm'
import { perDatabase, preparedOn, type Db } from '../../db/client.ts'
import { coalesced } from '../../lib/fresh.ts'
import { httpDate } from '../../lib/http.ts'
import { workshops } from '../workshops/workshops.table.ts'
import { timetableVersions } from './timetable.table.ts'

/** What a request for a workshop's agenda or calendar needs to know before anything is rendered. */
export interface TimetableState {
  status: 'draft' | 'published' | 'cancelled'
  defaultLanguage: 'ar' | 'en'
  /** Rises whenever anything the agenda or a calendar shows changes (triggers keep it). */
  version: number
  /** The version as the render caches' key takes it (made once per read, not per request). */
  versionKey: string
  /**
   * When that last happened (the workshop row's updated_at or the timetable's latest change), in
   * whole seconds and as an HTTP date, for Last-Modified and If-Modified-Since: made once per read.
   */
  lastModified: string
  lastModifiedSeconds: number
}

/**
 * A workshop's timetable state, read from the database for every request (one primary-key read,
 * prepared, shared by the requests that wait for it: see coalesced), so a change written through any
 * instance is seen by the next request everywhere. Undefined: no such workshop.
 */
export function timetableStates (db: Db): (workshopId: string) => Promise<TimetableState | undefined> {
  // One per database: the agenda's and the calendars' requests for a workshop share their reads.
  return perDatabase(db, 'timetable states', () => readStates(db))
}

function readStates (db: Db): (workshopId: string) => Promise<TimetableState | undefined> {
  const state = () => db.select({
    status: workshops.status,
    defaultLanguage: workshops.defaultLanguage,
    version: sql<number>`coalesce(${timetableVersions.version}, 0)`.mapWith(Number),
    // greatest() leaves out a null: no timetable row yet.
    changedAt: sql<Date>`greatest(${workshops.updatedAt}, ${timetableVersions.changedAt})`.mapWith(workshops.updatedAt),
  }).from(workshops).leftJoin(timetableVersions, eq(timetableVersions.workshopId, workshops.id))
    .where(eq(workshops.id, sql.placeholder('id')))
  return coalesced(async (workshopId: string): Promise<TimetableState | undefined> => {
    const [row] = await preparedOn(db, 'timetable_state', state).execute({ id: workshopId })
    if (!row) return undefined
    const lastModifiedSeconds = Math.floor(row.changedAt.getTime() / 1000)
    // Written out, not spread: one hidden class for every state (README, Performance: object spread).
    return { status: row.status, defaultLanguage: row.defaultLanguage, version: row.version, versionKey: String(row.version), lastModified: httpDate(lastModifiedSeconds), lastModifiedSeconds }
  })
}
