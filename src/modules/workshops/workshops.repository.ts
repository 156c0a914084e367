import { and, asc, eq, gt, gte, inArray, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import { preparedOn, type Db } from '../../db/client.ts'
import { organisations } from '../organisations/organisations.table.ts'
import type { OrganisationRow } from '../organisations/organisations.repository.ts'
import { sessions } from '../timetable/timetable.table.ts'
import { workshopPartners, workshops, type PARTNER_ROLES } from './workshops.table.ts'

export type WorkshopRow = typeof workshops.$inferSelect
export type NewWorkshop = typeof workshops.$inferInsert
export type PartnerRole = (typeof PARTNER_ROLES)[number]
export interface PartnerRow { workshopId: string, role: PartnerRole, organisation: OrganisationRow }

export function workshopsRepository (db: Db) {
  return {
    async insert (values: NewWorkshop): Promise<WorkshopRow | undefined> {
      const [row] = await db.insert(workshops).values(values).onConflictDoNothing({ target: workshops.slug }).returning()
      return row
    },
    async findById (id: string, forUpdate = false): Promise<WorkshopRow | undefined> {
      const byId = () => db.select().from(workshops).where(eq(workshops.id, sql.placeholder('id')))
      const query = forUpdate
        ? preparedOn(db, 'workshop_for_update', () => byId().for('update'))
        : preparedOn(db, 'workshop', byId)
      const [row] = await query.execute({ id })
      return row
    },
    async slugTaken (slug: string, exceptId: string): Promise<boolean> {
      const [row] = await db.select({ id: workshops.id }).from(workshops)
        .where(and(eq(workshops.slug, slug), ne(workshops.id, exceptId)))
      return row !== undefined
    },
    /** Changes a workshop and raises its version (callers hold its row lock). */
    async update (id: string, values: Partial<NewWorkshop>): Promise<WorkshopRow> {
      const [row] = await db.update(workshops)
        .set(Object.assign({}, values, { version: sql`${workshops.version} + 1`, updatedAt: sql`now()` }))
        .where(eq(workshops.id, id)).returning()
      return row
    },
    async list (filter: { statuses: string[], from?: string, to?: string, after?: { sortKey: string, id: string }, limit: number }): Promise<WorkshopRow[]> {
      const where: (SQL | undefined)[] = [inArray(workshops.status, filter.statuses as WorkshopRow['status'][])]
      if (filter.from) where.push(gte(workshops.endDate, filter.from))
      if (filter.to) where.push(lte(workshops.startDate, filter.to))
      if (filter.after) {
        where.push(or(gt(workshops.startDate, filter.after.sortKey),
          and(eq(workshops.startDate, filter.after.sortKey), gt(workshops.id, filter.after.id))))
      }
      return db.select().from(workshops).where(and(...where))
        .orderBy(asc(workshops.startDate), asc(workshops.id)).limit(filter.limit + 1)
    },
    async partnersOf (workshopIds: string[]): Promise<PartnerRow[]> {
      if (workshopIds.length === 0) return []
      const partners = (where: SQL) => db.select({ workshopId: workshopPartners.workshopId, role: workshopPartners.role, organisation: organisations })
        .from(workshopPartners).innerJoin(organisations, eq(organisations.id, workshopPartners.organisationId))
        .where(where)
        .orderBy(asc(workshopPartners.createdAt), asc(organisations.nameKey))
      // One workshop (every read of a workshop): prepared once, as its row's read is.
      if (workshopIds.length === 1) {
        return preparedOn(db, 'workshop_partners', () => partners(eq(workshopPartners.workshopId, sql.placeholder('id')))).execute({ id: workshopIds[0] })
      }
      return partners(inArray(workshopPartners.workshopId, workshopIds))
    },
    /** Adds or changes a partner; answers whether it was new. */
    async upsertPartner (workshopId: string, organisationId: string, role: PartnerRole): Promise<boolean> {
      const [row] = await db.insert(workshopPartners).values({ workshopId, organisationId, role })
        .onConflictDoUpdate({ target: [workshopPartners.workshopId, workshopPartners.organisationId], set: { role } })
        .returning({ isNew: sql<boolean>`(xmax = 0)` })
      return row.isNew
    },
    async deletePartner (workshopId: string, organisationId: string): Promise<boolean> {
      const rows = await db.delete(workshopPartners)
        .where(and(eq(workshopPartners.workshopId, workshopId), eq(workshopPartners.organisationId, organisationId)))
        .returning({ id: workshopPartners.organisationId })
      return rows.length > 0
    },
    /** Sessions that would fall outside the span [start, end); the first few, for the error message. */
    async sessionsOutside (workshopId: string, start: Date, end: Date) {
      return db.select({ id: sessions.id, title: sessions.title, startsAt: sessions.startsAt }).from(sessions)
        .where(and(eq(sessions.workshopId, workshopId), or(sql`${sessions.startsAt} < ${start.toISOString()}`, sql`${sessions.endsAt} > ${end.toISOString()}`)))
        .orderBy(asc(sessions.startsAt)).limit(5)
    },
  }
}
