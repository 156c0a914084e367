import { randomBytes } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { conflict, invalidField, notFound } from '../../errors.ts'
import { decodeCursor, pageOf } from '../../lib/http.ts'
import { chooseLanguage } from '../../lib/localized.ts'
import { daysOf, instantInZone, workshopSpan } from '../../lib/time.ts'
import { SECTORS } from '../organisations/organisations.table.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { workshopsRepository, type WorkshopRow } from '../workshops/workshops.repository.ts'
import { summariesRepository, type SummaryRow } from './summaries.repository.ts'
import type { FiguresView, PutSummaryInput, SummaryView } from './summaries.schemas.ts'
import type { Quote } from './summaries.table.ts'

export interface SummariesOptions {
  /** The clock: tests set it to decide whether a workshop is over. */
  now?: () => Date
}

type SpeakerRef = Awaited<ReturnType<ReturnType<typeof summariesRepository>['speakersByIds']>>[number]

export function summaryPageUrl (publicUrl: string, slug: string): string {
  return `${publicUrl}/summaries/${encodeURIComponent(slug)}`
}

/** A summary as clients see it; quotes of speakers show the speaker's current name, title and organisation. */
export function summaryView (row: SummaryRow, speakers: SpeakerRef[], publicUrl: string, zone: string): SummaryView {
  const byId = new Map(speakers.map((s) => [s.id, s]))
  return {
    workshop_id: row.workshopId,
    slug: row.slug,
    headline: row.headline,
    lead: row.lead ?? null,
    body: row.body ?? null,
    dateline: row.dateline ?? null,
    outcomes: row.outcomes,
    quotes: row.quotes.map((q) => {
      const speaker = q.speaker_id ? byId.get(q.speaker_id) : undefined
      return {
        speaker_id: q.speaker_id ?? null,
        name: speaker?.name ?? q.name!,
        title: (speaker ? speaker.title : q.title) ?? null,
        organisation: (speaker ? speaker.organisation : q.organisation) ?? null,
        text: q.text,
      }
    }),
    contacts: row.contacts.map((c) => ({ name: c.name, title: c.title ?? null, email: c.email ?? null, phone: c.phone ?? null })),
    status: row.status,
    figures: (row.figures as FiguresView | null) ?? null,
    published_at: row.publishedAt ? instantInZone(row.publishedAt, zone) : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    page_url: summaryPageUrl(publicUrl, row.slug),
  }
}

/** The figures of a workshop, from its data: one aggregate query per number. */
export async function computeFigures (tx: Db, workshop: WorkshopRow): Promise<FiguresView> {
  const repo = summariesRepository(tx)
  const { id, startDate, endDate } = workshop
  const registrations = { confirmed: 0, waitlisted: 0, pending: 0, cancelled: 0, rejected: 0 }
  for (const r of await repo.registrationsByStatus(id)) registrations[r.status] = r.count
  const perDay = new Map((await repo.attendancePerDay(id, startDate, endDate)).map((r) => [r.day, r.count]))
  const bySector: Record<string, number> = Object.fromEntries(SECTORS.map((s) => [s, 0]))
  for (const r of await repo.attendeesBySector(id, startDate, endDate)) bySector[r.sector] = r.count
  const sessions = { held: 0, cancelled: 0 }
  for (const r of await repo.sessionsByStatus(id)) sessions[r.status === 'scheduled' ? 'held' : 'cancelled'] = r.count
  return {
    registrations,
    attendees: await repo.attendees(id, startDate, endDate),
    attendance_per_day: daysOf(startDate, endDate).map((date) => ({ date, count: perDay.get(date) ?? 0 })),
    attendees_by_sector: bySector,
    attendees_by_organisation: (await repo.attendeesByOrganisation(id, startDate, endDate))
      .map((r) => ({ organisation_id: r.organisationId, name: r.name, count: r.count })),
    sessions,
    speakers: await repo.speakerCount(id),
    partners: await repo.partnerCount(id),
  }
}

const present = (value: unknown) => value !== undefined && value !== null

/**
 * The page and the Atom feed need Markdown, HTML sanitising and Atom libraries: loaded when a page or
 * the feed is first asked for, not at start (they were a tenth of the time from start to ready).
 */
const pages = () => import('./summaries.page.ts')

