import { Type, type Static } from 'typebox'
import { Day, Instant, LanguageCode, Localized, Nullable, Page, PageQuery, ShortLocalized, Uuid } from '../../lib/schemas.ts'
import { SESSION_KINDS, SESSION_STATUSES } from './timetable.table.ts'

const Capacity = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description })
const PersonName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: "A person's name, as written (plain text)" })
const Email = Type.String({ format: 'email', maxLength: 254, description: 'E-mail address; shown to organisers only, never public' })
export const SessionKind = Type.Enum(SESSION_KINDS, { description: 'plenary, keynote, panel, working_group, break or other' })
export const SessionStatus = Type.Enum(SESSION_STATUSES, { description: 'scheduled, or cancelled (kept, shown as cancelled)' })
const SpeakerIds = Type.Array(Uuid('Speaker id'), { maxItems: 50, uniqueItems: true, description: 'Speakers of the session, in the order they are shown' })

// Rooms

export const Room = Type.Object({
  id: Uuid('Room id'),
  workshop_id: Uuid('Workshop id'),
  name: ShortLocalized('Name of the room'),
  capacity: Nullable(Capacity('Seats in the room; null: not given')),
  created_at: Instant('When it was created'),
}, { description: 'A place inside the venue where sessions happen' })

export const CreateRoom = Type.Object({
  name: ShortLocalized('Name of the room'),
  capacity: Type.Optional(Nullable(Capacity('Seats in the room; null: not given'))),
}, { additionalProperties: false })

export const RoomPage = Page(Room, 'Rooms, in the order they were created')

// Speakers

export const Speaker = Type.Object({
  id: Uuid('Speaker id'),
  workshop_id: Uuid('Workshop id'),
  name: PersonName,
  title: Nullable(ShortLocalized('Role, such as "Resident Representative"')),
  organisation_id: Nullable(Uuid('Organisation the speaker belongs to')),
  email: Type.Optional(Nullable(Email)),
  created_at: Instant('When it was created'),
  updated_at: Instant('When it last changed'),
}, { description: 'A person who speaks at the workshop; `email` is present only for organisers' })

const speakerFields = {
  title: Type.Optional(Nullable(ShortLocalized('Role, such as "Resident Representative"'))),
  organisation_id: Type.Optional(Nullable(Uuid('Organisation the speaker belongs to (see createOrganisation)'))),
  email: Type.Optional(Nullable(Email)),
}

export const CreateSpeaker = Type.Object({ name: PersonName, ...speakerFields }, { additionalProperties: false })
export const UpdateSpeaker = Type.Object({ name: Type.Optional(PersonName), ...speakerFields }, { additionalProperties: false })

export const SpeakerPage = Page(Speaker, 'Speakers, in the order they were created')

// Sessions

const sessionFields = {
  id: Uuid('Session id'),
  workshop_id: Uuid('Workshop id'),
  title: ShortLocalized('Title'),
  description: Nullable(Localized('Description')),
  kind: SessionKind,
  starts_at: Instant("Start, shown in the workshop's time zone"),
  ends_at: Instant("End, shown in the workshop's time zone"),
  day: Day("The local day the session starts on, in the workshop's time zone"),
  room_id: Nullable(Uuid('Room of the session; null: none given')),
  speaker_ids: SpeakerIds,
  capacity: Nullable(Capacity('Seats of its own (registrations choose it); null: no own limit')),
  language: Nullable(LanguageCode),
  status: SessionStatus,
  sequence: Type.Integer({ minimum: 0, description: 'Rises by one on every change a calendar shows (time, room, title, status): the iCalendar SEQUENCE' }),
  cancelled_at: Nullable(Instant('When it was cancelled')),
  created_at: Instant('When it was created'),
  updated_at: Instant('When it last changed'),
}

export const Session = Type.Object(sessionFields, { description: 'A timed block of a workshop' })

export const CreateSession = Type.Object({
  title: ShortLocalized('Title'),
  description: Type.Optional(Nullable(Localized('Description'))),
  kind: SessionKind,
  starts_at: Instant('Start'),
  ends_at: Instant('End, after the start'),
  room_id: Type.Optional(Nullable(Uuid('Room of the workshop (see createRoom)'))),
  speaker_ids: Type.Optional(SpeakerIds),
  capacity: Type.Optional(Nullable(Capacity('Seats of its own; null: no own limit'))),
  language: Type.Optional(Nullable(LanguageCode)),
}, { additionalProperties: false })

