import { randomBytes } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { conflict, invalidField, notFound, preconditionFailed, unauthorized } from '../../errors.ts'
import { decodeCursor, pageOf } from '../../lib/http.ts'
import { canonicalTimeZone, dayCount, daysOf, instantInZone, workshopSpan } from '../../lib/time.ts'
import { pick } from '../../lib/localized.ts'
import { organisationView } from '../organisations/organisations.service.ts'
import { organisationsRepository } from '../organisations/organisations.repository.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { workshopsRepository, type NewWorkshop, type PartnerRole, type PartnerRow, type WorkshopRow } from './workshops.repository.ts'
import { promoteWaitlist } from '../registrations/registrations.service.ts'
import type { CreateWorkshopInput, UpdateWorkshopInput, WorkshopView } from './workshops.schemas.ts'

const MAX_DAYS = 60

/** A URL name from a title: ASCII letters and digits joined by single dashes. */
export function slugify (text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80).replace(/-+$/, '')
}

export function workshopUrls (publicUrl: string, id: string) {
  const https = `${publicUrl}/v1/workshops/${id}/calendar.ics`
  return { calendar_url: https, calendar_webcal_url: https.replace(/^https?:/, 'webcal:') }
}

export function workshopView (row: WorkshopRow, partners: PartnerRow[], publicUrl: string): WorkshopView {
  const zone = row.timezone
  const inZone = (d: Date | null) => (d ? instantInZone(d, zone) : null)
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    timezone: zone,
    start_date: row.startDate,
    end_date: row.endDate,
    days: daysOf(row.startDate, row.endDate),
    venue: row.venue ?? null,
    default_language: row.defaultLanguage,
    status: row.status,
    capacity: row.capacity,
    registration_opens_at: inZone(row.registrationOpensAt),
    registration_closes_at: inZone(row.registrationClosesAt),
    requires_approval: row.requiresApproval,
    partners: partners.filter((p) => p.workshopId === row.id).map((p) => ({ organisation: organisationView(p.organisation), role: p.role })),
    published_at: inZone(row.publishedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    // Spreads last: one hidden class (README, Performance: object spread).
    ...workshopUrls(publicUrl, row.id),
  }
}

/** Checks the rules that span fields: a real zone, end on or after start, a window that closes after it opens. */
function checkDates (values: { timezone: string, startDate: string, endDate: string, opensAt: Date | null, closesAt: Date | null }): string {
  const zone = canonicalTimeZone(values.timezone)
  if (!zone) throw invalidField('timezone', `"${values.timezone}" is not an IANA time zone (such as Asia/Baghdad)`)
  if (values.endDate < values.startDate) throw invalidField('end_date', 'must be on or after start_date')
  // Counted, not listed: a span of centuries must not keep the event loop busy. (Both are days: the schema checks them.)
  if (!(dayCount(values.startDate, values.endDate) <= MAX_DAYS)) throw invalidField('end_date', `a workshop lasts at most ${MAX_DAYS} days`)
  if (values.opensAt && values.closesAt && values.closesAt <= values.opensAt) {
    throw invalidField('registration_closes_at', 'must be after registration_opens_at')
  }
  return zone
}

const toDate = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value))

