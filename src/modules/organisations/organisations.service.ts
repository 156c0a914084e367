import type { Db } from '../../db/client.ts'
import { conflict, notFound, preconditionFailed } from '../../errors.ts'
import { decodeCursor, pageOf } from '../../lib/http.ts'
import type { Localized } from '../../lib/localized.ts'
import type { Sector } from './organisations.table.ts'
import { organisationsRepository, type NewOrganisation, type OrganisationRow } from './organisations.repository.ts'
import type { CreateOrganisationInput, OrganisationView, UpdateOrganisationInput } from './organisations.schemas.ts'

/** The key organisations are matched by: the English name (else the Arabic), case and spacing folded. */
export function organisationNameKey (name: Localized | string): string {
  const text = typeof name === 'string' ? name : (name.en ?? name.ar)!
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()
}

export function organisationView (row: OrganisationRow): OrganisationView {
  return {
    id: row.id,
    name: row.name,
    acronym: row.acronym,
    sector: row.sector,
    country: row.country,
    website: row.website,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }
}

const nameTaken = (existing: OrganisationRow) =>
  conflict('organisation-exists', `An organisation with this name exists already (${existing.id})`, { organisation_id: existing.id })

export function organisationsService (db: Db) {
  const repo = (tx: Db = db) => organisationsRepository(tx)
  return {
    async create (input: CreateOrganisationInput, tx: Db = db): Promise<OrganisationRow> {
      const nameKey = organisationNameKey(input.name)
      const existing = await repo(tx).findByNameKey(nameKey)
      if (existing) throw nameTaken(existing)
      return repo(tx).insert(Object.assign({}, input, { nameKey }))
    },

    async get (id: string): Promise<OrganisationRow> {
      const row = await repo().findById(id)
      if (!row) throw notFound('Organisation')
      return row
    },

    async update (id: string, input: UpdateOrganisationInput, expectedVersion: number | null = null): Promise<OrganisationRow> {
      return db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Db
        const values: Partial<NewOrganisation> = { ...input }
        if (input.name) {
          values.nameKey = organisationNameKey(input.name)
          const existing = await repo(tx).findByNameKey(values.nameKey)
          if (existing && existing.id !== id) throw nameTaken(existing)
        }
        const row = await repo(tx).update(id, values, expectedVersion)
        if (row) return row
        throw (await repo(tx).findById(id)) ? preconditionFailed() : notFound('Organisation')
      })
    },

    async list (query: { sector?: Sector, q?: string, limit?: number, cursor?: string }) {
      const limit = query.limit ?? 50
      const rows = await repo().list({ sector: query.sector, q: query.q, after: decodeCursor(query.cursor), limit })
      const page = pageOf(rows, limit, (r) => [r.nameKey, r.id])
      return { items: page.items.map(organisationView), next_cursor: page.next_cursor }
    },

    /**
     * The organisation a participant names: an existing one matched by name or acronym, or a new one
     * with the given sector. Safe under concurrency: a racing insert of the same name is absorbed.
     */
    async matchOrCreate (tx: Db, input: { name: string, sector: Sector }): Promise<OrganisationRow> {
      const nameKey = organisationNameKey(input.name)
      const found = await repo(tx).findByAnyName(nameKey)
      if (found) return found
      const name = /[\u0600-\u06ff]/.test(input.name) ? { ar: input.name.trim() } : { en: input.name.trim() }
      const inserted = await repo(tx).insertUnlessNameTaken({ name, nameKey, sector: input.sector })
      // Only when another transaction inserted the same name meanwhile (raced on PostgreSQL in the tests).
      /* c8 ignore next */
      return inserted ?? (await repo(tx).findByNameKey(nameKey))!
    },
  }
}