export const UpdateSession = Type.Object({
  title: Type.Optional(ShortLocalized('Title')),
  description: Type.Optional(Nullable(Localized('Description'))),
  kind: Type.Optional(SessionKind),
  starts_at: Type.Optional(Instant('Start')),
  ends_at: Type.Optional(Instant('End, after the start')),
  room_id: Type.Optional(Nullable(Uuid('Room of the workshop (see createRoom)'))),
  speaker_ids: Type.Optional(SpeakerIds),
  capacity: Type.Optional(Nullable(Capacity('Seats of its own; null: no own limit'))),
  language: Type.Optional(Nullable(LanguageCode)),
}, { additionalProperties: false })

export const ListSessionsQuery = Type.Object({
  day: Type.Optional(Day("Sessions that start on this local day of the workshop")),
  room: Type.Optional(Uuid('Sessions in this room')),
  status: Type.Optional(SessionStatus),
  ...PageQuery,
})

export const SessionPage = Page(Session, 'Sessions, by start')

const AgendaSpeaker = Type.Object({
  id: Uuid('Speaker id'),
  name: PersonName,
  title: Nullable(ShortLocalized('Role')),
  organisation_id: Nullable(Uuid('Organisation the speaker belongs to')),
}, { description: 'A speaker of the session (public fields)' })

/**
 * What a timetable shows of a session: its fields but the record's bookkeeping (`created_at`,
 * `updated_at`, in getSession and listSessions). Those two are the only values of a session besides
 * its id that differ from every other session's (each its own millisecond): they were a ninth of the
 * compressed agenda (60 sessions: 3,970 → 3,573 gzip bytes; 67.7 → 62.4 KiB as is). Which sessions
 * changed shows in `sequence` (and in the agenda's ETag).
 */
const { created_at: _created, updated_at: _updated, ...agendaSessionFields } = sessionFields

export const AgendaSession = Type.Object({
  ...agendaSessionFields,
  local_start: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: "Start, HH:MM in the workshop's time zone" }),
  local_end: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: "End, HH:MM in the workshop's time zone" }),
  room: Nullable(Type.Object({ id: Uuid('Room id'), name: ShortLocalized('Name of the room'), capacity: Nullable(Capacity('Seats in the room')) }, { description: 'The room' })),
  speakers: Type.Array(AgendaSpeaker, { description: 'The speakers, in order' }),
}, { description: 'A session as the agenda shows it: its fields but created_at and updated_at (see getSession), with local times, its room and its speakers' })

export const Agenda = Type.Object({
  workshop_id: Uuid('Workshop id'),
  timezone: Type.String({ description: "IANA time zone of the workshop; local times are in it" }),
  days: Type.Array(Type.Object({
    date: Day('A day of the workshop'),
    sessions: Type.Array(AgendaSession, { description: 'Sessions that start on this day, in local start order (cancelled ones too, marked)' }),
  }, { description: 'One day of the workshop' }), { description: "The workshop's days in order" }),
}, { description: 'The timetable of a workshop, day by day in local time' })

export const WorkshopParams = Type.Object({ workshopId: Uuid('Workshop id') })
export const SpeakerParams = Type.Object({ workshopId: Uuid('Workshop id'), speakerId: Uuid('Speaker id') })
export const SessionParams = Type.Object({ workshopId: Uuid('Workshop id'), sessionId: Uuid('Session id') })
export const ListQuery = Type.Object({ ...PageQuery })

export type RoomView = Static<typeof Room>
export type SpeakerView = Static<typeof Speaker>
export type SessionView = Static<typeof Session>
export type AgendaSessionView = Static<typeof AgendaSession>
export type AgendaView = Static<typeof Agenda>
export type CreateRoomInput = Static<typeof CreateRoom>
export type CreateSpeakerInput = Static<typeof CreateSpeaker>
export type UpdateSpeakerInput = Static<typeof UpdateSpeaker>
export type CreateSessionInput = Static<typeof CreateSession>
export type UpdateSessionInput = Static<typeof UpdateSession>
export type ListSessionsInput = Static<typeof ListSessionsQuery>