export function summariesService (db: Db, config: Config, options: SummariesOptions = {}) {
  const now = options.now ?? (() => new Date())
  const repo = (tx: Db = db) => summariesRepository(tx)
  const workshops = (tx: Db = db) => workshopsRepository(tx)
  const inTx = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db))

  async function views (rows: SummaryRow[], tx: Db = db): Promise<SummaryView[]> {
    const ids = [...new Set(rows.flatMap((r) => r.quotes.flatMap((q) => (q.speaker_id ? [q.speaker_id] : []))))]
    const speakers = await repo(tx).speakersByIds(ids)
    const zones = new Map<string, string>()
    for (const row of rows) {
      if (!zones.has(row.workshopId)) zones.set(row.workshopId, (await workshops(tx).findById(row.workshopId))!.timezone)
    }
    return rows.map((row) => summaryView(row, speakers, config.PUBLIC_URL, zones.get(row.workshopId)!))
  }

  /** Checks each quote and snapshots its speaker (the view shows the speaker's current data). */
  async function resolveQuotes (tx: Db, workshopId: string, quotes: PutSummaryInput['quotes'] = []): Promise<Quote[]> {
    const ids = quotes.flatMap((q) => (q.speaker_id ? [q.speaker_id] : []))
    const speakers = new Map((await repo(tx).speakersByIds(ids)).filter((s) => s.workshopId === workshopId).map((s) => [s.id, s]))
    return quotes.map((q, i) => {
      if (q.speaker_id) {
        for (const field of ['name', 'title', 'organisation'] as const) {
          if (present(q[field])) throw invalidField(`quotes.${i}.${field}`, 'comes from the speaker: give either speaker_id or name, title and organisation')
        }
        const speaker = speakers.get(q.speaker_id)
        if (!speaker) throw invalidField(`quotes.${i}.speaker_id`, 'is not a speaker of this workshop')
        return { speaker_id: q.speaker_id, name: speaker.name, text: q.text, ...(speaker.title ? { title: speaker.title } : {}), ...(speaker.organisation ? { organisation: speaker.organisation } : {}) }
      }
      if (!present(q.name)) throw invalidField(`quotes.${i}.name`, 'is required when the quote has no speaker_id')
      return { name: q.name!.trim(), text: q.text, ...(q.title ? { title: q.title } : {}), ...(q.organisation ? { organisation: q.organisation } : {}) }
    })
  }

  return {
    views,

    /** Drafts or corrects a summary: a full replace of the editable fields. `figures` in the input is ignored. */
    async put (workshopId: string, input: PutSummaryInput): Promise<{ view: SummaryView, created: boolean }> {
      return inTx(async (tx) => {
        const workshop = await workshops(tx).findById(workshopId, true)
        if (!workshop) throw notFound('Workshop')
        const values = {
          headline: input.headline,
          lead: input.lead ?? null,
          body: input.body ?? null,
          dateline: input.dateline ?? null,
          outcomes: input.outcomes ?? [],
          quotes: await resolveQuotes(tx, workshopId, input.quotes),
          contacts: (input.contacts ?? []).map((c) => ({
            name: c.name.trim(),
            ...(c.title ? { title: c.title } : {}),
            ...(c.email ? { email: c.email } : {}),
            ...(c.phone ? { phone: c.phone } : {}),
          })),
        }
        const existing = await repo(tx).findByWorkshop(workshopId, true)
        if (existing) {
          const row = await repo(tx).update(workshopId, values)
          return { view: (await views([row], tx))[0], created: false }
        }
        // The page's slug is the workshop's; a short suffix only if another summary holds it already.
        let row = await repo(tx).insert({ workshopId, slug: workshop.slug, ...values })
        while (!row) row = await repo(tx).insert({ workshopId, slug: `${workshop.slug}-${randomBytes(3).toString('hex')}`, ...values })
        return { view: (await views([row], tx))[0], created: true }
      })
    },

    /** A summary as this caller may see it: drafts only with an organiser token. */
    async get (workshopId: string, principal: Principal | null): Promise<SummaryView> {
      const row = await repo().findByWorkshop(workshopId)
      if (!row || (row.status !== 'published' && !principal)) throw notFound('Summary')
      return (await views([row]))[0]
    },

    /**
     * Publishes a summary once the workshop's last day is over in its time zone, with figures computed
     * now and frozen; publishing again recomputes them, keeps the first published_at and moves updated_at.
     */
    async publish (workshopId: string): Promise<SummaryView> {
      return inTx(async (tx) => {
        const workshop = await workshops(tx).findById(workshopId)
        if (!workshop) throw notFound('Workshop')
        const summary = await repo(tx).findByWorkshop(workshopId, true)
        if (!summary) throw notFound('Summary')
        if (workshop.status !== 'published') {
          throw conflict('workshop-not-published', `A summary is published only for a published workshop (this one is ${workshop.status})`)
        }
        const at = now()
        const over = workshopSpan(workshop.timezone, workshop.startDate, workshop.endDate).end
        if (at < over) {
          throw conflict('workshop-not-over', `The workshop is not over: its last day (${workshop.endDate}) ends at ${instantInZone(over, workshop.timezone)}`, { publishable_at: instantInZone(over, workshop.timezone) })
        }
        const figures = await computeFigures(tx, workshop)
        const row = await repo(tx).update(workshopId, { status: 'published', figures, publishedAt: summary.publishedAt ?? at })
        return (await views([row], tx))[0]
      })
    },

    async list (query: { limit?: number, cursor?: string }) {
      const limit = query.limit ?? 50
      const after = decodeCursor(query.cursor)
      if (after && Number.isNaN(Date.parse(after.sortKey))) throw invalidField('query.cursor', 'is not a cursor this service gave out')
      const rows = await repo().listPublished(after, limit)
      const page = pageOf(rows, limit, (r) => [r.publishedAt!.toISOString(), r.workshopId])
      return { items: await views(page.items), next_cursor: page.next_cursor }
    },

    /** The public HTML page of a published summary, in the reader's language. */
    async page (slug: string, langQuery: string | undefined, acceptLanguage: string | undefined) {
      const row = await repo().findBySlug(slug)
      if (!row || row.status !== 'published') throw notFound('Summary')
      const workshop = (await workshops().findById(row.workshopId))!
      const lang = chooseLanguage(langQuery, acceptLanguage, workshop.defaultLanguage)
      const partners = await workshops().partnersOf([workshop.id])
      const [view] = await views([row])
      const { renderSummaryPage, SUMMARY_PAGE_CSP } = await pages()
      return { lang, html: renderSummaryPage({ summary: view, workshop, partners, lang }), csp: SUMMARY_PAGE_CSP }
    },

    /** The Atom feed of published summaries, newest first. */
    async feed (): Promise<string> {
      const rows = await repo().listPublished(undefined, 100)
      const { renderSummaryFeed } = await pages()
      return renderSummaryFeed(await views(rows.slice(0, 100)), config.PUBLIC_URL)
    },
  }
}
