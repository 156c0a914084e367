import { randomBytes } from 'node:crypto'
import { stringify } from 'csv-stringify/sync'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { conflict, invalidField, notFound, ProblemError, unauthorized } from '../../errors.ts'
import { decodeCursor, pageOf } from '../../lib/http.ts'
import { grouped } from '../../lib/fresh.ts'
import { pick } from '../../lib/localized.ts'
import { daysOf, today } from '../../lib/time.ts'
import { bearerToken, hashToken, newToken } from '../../lib/tokens.ts'
import { organisationsRepository } from '../organisations/organisations.repository.ts'
import { organisationsService } from '../organisations/organisations.service.ts'
import { organisations } from '../organisations/organisations.table.ts'
import type { Sector } from '../organisations/organisations.table.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { workshopsRepository, type WorkshopRow } from '../workshops/workshops.repository.ts'
import { inArray } from 'drizzle-orm'
import {
  registrationsRepository, type NewPlacement, type NewRegistration, type Placement, type PlacedRow, type RegistrationRow, type SessionChoice,
} from './registrations.repository.ts'
import type {
  CreateRegistrationInput, ListRegistrationsInput, RegistrationCreatedView, RegistrationView, UpdateMyRegistrationInput, UpdateRegistrationInput,
} from './registrations.schemas.ts'

/*
 * Seats. A confirmed registration holds a place at the workshop and a seat in each chosen session
 * that has its own capacity; pending, waitlisted, cancelled and rejected ones hold nothing.
 * Every decision about seats is taken in one transaction that holds the workshop's row lock
 * (SELECT … FOR UPDATE), so that all such decisions of one workshop happen one after another,
 * whatever the number of service instances. Session rows are deliberately not locked: the one
 * workshop lock already serialises them, and the timetable may then call promoteWaitlist while it
 * holds a session's lock without any risk of a deadlock (locks are always taken workshop first).
 */

/** The registration a request's manage token opened. */
export interface ManagedRegistration { id: string, workshopId: string }

const emailKeyOf = (email: string) => email.trim().toLowerCase()

/** Whether a registration with these chosen sessions fits: a place at the workshop and a seat in each full-capacity session (`seats`: those taken in each chosen session). */
function fits (workshopFree: number, choices: SessionChoice[], seats: Map<string, number>): boolean {
  if (workshopFree <= 0) return false
  return choices.every((s) => s.status !== 'scheduled' || s.capacity === null || seats.get(s.id)! < s.capacity)
}

async function freePlaces (tx: Db, workshop: WorkshopRow): Promise<number> {
  if (workshop.capacity === null) return Number.POSITIVE_INFINITY
  return workshop.capacity - await registrationsRepository(tx).confirmedCount(workshop.id)
}

/**
 * Confirms people from the head of the waitlist while places are free, in the caller's transaction
 * (it takes the workshop's row lock, which the caller may hold already). A person whose chosen
 * session is still full keeps their place in line and the next one who fits is confirmed; they move
 * up as soon as a seat frees in that session. Answers the ids it confirmed.
 * Call it after anything that may free a place: a cancellation, a raised capacity of the workshop or
 * of a session.
 */
export async function promoteWaitlist (tx: Db, workshopId: string): Promise<string[]> {
  const workshop = await workshopsRepository(tx).findById(workshopId, true)
  if (!workshop || workshop.status === 'cancelled') return []
  const repo = registrationsRepository(tx)
  let free = await freePlaces(tx, workshop)
  if (free <= 0) return []
  const line = await repo.waitlisted(workshopId)
  if (line.length === 0) return []
  const choices = await repo.choicesOf(line.map((r) => r.id))
  const seats = await repo.sessionSeats([...new Set([...choices.values()].flat().map((s) => s.id))])
  const promoted: string[] = []
  for (const person of line) {
    if (free <= 0) break
    const chosen = choices.get(person.id)!
    if (!fits(free, chosen, seats)) continue
    await repo.update(person.id, { status: 'confirmed' })
    for (const s of chosen) seats.set(s.id, seats.get(s.id)! + 1)
    free -= 1
    promoted.push(person.id)
  }
  return promoted
}

