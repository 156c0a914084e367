import { pgTable, uuid, text, timestamp, jsonb, bigserial, date, integer, primaryKey, index, uniqueIndex } from 'drizzle-orm/pg-core'
import { workshops } from '../workshops/workshops.table.ts'
import { organisations, SECTORS } from '../organisations/organisations.table.ts'
import { sessions } from '../timetable/timetable.table.ts'

export const REGISTRATION_STATUSES = ['pending', 'confirmed', 'waitlisted', 'cancelled', 'rejected'] as const

export const registrations = pgTable('registrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  workshopId: uuid('workshop_id').notNull().references(() => workshops.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  email: text('email').notNull(),
  /** Lower-cased e-mail: one registration per address per workshop. */
  emailKey: text('email_key').notNull(),
  title: text('title'),
  organisationId: uuid('organisation_id').references(() => organisations.id),
  sector: text('sector', { enum: SECTORS }),
  status: text('status', { enum: REGISTRATION_STATUSES }).notNull(),
  /** Order on the waitlist; the position (1, 2, 3 …) is derived from it, so it never has gaps. */
  waitlistSeq: bigserial('waitlist_seq', { mode: 'number' }).notNull(),
  manageTokenHash: text('manage_token_hash').notNull().unique(),
  feedTokenHash: text('feed_token_hash').notNull().unique(),
  details: jsonb('details').$type<Record<string, unknown>>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  erasedAt: timestamp('erased_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('registrations_workshop_email_key').on(t.workshopId, t.emailKey),
  index('registrations_workshop_status_idx').on(t.workshopId, t.status, t.waitlistSeq),
  index('registrations_workshop_created_idx').on(t.workshopId, t.createdAt, t.id),
])

export const registrationSessions = pgTable('registration_sessions', {
  registrationId: uuid('registration_id').notNull().references(() => registrations.id, { onDelete: 'cascade' }),
  sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.registrationId, t.sessionId] }), index('registration_sessions_session_idx').on(t.sessionId)])

export const attendance = pgTable('attendance', {
  registrationId: uuid('registration_id').notNull().references(() => registrations.id, { onDelete: 'cascade' }),
  day: date('day', { mode: 'string' }).notNull(),
  checkedInAt: timestamp('checked_in_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.registrationId, t.day] })])

/**
 * A workshop's confirmed and waitlisted registrations, counted by a trigger on `registrations`
 * (migrations/0003_workshop_places.sql) whoever writes them, so that deciding a place reads one row
 * instead of counting every registration of the workshop under its lock. No row: none yet.
 */
export const workshopPlaces = pgTable('workshop_places', {
  workshopId: uuid('workshop_id').primaryKey().references(() => workshops.id, { onDelete: 'cascade' }),
  confirmed: integer('confirmed').notNull().default(0),
  waitlisted: integer('waitlisted').notNull().default(0),
})

/**
 * The confirmed registrations that chose each session, counted by triggers on `registrations` and
 * `registration_sessions` (migrations/0004_session_seats.sql) whoever writes them, so that deciding a
 * seat reads one row per chosen session instead of counting the people who chose it. No row: none yet.
 */
export const sessionSeats = pgTable('session_seats', {
  sessionId: uuid('session_id').primaryKey().references(() => sessions.id, { onDelete: 'cascade' }),
  confirmed: integer('confirmed').notNull().default(0),
})
