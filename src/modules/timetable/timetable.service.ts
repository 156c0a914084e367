import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { conflict, invalidField, notFound, preconditionFailed } from '../../errors.ts'
import { decodeCursor, pageOf } from '../../lib/http.ts'
import { pick, type Language } from '../../lib/localized.ts'
import { daysOf, instantInZone, localDay, localTime, workshopSpan } from '../../lib/time.ts'
import { organisationsRepository } from '../organisations/organisations.repository.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { workshopsService } from '../workshops/workshops.service.ts'
import { promoteWaitlist } from '../registrations/registrations.service.ts'
import { workshopsRepository, type WorkshopRow } from '../workshops/workshops.repository.ts'
import { RenderCache, represent, type Rendered } from '../../lib/fresh.ts'
import { timetableStates } from './timetable.state.ts'
import { timetableRepository, type Cursor, type NewSession, type OtherSession, type RoomRow, type SessionRow, type SpeakerRow } from './timetable.repository.ts'
import type {
  AgendaSessionView, AgendaView, CreateRoomInput, CreateSessionInput, CreateSpeakerInput, ListSessionsInput, RoomView, SessionView,
  SpeakerView, UpdateSessionInput, UpdateSpeakerInput,
} from './timetable.schemas.ts'

/** A session with its speakers (in order) and its room: what other modules read. */
export interface TimetableSession extends SessionRow {
  speakerIds: string[]
  room: RoomRow | null
  speakers: SpeakerRow[]
}

export interface Timetable {
  rooms: RoomRow[]
  speakers: SpeakerRow[]
  /** Every session of the workshop, cancelled ones too, by start then id. */
  sessions: TimetableSession[]
}

/**
 * Loads a workshop's whole timetable: rooms, speakers and every session (cancelled too) with its
 * speakers in order and its room. For other modules (calendars, summaries, registrations); pass a
 * transaction to read inside it.
 */
export async function loadTimetable (db: Db, workshopId: string): Promise<Timetable> {
  const repo = timetableRepository(db)
  const [rooms, speakers, sessions] = await Promise.all([
    repo.roomsOf(workshopId), repo.speakersOf(workshopId), repo.listSessions({ workshopId, limit: 100_000 }),
  ])
  const links = await repo.speakerLinks(sessions.map((s) => s.id))
  const roomById = new Map(rooms.map((r) => [r.id, r]))
  const speakerById = new Map(speakers.map((s) => [s.id, s]))
  const speakerIdsOf = new Map<string, string[]>()
  for (const link of links) {
    const ids = speakerIdsOf.get(link.sessionId)
    if (ids) ids.push(link.speakerId)
    else speakerIdsOf.set(link.sessionId, [link.speakerId])
  }
  return {
    rooms,
    speakers,
    sessions: sessions.map((s) => {
      const speakerIds = speakerIdsOf.get(s.id) ?? []
      // The added fields first, the row spread last: one hidden class for every session (README, Performance: object spread).
      return { speakerIds, room: s.roomId ? roomById.get(s.roomId)! : null, speakers: speakerIds.map((id) => speakerById.get(id)!), ...s }
    }),
  }
}

export function roomView (row: RoomRow, zone: string): RoomView {
  return { id: row.id, workshop_id: row.workshopId, name: row.name, capacity: row.capacity, created_at: instantInZone(row.createdAt, zone) }
}

/** A speaker as this reader may see it: the e-mail address only for organisers. */
export function speakerView (row: SpeakerRow, zone: string, organiser: boolean): SpeakerView {
  return {
    id: row.id,
    workshop_id: row.workshopId,
    name: row.name,
    title: row.title,
    organisation_id: row.organisationId,
    created_at: instantInZone(row.createdAt, zone),
    updated_at: instantInZone(row.updatedAt, zone),
    ...(organiser ? { email: row.email } : {}),
  }
}

export function sessionView (row: SessionRow, speakerIds: string[], zone: string): SessionView {
  return {
    id: row.id,
    workshop_id: row.workshopId,
    title: row.title,
    description: row.description,
    kind: row.kind,
    starts_at: instantInZone(row.startsAt, zone),
    ends_at: instantInZone(row.endsAt, zone),
    day: localDay(row.startsAt, zone),
    room_id: row.roomId,
    speaker_ids: speakerIds,
    capacity: row.capacity,
    language: row.language as Language | null,
    status: row.status,
    sequence: row.sequence,
    cancelled_at: row.cancelledAt ? instantInZone(row.cancelledAt, zone) : null,
    created_at: instantInZone(row.createdAt, zone),
    updated_at: instantInZone(row.updatedAt, zone),
  }
}