/** Chosen sessions: of this workshop (400), scheduled and not overlapping each other (409). */
async function checkChoices (tx: Db, workshopId: string, ids: string[]): Promise<SessionChoice[]> {
  const found = await registrationsRepository(tx).sessionsOf(workshopId, ids)
  const missing = ids.filter((id) => !found.some((s) => s.id === id))
  if (missing.length > 0) throw invalidField('session_ids', `no session ${missing[0]} in this workshop`)
  const cancelled = found.find((s) => s.status !== 'scheduled')
  if (cancelled) throw conflict('session-cancelled', `Session ${cancelled.id} is cancelled`, { session_id: cancelled.id })
  for (let i = 1; i < found.length; i++) {
    // Sorted by start: a session overlaps another exactly when it starts before the previous one ends.
    if (found[i].startsAt < found[i - 1].endsAt) {
      throw conflict('sessions-overlap', `Sessions ${found[i - 1].id} and ${found[i].id} overlap; choose one of them`,
        { session_ids: [found[i - 1].id, found[i].id] })
    }
  }
  return found
}

/** The organisation and sector a person names: an existing one by id, or one matched or created by name. */
async function resolveOrganisation (tx: Db, input: { organisation_id?: string | null, organisation_name?: string, sector?: Sector }) {
  if (input.organisation_id && input.organisation_name) {
    throw invalidField('organisation_name', 'give organisation_id or organisation_name, not both')
  }
  if (input.organisation_name !== undefined) {
    if (!input.sector) throw invalidField('sector', 'is required with organisation_name (the sector of a new organisation)')
    const org = await organisationsService(tx).matchOrCreate(tx, { name: input.organisation_name, sector: input.sector })
    return { organisationId: org.id, sector: input.sector }
  }
  if (input.organisation_id) {
    const org = await organisationsRepository(tx).findById(input.organisation_id)
    if (!org) throw invalidField('organisation_id', 'no such organisation')
    return { organisationId: org.id, sector: input.sector ?? org.sector }
  }
  if (input.organisation_id === null) return input.sector === undefined ? { organisationId: null } : { organisationId: null, sector: input.sector }
  return input.sector === undefined ? {} : { sector: input.sector }
}

/** Whether registration is open now: published, after it opens and before it closes (by default when the workshop's last day ends). */
function windowOpen (workshop: WorkshopRow, now: Date): boolean {
  if (workshop.registrationOpensAt && now < workshop.registrationOpensAt) return false
  if (workshop.registrationClosesAt) return now < workshop.registrationClosesAt
  return today(workshop.timezone, now) <= workshop.endDate
}

const isOver = (workshop: WorkshopRow, now = new Date()) => today(workshop.timezone, now) > workshop.endDate

