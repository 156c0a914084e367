import { and, asc, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm'
import { preparedOn, type Db } from '../../db/client.ts'
import { organisations, type Sector } from './organisations.table.ts'

export type OrganisationRow = typeof organisations.$inferSelect
export type NewOrganisation = typeof organisations.$inferInsert

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export function organisationsRepository (db: Db) {
  return {
    async insert (values: NewOrganisation): Promise<OrganisationRow> {
      const [row] = await db.insert(organisations).values(values).returning()
      return row
    },
    /** Inserts, or answers undefined when another organisation holds the name key (also one being inserted concurrently). */
    async insertUnlessNameTaken (values: NewOrganisation): Promise<OrganisationRow | undefined> {
      const [row] = await db.insert(organisations).values(values).onConflictDoNothing({ target: organisations.nameKey }).returning()
      return row
    },
    async findById (id: string): Promise<OrganisationRow | undefined> {
      const query = preparedOn(db, 'organisation', () => db.select().from(organisations).where(eq(organisations.id, sql.placeholder('id'))))
      const [row] = await query.execute({ id })
      return row
    },
    async findByNameKey (nameKey: string): Promise<OrganisationRow | undefined> {
      const [row] = await db.select().from(organisations).where(eq(organisations.nameKey, nameKey))
      return row
    },
    /** An organisation whose name (either language), normalised key or acronym is this text, ignoring case. */
    async findByAnyName (nameKey: string): Promise<OrganisationRow | undefined> {
      const [row] = await db.select().from(organisations).where(or(
        eq(organisations.nameKey, nameKey),
        sql`lower(${organisations.name}->>'en') = ${nameKey}`,
        sql`lower(${organisations.name}->>'ar') = ${nameKey}`,
        sql`lower(${organisations.acronym}) = ${nameKey}`,
      )).orderBy(sql`${organisations.nameKey} = ${nameKey} desc`, asc(organisations.createdAt)).limit(1)
      return row
    },
    /** Changes a row, only when it is still at the expected version (when one is given). */
    async update (id: string, values: Partial<NewOrganisation>, expectedVersion: number | null): Promise<OrganisationRow | undefined> {
      const [row] = await db.update(organisations)
        .set(Object.assign({}, values, { version: sql`${organisations.version} + 1`, updatedAt: sql`now()` }))
        .where(and(eq(organisations.id, id), expectedVersion === null ? undefined : eq(organisations.version, expectedVersion))).returning()
      return row
    },
    async list (filter: { sector?: Sector, q?: string, after?: { sortKey: string, id: string }, limit: number }): Promise<OrganisationRow[]> {
      const where: SQL[] = []
      if (filter.sector) where.push(eq(organisations.sector, filter.sector))
      if (filter.q) {
        const pattern = `%${escapeLike(filter.q)}%`
        where.push(or(
          sql`${organisations.name}->>'en' ilike ${pattern}`,
          sql`${organisations.name}->>'ar' ilike ${pattern}`,
          ilike(organisations.acronym, pattern),
        )!)
      }
      if (filter.after) {
        where.push(or(gt(organisations.nameKey, filter.after.sortKey),
          and(eq(organisations.nameKey, filter.after.sortKey), gt(organisations.id, filter.after.id)))!)
      }
      return db.select().from(organisations).where(and(...where))
        .orderBy(asc(organisations.nameKey), asc(organisations.id)).limit(filter.limit + 1)
    },
  }
}
