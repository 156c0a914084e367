import { and, asc, desc, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { organisations } from '../organisations/organisations.table.ts'
import { attendance, registrations } from '../registrations/registrations.table.ts'
import { sessions, speakers } from '../timetable/timetable.table.ts'
import { workshopPartners } from '../workshops/workshops.table.ts'
import { summaries } from './summaries.table.ts'

export type SummaryRow = typeof summaries.$inferSelect
export type NewSummary = typeof summaries.$inferInsert

export function summariesRepository (db: Db) {
  return {
    async findByWorkshop (workshopId: string, forUpdate = false): Promise<SummaryRow | undefined> {
      const query = db.select().from(summaries).where(eq(summaries.workshopId, workshopId))
      const [row] = forUpdate ? await query.for('update') : await query
      return row
    },
    async findBySlug (slug: string): Promise<SummaryRow | undefined> {
      const [row] = await db.select().from(summaries).where(eq(summaries.slug, slug))
      return row
    },
    /** Inserts a new summary; undefined when its slug is taken by another summary. */
    async insert (values: NewSummary): Promise<SummaryRow | undefined> {
      const [row] = await db.insert(summaries).values(values).onConflictDoNothing({ target: summaries.slug }).returning()
      return row
    },
    async update (workshopId: string, values: Partial<NewSummary>): Promise<SummaryRow> {
      const [row] = await db.update(summaries).set(Object.assign({}, values, { updatedAt: sql`now()` })).where(eq(summaries.workshopId, workshopId)).returning()
      return row
    },
    /** Published summaries, newest publication first (keyset on published_at, workshop_id). */
    async listPublished (after: { sortKey: string, id: string } | undefined, limit: number): Promise<SummaryRow[]> {
      const where = [eq(summaries.status, 'published'), isNotNull(summaries.publishedAt)]
      if (after) {
        where.push(or(lt(summaries.publishedAt, new Date(after.sortKey)),
          and(eq(summaries.publishedAt, new Date(after.sortKey)), lt(summaries.workshopId, after.id)))!)
      }
      return db.select().from(summaries).where(and(...where))
        .orderBy(desc(summaries.publishedAt), desc(summaries.workshopId)).limit(limit + 1)
    },
    /** Speakers with these ids, with their workshop and their organisation's name. */
    async speakersByIds (ids: string[]) {
      if (ids.length === 0) return []
      return db.select({ id: speakers.id, workshopId: speakers.workshopId, name: speakers.name, title: speakers.title, organisation: organisations.name })
        .from(speakers).leftJoin(organisations, eq(organisations.id, speakers.organisationId))
        .where(inArray(speakers.id, ids))
    },

    // The figures: every number is one aggregate query, never a scan in JavaScript.
    async registrationsByStatus (workshopId: string) {
      return db.select({ status: registrations.status, count: sql<number>`count(*)::int` })
        .from(registrations).where(eq(registrations.workshopId, workshopId)).groupBy(registrations.status)
    },
    /** People checked in on at least one day of the workshop (erased people too: the rows stay). */
    async attendees (workshopId: string, firstDay: string, lastDay: string): Promise<number> {
      const [row] = await db.select({ count: sql<number>`count(distinct ${attendance.registrationId})::int` })
        .from(attendance).innerJoin(registrations, eq(registrations.id, attendance.registrationId))
        .where(and(eq(registrations.workshopId, workshopId), sql`${attendance.day} between ${firstDay} and ${lastDay}`))
      return row.count
    },
    async attendancePerDay (workshopId: string, firstDay: string, lastDay: string) {
      return db.select({ day: attendance.day, count: sql<number>`count(*)::int` })
        .from(attendance).innerJoin(registrations, eq(registrations.id, attendance.registrationId))
        .where(and(eq(registrations.workshopId, workshopId), sql`${attendance.day} between ${firstDay} and ${lastDay}`))
        .groupBy(attendance.day)
    },
    /** Attendees by sector: the registration's own sector, else its organisation's, else `other`. */
    async attendeesBySector (workshopId: string, firstDay: string, lastDay: string) {
      const sector = sql<string>`coalesce(${registrations.sector}, ${organisations.sector}, 'other')`
      return db.select({ sector, count: sql<number>`count(distinct ${registrations.id})::int` })
        .from(registrations)
        .innerJoin(attendance, eq(attendance.registrationId, registrations.id))
        .leftJoin(organisations, eq(organisations.id, registrations.organisationId))
        .where(and(eq(registrations.workshopId, workshopId), sql`${attendance.day} between ${firstDay} and ${lastDay}`))
        .groupBy(sector)
    },
    async attendeesByOrganisation (workshopId: string, firstDay: string, lastDay: string) {
      const count = sql<number>`count(distinct ${registrations.id})::int`
      return db.select({ organisationId: organisations.id, name: organisations.name, count })
        .from(registrations)
        .innerJoin(attendance, eq(attendance.registrationId, registrations.id))
        .innerJoin(organisations, eq(organisations.id, registrations.organisationId))
        .where(and(eq(registrations.workshopId, workshopId), sql`${attendance.day} between ${firstDay} and ${lastDay}`))
        .groupBy(organisations.id, organisations.name, organisations.nameKey)
        .orderBy(desc(count), asc(organisations.nameKey))
    },
    /** Sessions by status, breaks left out. */
    async sessionsByStatus (workshopId: string) {
      return db.select({ status: sessions.status, count: sql<number>`count(*)::int` })
        .from(sessions).where(and(eq(sessions.workshopId, workshopId), ne(sessions.kind, 'break'))).groupBy(sessions.status)
    },
    async speakerCount (workshopId: string): Promise<number> {
      const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(speakers).where(eq(speakers.workshopId, workshopId))
      return row.count
    },
    async partnerCount (workshopId: string): Promise<number> {
      const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(workshopPartners).where(eq(workshopPartners.workshopId, workshopId))
      return row.count
    },
  }
}