function csvCell (value: string): string {
  // Spreadsheet programs run a cell that starts with these as a formula.
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

/** The value of a settled promise, or its error thrown. */
function settled<T> (result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason
  return result.value
}

const alreadyRegistered = () =>
  conflict('already-registered', 'This e-mail address is registered for this workshop already; the manage token given then opens it')



export function registrationView (row: RegistrationRow & { waitlistPosition: number | null }, sessionIds: string[], checkedInDays: string[]): RegistrationView {
  return {
    id: row.id,
    workshop_id: row.workshopId,
    name: row.name,
    email: row.erasedAt ? null : row.email,
    title: row.title,
    organisation_id: row.organisationId,
    sector: row.sector,
    session_ids: sessionIds,
    status: row.status,
    waitlist_position: row.waitlistPosition,
    checked_in_days: checkedInDays,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    cancelled_at: row.cancelledAt?.toISOString() ?? null,
    erased_at: row.erasedAt?.toISOString() ?? null,
  }
}

export function registrationsService (db: Db, config: Config) {
  const repo = (tx: Db = db) => registrationsRepository(tx)
  const inTx = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db))
  /**
   * Decides places in the caller's transaction: the workshop's lock, then every placement, sent at
   * once (pipelined on the transaction's connection). PostgreSQL runs each statement once the one
   * before it is done, so each one's snapshot is taken under the lock and sees the places before it.
   */
  async function placeAll (tx: Db, workshopId: string, placements: NewPlacement[]): Promise<Placement[]> {
    const [, ...placed] = await Promise.all([workshopsRepository(tx).findById(workshopId, true), ...placements.map((p) => repo(tx).placeNew(p))])
    return placed as Placement[]
  }
  // New registrations of one workshop that arrive while others are being placed wait, and are placed
  // together in one short transaction: one lock, one commit for the group, not one per person.
  const placing = grouped<string, NewPlacement, Placement>((workshopId, placements) => inTx((tx) => placeAll(tx, workshopId, placements)), { max: 50 })

  async function views (tx: Db, rows: PlacedRow[]): Promise<RegistrationView[]> {
    const ids = rows.map((r) => r.id)
    const [choices, days] = await Promise.all([repo(tx).choicesOf(ids), repo(tx).checkedInDays(ids)])
    return rows.map((row) => registrationView(row, choices.get(row.id)!.map((s) => s.id), days.get(row.id)!))
  }

  async function viewOf (tx: Db, workshopId: string, id: string): Promise<RegistrationView> {
    const [view] = await views(tx, [(await repo(tx).findPlaced(workshopId, id))!])
    return view
  }

  /** The workshop, locked: every seat decision of a workshop happens under this lock. */
  async function lockWorkshop (tx: Db, id: string): Promise<WorkshopRow> {
    const workshop = await workshopsRepository(tx).findById(id, true)
    if (!workshop) throw notFound('Workshop')
    return workshop
  }

  async function lockRegistration (tx: Db, workshopId: string, id: string) {
    const workshop = await lockWorkshop(tx, workshopId)
    const row = await repo(tx).findPlaced(workshopId, id)
    if (!row) throw notFound('Registration')
    return { workshop, row }
  }

  /** Seats free now for this registration's chosen sessions, and whether it fits in them and the workshop. */
  async function fitsNow (tx: Db, workshop: WorkshopRow, choices: SessionChoice[]): Promise<boolean> {
    const free = await freePlaces(tx, workshop)
    return fits(free, choices, await repo(tx).sessionSeats(choices.map((s) => s.id)))
  }

  /**
   * Changes the person's details and session choices. A confirmed registration must find a seat in
   * every newly chosen session (409 otherwise, and nothing changes); sessions it keeps stay its own.
   */
  async function changeDetails (tx: Db, workshop: WorkshopRow, row: RegistrationRow, input: UpdateMyRegistrationInput): Promise<void> {
    if (row.erasedAt) throw conflict('registration-erased', "This registration's personal data was erased; it cannot change")
    const values: Partial<NewRegistration> = {}
    if (input.name !== undefined) values.name = input.name.trim()
    if (input.title !== undefined) values.title = input.title?.trim() ?? null
    if (input.email !== undefined) {
      const emailKey = emailKeyOf(input.email)
      const other = await repo(tx).findByEmailKey(workshop.id, emailKey)
      if (other && other.id !== row.id) throw alreadyRegistered()
      values.email = input.email.trim()
      values.emailKey = emailKey
    }
    Object.assign(values, await resolveOrganisation(tx, input))
    if (input.session_ids !== undefined) {
      if (row.status === 'cancelled' || row.status === 'rejected') {
        throw conflict('registration-closed', `A ${row.status} registration cannot choose sessions`)
      }
      const chosen = await checkChoices(tx, workshop.id, input.session_ids)
      if (row.status === 'confirmed') {
        const current = new Set((await repo(tx).choicesOf([row.id])).get(row.id)!.map((s) => s.id))
        const added = chosen.filter((s) => !current.has(s.id))
        const seats = await repo(tx).sessionSeats(added.map((s) => s.id))
        const full = added.find((s) => s.capacity !== null && seats.get(s.id)! >= s.capacity)
        if (full) throw conflict('session-full', `Session ${full.id} is full`, { session_id: full.id })
      }
      await repo(tx).removeChoices(row.id)
      await repo(tx).addChoices(row.id, input.session_ids)
    }
    if (Object.keys(values).length > 0 || input.session_ids !== undefined) await repo(tx).update(row.id, values)
  }

  async function cancel (tx: Db, row: RegistrationRow, status: 'cancelled' | 'rejected') {
    if (row.status === status) return
    if (row.status === 'cancelled' || row.status === 'rejected') {
      throw conflict('registration-closed', `The registration is ${row.status} already`)
    }
    await repo(tx).update(row.id, { status, cancelledAt: new Date() })
  }

  /** Approves or reinstates: confirmed when the workshop and the chosen sessions have room, otherwise at the end of the waitlist. */
  async function confirm (tx: Db, workshop: WorkshopRow, row: RegistrationRow) {
    if (row.status === 'confirmed') return
    const choices = (await repo(tx).choicesOf([row.id])).get(row.id)!
    if (await fitsNow(tx, workshop, choices)) await repo(tx).update(row.id, { status: 'confirmed', cancelledAt: null })
    else if (row.status !== 'waitlisted') await repo(tx).waitlist(row.id)
  }

  /** The registration a manage token opens, its workshop locked. */
  async function lockMine (tx: Db, mine: ManagedRegistration) {
    return lockRegistration(tx, mine.workshopId, mine.id)
  }

  return {
    promoteWaitlist,

    /**
     * Registers a person. Everything that does not decide a place is checked first, without a lock;
     * then a short transaction locks the workshop and, in the same round trip, decides the place and
     * writes the registration (placeNew) of this person and of the others who arrived meanwhile, and
     * commits (see `placing`). `tx`: the caller's transaction (an Idempotency-Key stores its answer in
     * it), where this person is placed alone. A new organisation is created in the same transaction as
     * the registration.
     */
    async create (workshopId: string, input: CreateRegistrationInput, principal: Principal | null, tx?: Db, now = new Date(), attempt = 1): Promise<RegistrationCreatedView> {
      if (tx === undefined && input.organisation_name !== undefined) return inTx((t) => this.create(workshopId, input, principal, t, now))
      const on = tx ?? db
      const emailKey = emailKeyOf(input.email)
      // The reads of the checks go to the database together (one round trip, one write to its
      // socket); their verdicts are taken in this order, so the answer is the first check that fails.
      // An address registered already is found where the registration is written (placeNew's insert
      // meets the unique index), not by a read here: a lookup prepared while the table was nearly
      // empty keeps PostgreSQL's first generic plan, a sequential scan, until the table is next
      // analyzed, and every registration of a rush on a new database then read the whole table
      // (README, Performance: a plan made on an empty table).
      const [found, choices, named] = await Promise.allSettled([
        workshopsRepository(on).findById(workshopId),
        checkChoices(on, workshopId, input.session_ids ?? []),
        resolveOrganisation(on, input),
      ])
      const workshop = settled(found)
      if (!workshop || (workshop.status === 'draft' && !principal)) throw notFound('Workshop')
      if (workshop.status === 'cancelled') throw conflict('workshop-cancelled', 'The workshop is cancelled')
      if (!principal && !windowOpen(workshop, now)) throw conflict('registration-closed', 'Registration for this workshop is not open')
      const chosen = settled(choices)
      const organisation = settled(named)
      const manageToken = newToken('ndw_reg')
      const feedToken = newToken('ndw_cal')
      const person = {
        workshopId,
        name: input.name.trim(),
        email: input.email.trim(),
        emailKey,
        title: input.title?.trim() ?? null,
        organisationId: organisation.organisationId ?? null,
        sector: organisation.sector ?? null,
        manageTokenHash: hashToken(manageToken),
        feedTokenHash: hashToken(feedToken),
      }
      // The added fields first, the spread last: `{ ...person, added }` makes V8 11.3 a new hidden class every time (README, Performance).
      const placement = { workshopVersion: workshop.version, organiser: principal !== null, sessionIds: chosen.map((c) => c.id), ...person }
      const placed = tx ? (await placeAll(tx, workshopId, [placement]))[0] : await placing(workshopId, placement)
      if (placed === 'duplicate') throw alreadyRegistered()
      // The workshop changed between the checks and the decision (nothing was written): check again.
      /* c8 ignore start: an organiser's change landing between the checks and the decision; only PostgreSQL races reach it (registrations.race.test.ts) */
      if (placed === 'changed') {
        if (attempt >= 5) throw new ProblemError(503, 'busy', 'Service busy', 'The workshop kept changing while registering; retry the request', { headers: { 'retry-after': '1' } })
        return this.create(workshopId, input, principal, tx, now, attempt + 1)
      }
      /* c8 ignore stop */
      const row: RegistrationRow & { waitlistPosition: number | null } = {
        id: placed.id,
        status: placed.status,
        waitlistSeq: 0,
        details: null,
        createdAt: placed.createdAt,
        updatedAt: placed.createdAt,
        cancelledAt: null,
        erasedAt: null,
        waitlistPosition: placed.waitlistPosition,
        ...person,
      }
      const calendarUrl = `${config.PUBLIC_URL}/v1/calendars/${feedToken}.ics`
      return {
        registration: registrationView(row, chosen.map((c) => c.id), []),
        manage_token: manageToken,
        calendar_url: calendarUrl,
        calendar_webcal_url: calendarUrl.replace(/^https?:/, 'webcal:'),
      }
    },

    async list (workshopId: string, query: ListRegistrationsInput) {
      const workshop = await workshopsRepository(db).findById(workshopId)
      if (!workshop) throw notFound('Workshop')
      const limit = query.limit ?? 50
      const after = decodeCursor(query.cursor)
      if (after && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(after.sortKey)) {
        throw invalidField('query.cursor', 'is not a cursor this service gave out')
      }
      const rows = await repo().list({ workshopId, status: query.status, sector: query.sector, organisationId: query.organisation_id, q: query.q, after, limit })
      const page = pageOf(rows, limit, (r) => [r.cursorKey, r.id])
      return { items: await views(db, page.items), next_cursor: page.next_cursor }
    },

    /** Every registration that matches the filters, as CSV (UTF-8 with a BOM, so spreadsheet programs read Arabic). */
    async csv (workshopId: string, query: ListRegistrationsInput): Promise<{ csv: string, slug: string }> {
      const workshop = await workshopsRepository(db).findById(workshopId)
      if (!workshop) throw notFound('Workshop')
      const rows = await repo().list({ workshopId, status: query.status, sector: query.sector, organisationId: query.organisation_id, q: query.q })
      const items = await views(db, rows)
      const orgIds = [...new Set(items.map((r) => r.organisation_id).filter((id): id is string => id !== null))]
      const orgs = orgIds.length === 0 ? [] : await db.select().from(organisations).where(inArray(organisations.id, orgIds))
      const orgName = new Map(orgs.map((o) => [o.id, pick(o.name, workshop.defaultLanguage)]))
      const records = items.map((r) => [
        r.id, r.name, r.email ?? '', r.title ?? '', r.organisation_id ? orgName.get(r.organisation_id)! : '', r.sector ?? '',
        r.status, r.waitlist_position ?? '', r.session_ids.join(' '), r.checked_in_days.join(' '), r.created_at,
      ].map((v) => csvCell(String(v))))
      const csv = stringify(records, {
        bom: true,
        header: true,
        columns: ['id', 'name', 'email', 'title', 'organisation', 'sector', 'status', 'waitlist_position', 'session_ids', 'checked_in_days', 'created_at'],
      })
      return { csv, slug: workshop.slug }
    },

    async get (workshopId: string, id: string): Promise<RegistrationView> {
      const row = await repo().findPlaced(workshopId, id)
      if (!row) throw notFound('Registration')
      return (await views(db, [row]))[0]
    },

    async update (workshopId: string, id: string, input: UpdateRegistrationInput): Promise<RegistrationView> {
      return inTx(async (tx) => {
        const { workshop, row } = await lockRegistration(tx, workshopId, id)
        const { status, ...details } = input
        await changeDetails(tx, workshop, row, details)
        if (status === 'confirmed') await confirm(tx, workshop, row)
        else if (status) await cancel(tx, row, status)
        await promoteWaitlist(tx, workshopId)
        return viewOf(tx, workshopId, id)
      })
    },

    async checkIn (workshopId: string, id: string, day: string | undefined, now = new Date()): Promise<RegistrationView> {
      return inTx(async (tx) => {
        const { workshop, row } = await lockRegistration(tx, workshopId, id)
        const on = day ?? today(workshop.timezone, now)
        if (!daysOf(workshop.startDate, workshop.endDate).includes(on)) {
          throw invalidField('day', `${on} is not a day of the workshop (${workshop.startDate} to ${workshop.endDate})`)
        }
        if (row.status !== 'confirmed') throw conflict('not-confirmed', `Only confirmed registrations can be checked in; this one is ${row.status}`)
        await repo(tx).checkIn(id, on)
        return viewOf(tx, workshopId, id)
      })
    },

    /**
     * Erases a person's data once the workshop is over (or, before, once the registration is cancelled
     * or rejected): name, e-mail and title go, both tokens stop working; status, organisation, sector,
     * chosen sessions and check-ins stay, so the figures stay right.
     */
    async erase (workshopId: string, id: string, now = new Date()): Promise<RegistrationView> {
      return inTx(async (tx) => {
        const { workshop, row } = await lockRegistration(tx, workshopId, id)
        if (!row.erasedAt) {
          if (!isOver(workshop, now) && row.status !== 'cancelled' && row.status !== 'rejected') {
            throw conflict('registration-active', 'Before the workshop is over, cancel or reject the registration before erasing it')
          }
          await repo(tx).update(id, {
            name: 'Erased',
            email: `erased-${id}@erased.invalid`,
            emailKey: `erased:${id}`,
            title: null,
            details: null,
            manageTokenHash: hashToken(`erased:${randomBytes(32).toString('hex')}`),
            feedTokenHash: hashToken(`erased:${randomBytes(32).toString('hex')}`),
            erasedAt: now,
          })
        }
        return viewOf(tx, workshopId, id)
      })
    },

    /** The registration a manage token opens; 401 for anything else (an organiser token included). */
    async authenticate (authorization: string | undefined): Promise<ManagedRegistration> {
      const token = bearerToken(authorization)
      const row = token?.startsWith('ndw_reg_') ? await repo().findByManageHash(hashToken(token)) : undefined
      if (!row) throw unauthorized(authorization ? 'The manage token is not valid' : 'The manage token given when registering is required (Authorization: Bearer)')
      return { id: row.id, workshopId: row.workshopId }
    },

    async getMine (mine: ManagedRegistration): Promise<RegistrationView> {
      return viewOf(db, mine.workshopId, mine.id)
    },

    async updateMine (mine: ManagedRegistration, input: UpdateMyRegistrationInput): Promise<RegistrationView> {
      return inTx(async (tx) => {
        const { workshop, row } = await lockMine(tx, mine)
        if (row.status === 'cancelled' || row.status === 'rejected') {
          throw conflict('registration-closed', `The registration is ${row.status}; it cannot change`)
        }
        await changeDetails(tx, workshop, row, input)
        await promoteWaitlist(tx, workshop.id)
        return viewOf(tx, workshop.id, row.id)
      })
    },

    async cancelMine (mine: ManagedRegistration): Promise<RegistrationView> {
      return inTx(async (tx) => {
        const { workshop, row } = await lockMine(tx, mine)
        if (row.status === 'rejected') throw conflict('registration-closed', 'The registration was rejected')
        await cancel(tx, row, 'cancelled')
        await promoteWaitlist(tx, workshop.id)
        return viewOf(tx, workshop.id, row.id)
      })
    },
  }
}