/** The SQLSTATE of a database error, also when drizzle wraps it (DrizzleQueryError.cause). */
export function sqlState (error: unknown): string | undefined {
  const e = error as { code?: unknown, cause?: { code?: unknown } } | null
  const code = e?.code ?? e?.cause?.code
  return typeof code === 'string' ? code : undefined
}

function instant (value: string, field: string): Date {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw invalidField(field, 'is not a valid instant')
  return date
}

/** JSON equality of localized texts and other small values, whatever the key order. */
function same (a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canonical(x)]))
    : v)
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

type WorkshopZone = Pick<WorkshopRow, 'id' | 'timezone' | 'startDate' | 'endDate' | 'defaultLanguage'>

/** What a session write would occupy: checked against the others before the write, and named after a lost race. */
export interface Claim { workshop: WorkshopZone, sessionId?: string, roomId: string | null, speakerIds: string[], startsAt: Date, endsAt: Date }

function overlapProblem (claim: Claim, other: OtherSession, what: 'room' | 'speaker', speaker?: SpeakerRow) {
  const { timezone: zone, defaultLanguage: lang } = claim.workshop
  const title = pick(other.title, lang)
  const when = `${localDay(other.startsAt, zone)} ${localTime(other.startsAt, zone)}-${localTime(other.endsAt, zone)}`
  const detail = what === 'room'
    ? `The room is taken at that time by the session "${title}" (${other.id}, ${when})`
    : `${speaker!.name} speaks at that time in the session "${title}" (${other.id}, ${when})`
  return conflict(what === 'room' ? 'room-overlap' : 'speaker-overlap', detail, {
    conflicting_session: { id: other.id, title: other.title, starts_at: instantInZone(other.startsAt, zone), ends_at: instantInZone(other.endsAt, zone) },
    ...(what === 'speaker' ? { speaker_id: speaker!.id } : {}),
  })
}