export function workshopsService (db: Db, config: Config) {
  const repo = (tx: Db = db) => workshopsRepository(tx)
  const inTx = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db))

  async function view (row: WorkshopRow, tx: Db = db): Promise<WorkshopView> {
    return workshopView(row, await repo(tx).partnersOf([row.id]), config.PUBLIC_URL)
  }

  /** Reads a workshop as this caller may see it: drafts only with an organiser token. */
  async function visible (id: string, principal: Principal | null): Promise<WorkshopRow> {
    const row = await repo().findById(id)
    if (!row || (row.status === 'draft' && !principal)) throw notFound('Workshop')
    return row
  }

  /**
   * Runs a change of a workshop under its row lock, honouring If-Match; a change raises the version,
   * and `null` from fn says nothing changed (publishing a published workshop).
   */
  async function change (id: string, expectedVersion: number | null, fn: (tx: Db, row: WorkshopRow) => Promise<Partial<NewWorkshop> | null>,
    after?: (tx: Db, row: WorkshopRow, before: WorkshopRow) => Promise<unknown>) {
    return inTx(async (tx) => {
      const current = await repo(tx).findById(id, true)
      if (!current) throw notFound('Workshop')
      if (expectedVersion !== null && current.version !== expectedVersion) throw preconditionFailed()
      const values = await fn(tx, current)
      const row = values === null ? current : await repo(tx).update(id, values)
      if (after) await after(tx, row, current)
      return { row, view: await view(row, tx) }
    })
  }

  return {
    view,
    visible,

    async create (input: CreateWorkshopInput, tx: Db): Promise<{ row: WorkshopRow, view: WorkshopView }> {
      const opensAt = toDate(input.registration_opens_at) ?? null
      const closesAt = toDate(input.registration_closes_at) ?? null
      const timezone = checkDates({ timezone: input.timezone, startDate: input.start_date, endDate: input.end_date, opensAt, closesAt })
      const values: NewWorkshop = {
        slug: input.slug ?? '',
        title: input.title,
        description: input.description ?? null,
        timezone,
        startDate: input.start_date,
        endDate: input.end_date,
        venue: input.venue ?? null,
        defaultLanguage: input.default_language ?? (input.title.en ? 'en' : 'ar'),
        capacity: input.capacity ?? null,
        registrationOpensAt: opensAt,
        registrationClosesAt: closesAt,
        requiresApproval: input.requires_approval ?? false,
      }
      if (input.slug) {
        const row = await repo(tx).insert(values)
        if (!row) throw conflict('slug-taken', `The slug "${input.slug}" is taken by another workshop`)
        return { row, view: await view(row, tx) }
      }
      // A slug from the title and year; a short random suffix when that is taken.
      const base = `${slugify(input.title.en ?? '') || 'workshop'}-${input.start_date.slice(0, 4)}`
      let row = await repo(tx).insert(Object.assign({}, values, { slug: base }))
      while (!row) row = await repo(tx).insert(Object.assign({}, values, { slug: `${base}-${randomBytes(3).toString('hex')}` }))
      return { row, view: await view(row, tx) }
    },

    async list (query: { status?: WorkshopRow['status'], from?: string, to?: string, limit?: number, cursor?: string }, principal: Principal | null) {
      if (query.status === 'draft' && !principal) throw unauthorized('Listing drafts needs an organiser token')
      const statuses = query.status ? [query.status] : principal ? ['draft', 'published', 'cancelled'] : ['published', 'cancelled']
      const limit = query.limit ?? 50
      const rows = await repo().list({ statuses, from: query.from, to: query.to, after: decodeCursor(query.cursor), limit })
      const page = pageOf(rows, limit, (r) => [r.startDate, r.id])
      const partners = await repo().partnersOf(page.items.map((r) => r.id))
      return { items: page.items.map((r) => workshopView(r, partners, config.PUBLIC_URL)), next_cursor: page.next_cursor }
    },

    async update (id: string, input: UpdateWorkshopInput, expectedVersion: number | null) {
      return change(id, expectedVersion, async (tx, current) => {
        const opensAt = toDate(input.registration_opens_at)
        const closesAt = toDate(input.registration_closes_at)
        const next = {
          timezone: input.timezone ?? current.timezone,
          startDate: input.start_date ?? current.startDate,
          endDate: input.end_date ?? current.endDate,
          opensAt: opensAt === undefined ? current.registrationOpensAt : opensAt,
          closesAt: closesAt === undefined ? current.registrationClosesAt : closesAt,
        }
        const timezone = checkDates(next)
        if (timezone !== current.timezone || next.startDate !== current.startDate || next.endDate !== current.endDate) {
          const span = workshopSpan(timezone, next.startDate, next.endDate)
          const outside = await repo(tx).sessionsOutside(id, span.start, span.end)
          if (outside.length > 0) {
            throw conflict('sessions-outside-dates',
              `Sessions would fall outside the workshop's days, such as "${pick(outside[0].title, current.defaultLanguage)}" (${outside[0].id}); move them first`,
              { session_ids: outside.map((s) => s.id) })
          }
        }
        if (input.slug && input.slug !== current.slug && await repo(tx).slugTaken(input.slug, id)) {
          throw conflict('slug-taken', `The slug "${input.slug}" is taken by another workshop`)
        }
        const values: Partial<NewWorkshop> = {
          timezone,
          startDate: next.startDate,
          endDate: next.endDate,
          registrationOpensAt: next.opensAt,
          registrationClosesAt: next.closesAt,
        }
        if (input.title !== undefined) values.title = input.title
        if (input.slug !== undefined) values.slug = input.slug
        if (input.description !== undefined) values.description = input.description
        if (input.venue !== undefined) values.venue = input.venue
        if (input.default_language !== undefined) values.defaultLanguage = input.default_language
        if (input.capacity !== undefined) values.capacity = input.capacity
        if (input.requires_approval !== undefined) values.requiresApproval = input.requires_approval
        return values
      }, async (tx, row, before) => {
        // A raised capacity confirms people from the waitlist, in this same transaction.
        if (row.capacity !== before.capacity) await promoteWaitlist(tx, id)
      })
    },

    async publish (id: string, expectedVersion: number | null) {
      return change(id, expectedVersion, async (_tx, current) => {
        if (current.status === 'cancelled') throw conflict('workshop-cancelled', 'A cancelled workshop cannot be published')
        return current.status === 'published' ? null : { status: 'published', publishedAt: current.publishedAt ?? new Date() }
      })
    },

    async cancel (id: string, expectedVersion: number | null) {
      return change(id, expectedVersion, async (_tx, current) =>
        current.status === 'cancelled' ? null : { status: 'cancelled', cancelledAt: new Date() })
    },

    async setPartner (id: string, organisationId: string, role: PartnerRole, expectedVersion: number | null) {
      let created = false
      const result = await change(id, expectedVersion, async (tx) => {
        const organisation = await organisationsRepository(tx).findById(organisationId)
        if (!organisation) throw notFound('Organisation')
        created = await repo(tx).upsertPartner(id, organisationId, role)
        return {}
      })
      const partner = result.view.partners.find((p) => p.organisation.id === organisationId)!
      return { partner, created, ...result }
    },

    async removePartner (id: string, organisationId: string, expectedVersion: number | null) {
      return change(id, expectedVersion, async (tx) => {
        if (!await repo(tx).deletePartner(id, organisationId)) throw notFound('Partner')
        return {}
      })
    },
  }
}