export function timetableService (db: Db, config: Config) {
  const repo = (tx: Db = db) => timetableRepository(tx)
  const inTx = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db))
  const workshops = workshopsService(db, config)
  const states = timetableStates(db)
  // Rendered agendas (JSON bytes), one per workshop, kept while the timetable version stays.
  const agendas = new RenderCache(32 * 1024 * 1024)

  /** The agenda's view, read from the database now. */
  async function agendaView (workshopId: string): Promise<AgendaView> {
    const workshop = await workshopsRepository(db).findById(workshopId)
    /* c8 ignore next: only when the workshop goes between the state read and this one (no operation deletes workshops) */
    if (!workshop) throw notFound('Workshop')
    const zone = workshop.timezone
    const timetable = await loadTimetable(db, workshopId)
    const days = daysOf(workshop.startDate, workshop.endDate).map((date) => ({ date, sessions: [] as AgendaSessionView[] }))
    const dayOf = new Map(days.map((d) => [d.date, d]))
    for (const s of timetable.sessions) {
      const view = sessionView(s, s.speakerIds, zone)
      dayOf.get(view.day)?.sessions.push({
        local_start: localTime(s.startsAt, zone),
        local_end: localTime(s.endsAt, zone),
        room: s.room && { id: s.room.id, name: s.room.name, capacity: s.room.capacity },
        speakers: s.speakers.map((p) => ({ id: p.id, name: p.name, title: p.title, organisation_id: p.organisationId })),
        ...view,
      })
    }
    return { workshop_id: workshop.id, timezone: zone, days }
  }

  /** The workshop for a write, under a share lock so that its days cannot move meanwhile. */
  async function lockedWorkshop (tx: Db, workshopId: string): Promise<WorkshopZone> {
    const row = await repo(tx).workshopForShare(workshopId)
    if (!row) throw notFound('Workshop')
    return row
  }

  async function checkOrganisation (tx: Db, id: string | null | undefined) {
    if (id && !await organisationsRepository(tx).findById(id)) throw invalidField('organisation_id', `no organisation ${id}`)
  }

  /** Refuses an overlap in the room or for a speaker, naming the other session (the read before the write). */
  async function checkClaim (tx: Db, claim: Claim) {
    if (claim.roomId) {
      const other = await repo(tx).roomConflict(claim.roomId, claim.startsAt, claim.endsAt, claim.sessionId)
      if (other) throw overlapProblem(claim, other, 'room')
    }
    const other = await repo(tx).speakerConflict(claim.speakerIds, claim.startsAt, claim.endsAt, claim.sessionId)
    if (other) {
      const [speaker] = await repo(tx).speakersByIds(claim.workshop.id, [other.speakerId])
      throw overlapProblem(claim, other, 'speaker', speaker)
    }
  }

  /**
   * Runs a session write. Two racing writes can both pass the read before the write; PostgreSQL's
   * exclusion constraints then refuse the loser (23P01), and the other session is looked up afresh
   * once that transaction has failed, so the 409 still names it.
   */
  async function guarded<T> (run: (claim: { current?: Claim }) => Promise<T>, attempt = 1): Promise<T> {
    const claim: { current?: Claim } = {}
    try {
      return await run(claim)
    } catch (error) {
      const state = sqlState(error)
      // Racing inserts that wait on each other's rows can deadlock; the rerun reads the winner and answers 409.
      if ((state === '40P01' || state === '40001') && attempt < 5) return guarded(run, attempt + 1)
      if (state !== '23P01' || !claim.current) throw error
      await checkClaim(db, claim.current)
      // The winner was moved or cancelled before we could read it: still an overlap when we wrote.
      throw conflict('overlap', 'Another session took this room or speaker at that time; read the timetable and retry')
    }
  }

  /** Checks time, room and speakers of a session and answers its claim. */
  async function claimOf (tx: Db, workshop: WorkshopZone, values: { startsAt: Date, endsAt: Date, roomId: string | null, speakerIds: string[] }, sessionId?: string): Promise<Claim> {
    if (values.endsAt <= values.startsAt) throw invalidField('ends_at', 'must be after starts_at')
    const zone = workshop.timezone
    const span = workshopSpan(zone, workshop.startDate, workshop.endDate)
    const days = `${workshop.startDate} to ${workshop.endDate} in ${zone}`
    if (values.startsAt < span.start || values.startsAt >= span.end) {
      throw invalidField('starts_at', `is ${localDay(values.startsAt, zone)} ${localTime(values.startsAt, zone)} local time, outside the workshop's days (${days})`)
    }
    if (values.endsAt > span.end) {
      throw invalidField('ends_at', `is ${localDay(values.endsAt, zone)} ${localTime(values.endsAt, zone)} local time, after the workshop's last day (${days})`)
    }
    if (values.roomId && !await repo(tx).findRoom(workshop.id, values.roomId)) {
      throw invalidField('room_id', `no room ${values.roomId} in this workshop`)
    }
    const found = await repo(tx).speakersByIds(workshop.id, values.speakerIds)
    const unknown = values.speakerIds.filter((id) => !found.some((s) => s.id === id))
    if (unknown.length > 0) throw invalidField('speaker_ids', `no speaker ${unknown.join(', ')} in this workshop`)
    return { workshop, sessionId, ...values }
  }

  async function sessionOf (tx: Db, workshopId: string, sessionId: string, forUpdate = false): Promise<SessionRow> {
    const row = await repo(tx).findSession(workshopId, sessionId, forUpdate)
    if (!row) throw notFound('Session')
    return row
  }

  async function speakerIdsOf (tx: Db, sessionId: string): Promise<string[]> {
    return (await repo(tx).speakerLinks([sessionId])).map((l) => l.speakerId)
  }

  /** Runs a change of a session under its row lock, honouring If-Match. */
  async function change (workshopId: string, sessionId: string, expectedVersion: number | null,
    fn: (tx: Db, workshop: WorkshopZone, row: SessionRow, speakerIds: string[], attempt: { current?: Claim }) => Promise<{ values: Partial<NewSession>, speakerIds?: string[] } | null>) {
    return guarded((attempt) => inTx(async (tx) => {
      const workshop = await lockedWorkshop(tx, workshopId)
      const current = await sessionOf(tx, workshopId, sessionId, true)
      if (expectedVersion !== null && current.version !== expectedVersion) throw preconditionFailed()
      const speakerIds = await speakerIdsOf(tx, sessionId)
      const next = await fn(tx, workshop, current, speakerIds, attempt)
      if (next === null) return { row: current, view: sessionView(current, speakerIds, workshop.timezone) }
      const row = await repo(tx).updateSession(sessionId, next.values)
      const ids = next.speakerIds ?? speakerIds
      await repo(tx).setSessionSpeakers(row, ids)
      // A cancelled session or a raised capacity frees seats: the waitlist moves up in this same transaction.
      if (row.status === 'cancelled' || (current.capacity !== null && (row.capacity === null || row.capacity > current.capacity))) {
        await promoteWaitlist(tx, workshopId)
      }
      return { row, view: sessionView(row, ids, workshop.timezone) }
    }))
  }

  return {
    async createRoom (workshopId: string, input: CreateRoomInput, tx: Db): Promise<RoomView> {
      const workshop = await lockedWorkshop(tx, workshopId)
      const row = await repo(tx).insertRoom({ workshopId, name: input.name, capacity: input.capacity ?? null })
      return roomView(row, workshop.timezone)
    },

    async listRooms (workshopId: string, principal: Principal | null, query: { limit?: number, cursor?: string }) {
      const workshop = await workshops.visible(workshopId, principal)
      const limit = query.limit ?? 50
      const page = pageOf(await repo().roomsOf(workshopId, decodeCursor(query.cursor), limit), limit, (r) => [r.createdAt.toISOString(), r.id])
      return { items: page.items.map((r) => roomView(r, workshop.timezone)), next_cursor: page.next_cursor }
    },

    async createSpeaker (workshopId: string, input: CreateSpeakerInput, tx: Db): Promise<SpeakerView> {
      const workshop = await lockedWorkshop(tx, workshopId)
      await checkOrganisation(tx, input.organisation_id)
      const row = await repo(tx).insertSpeaker({
        workshopId, name: input.name.trim(), title: input.title ?? null, organisationId: input.organisation_id ?? null, email: input.email ?? null,
      })
      return speakerView(row, workshop.timezone, true)
    },

    async listSpeakers (workshopId: string, principal: Principal | null, query: { limit?: number, cursor?: string }) {
      const workshop = await workshops.visible(workshopId, principal)
      const limit = query.limit ?? 50
      const page = pageOf(await repo().speakersOf(workshopId, decodeCursor(query.cursor), limit), limit, (r) => [r.createdAt.toISOString(), r.id])
      return { items: page.items.map((r) => speakerView(r, workshop.timezone, principal !== null)), next_cursor: page.next_cursor }
    },

    async updateSpeaker (workshopId: string, speakerId: string, input: UpdateSpeakerInput): Promise<SpeakerView> {
      return inTx(async (tx) => {
        const workshop = await lockedWorkshop(tx, workshopId)
        await checkOrganisation(tx, input.organisation_id)
        const row = await repo(tx).updateSpeaker(workshopId, speakerId, {
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.organisation_id !== undefined ? { organisationId: input.organisation_id } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
        })
        if (!row) throw notFound('Speaker')
        return speakerView(row, workshop.timezone, true)
      })
    },

    /** Runs a session create (inside an Idempotency-Key transaction) so that a lost race still names the other session. */
    guarded,

    async createSession (workshopId: string, input: CreateSessionInput, tx: Db, attempt: { current?: Claim }) {
      const workshop = await lockedWorkshop(tx, workshopId)
      const claim = await claimOf(tx, workshop, {
        startsAt: instant(input.starts_at, 'starts_at'), endsAt: instant(input.ends_at, 'ends_at'), roomId: input.room_id ?? null, speakerIds: input.speaker_ids ?? [],
      })
      attempt.current = claim
      await checkClaim(tx, claim)
      const row = await repo(tx).insertSession({
        workshopId,
        title: input.title,
        description: input.description ?? null,
        kind: input.kind,
        startsAt: claim.startsAt,
        endsAt: claim.endsAt,
        roomId: claim.roomId,
        capacity: input.capacity ?? null,
        language: input.language ?? null,
      })
      await repo(tx).setSessionSpeakers(row, claim.speakerIds)
      return { row, view: sessionView(row, claim.speakerIds, workshop.timezone) }
    },

    async getSession (workshopId: string, sessionId: string, principal: Principal | null) {
      const workshop = await workshops.visible(workshopId, principal)
      const row = await sessionOf(db, workshopId, sessionId)
      return { row, view: sessionView(row, await speakerIdsOf(db, sessionId), workshop.timezone) }
    },

    async listSessions (workshopId: string, principal: Principal | null, query: ListSessionsInput) {
      const workshop = await workshops.visible(workshopId, principal)
      const zone = workshop.timezone
      let span: { start: Date, end: Date } | undefined
      if (query.day) {
        if (!daysOf(workshop.startDate, workshop.endDate).includes(query.day)) {
          throw invalidField('query.day', `is not a day of the workshop (${workshop.startDate} to ${workshop.endDate})`)
        }
        span = workshopSpan(zone, query.day, query.day)
      }
      if (query.room && !await repo().findRoom(workshopId, query.room)) throw invalidField('query.room', `no room ${query.room} in this workshop`)
      const limit = query.limit ?? 50
      const after: Cursor | undefined = decodeCursor(query.cursor)
      const rows = await repo().listSessions({ workshopId, from: span?.start, to: span?.end, roomId: query.room, status: query.status, after, limit })
      const page = pageOf(rows, limit, (r) => [r.startsAt.toISOString(), r.id])
      const links = await repo().speakerLinks(page.items.map((r) => r.id))
      const idsOf = (id: string) => links.filter((l) => l.sessionId === id).map((l) => l.speakerId)
      return { items: page.items.map((r) => sessionView(r, idsOf(r.id), zone)), next_cursor: page.next_cursor }
    },

    async updateSession (workshopId: string, sessionId: string, input: UpdateSessionInput, expectedVersion: number | null) {
      return change(workshopId, sessionId, expectedVersion, async (tx, workshop, current, speakerIds, attempt) => {
        if (current.status === 'cancelled') throw conflict('session-cancelled', 'A cancelled session cannot be changed')
        const next = {
          startsAt: input.starts_at !== undefined ? instant(input.starts_at, 'starts_at') : current.startsAt,
          endsAt: input.ends_at !== undefined ? instant(input.ends_at, 'ends_at') : current.endsAt,
          roomId: input.room_id !== undefined ? input.room_id : current.roomId,
          speakerIds: input.speaker_ids ?? speakerIds,
        }
        const claim = await claimOf(tx, workshop, next, sessionId)
        attempt.current = claim
        await checkClaim(tx, claim)
        const values: Partial<NewSession> = {}
        if (next.startsAt.getTime() !== current.startsAt.getTime()) values.startsAt = next.startsAt
        if (next.endsAt.getTime() !== current.endsAt.getTime()) values.endsAt = next.endsAt
        if (next.roomId !== current.roomId) values.roomId = next.roomId
        if (input.title !== undefined && !same(input.title, current.title)) values.title = input.title
        // What a calendar shows (time, room, title) raises the sequence; the rest only the version.
        const shown = Object.keys(values).length > 0
        if (input.description !== undefined && !same(input.description, current.description)) values.description = input.description
        if (input.kind !== undefined && input.kind !== current.kind) values.kind = input.kind
        if (input.capacity !== undefined && input.capacity !== current.capacity) values.capacity = input.capacity
        if (input.language !== undefined && input.language !== current.language) values.language = input.language
        const speakersChanged = !same(next.speakerIds, speakerIds)
        if (Object.keys(values).length === 0 && !speakersChanged) return null
        if (shown) values.sequence = current.sequence + 1
        return { values, speakerIds: next.speakerIds }
      })
    },

    async cancelSession (workshopId: string, sessionId: string, expectedVersion: number | null) {
      return change(workshopId, sessionId, expectedVersion, async (_tx, _workshop, current) =>
        current.status === 'cancelled' ? null : { values: { status: 'cancelled', cancelledAt: new Date(), sequence: current.sequence + 1 } })
    },

    /**
     * The agenda as JSON bytes with its ETag. The timetable's version is read from the database on
     * every call; the bytes are rendered once per version (serialize: the route's response serializer).
     */
    async agenda (workshopId: string, principal: Principal | null, serialize: (view: AgendaView) => string): Promise<Rendered> {
      const state = await states(workshopId)
      if (!state || (state.status === 'draft' && !principal)) throw notFound('Workshop')
      return agendas.cached(workshopId, state.versionKey) ?? agendas.render(workshopId, state.versionKey, async () => represent(Buffer.from(serialize(await agendaView(workshopId)))))
    },
  }
}

