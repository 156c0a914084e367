import { pgTable, uuid, text, timestamp, integer, bigint, jsonb, boolean, primaryKey, index } from 'drizzle-orm/pg-core'
import type { Localized } from '../../lib/localized.ts'
import { workshops } from '../workshops/workshops.table.ts'
import { organisations } from '../organisations/organisations.table.ts'

export const SESSION_KINDS = ['plenary', 'keynote', 'panel', 'working_group', 'break', 'other'] as const
export const SESSION_STATUSES = ['scheduled', 'cancelled'] as const

export const rooms = pgTable('rooms', {
  id: uuid('id').primaryKey().defaultRandom(),
  workshopId: uuid('workshop_id').notNull().references(() => workshops.id, { onDelete: 'cascade' }),
  name: jsonb('name').$type<Localized>().notNull(),
  capacity: integer('capacity'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('rooms_workshop_idx').on(t.workshopId, t.createdAt)])

export const speakers = pgTable('speakers', {
  id: uuid('id').primaryKey().defaultRandom(),
  workshopId: uuid('workshop_id').notNull().references(() => workshops.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  title: jsonb('title').$type<Localized>(),
  organisationId: uuid('organisation_id').references(() => organisations.id),
  email: text('email'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('speakers_workshop_idx').on(t.workshopId, t.createdAt)])

export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  workshopId: uuid('workshop_id').notNull().references(() => workshops.id, { onDelete: 'cascade' }),
  title: jsonb('title').$type<Localized>().notNull(),
  description: jsonb('description').$type<Localized>(),
  kind: text('kind', { enum: SESSION_KINDS }).notNull(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  roomId: uuid('room_id').references(() => rooms.id),
  capacity: integer('capacity'),
  language: text('language'),
  status: text('status', { enum: SESSION_STATUSES }).notNull().default('scheduled'),
  /** iCalendar SEQUENCE: rises on every change a calendar would show (time, room, title, status). */
  sequence: integer('sequence').notNull().default(0),
  /** Rises on every change of the representation (ETag). */
  version: integer('version').notNull().default(1),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('sessions_workshop_start_idx').on(t.workshopId, t.startsAt, t.id)])

/**
 * Speakers of a session, with the session's time copied in so that PostgreSQL can refuse two
 * overlapping sessions of one speaker with an exclusion constraint (see the custom migration).
 */
export const sessionSpeakers = pgTable('session_speakers', {
  sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
  speakerId: uuid('speaker_id').notNull().references(() => speakers.id, { onDelete: 'cascade' }),
  position: integer('position').notNull().default(0),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  active: boolean('active').notNull().default(true),
}, (t) => [primaryKey({ columns: [t.sessionId, t.speakerId] }), index('session_speakers_speaker_idx').on(t.speakerId)])

/**
 * One row per workshop whose timetable has changed: `version` rises, and `changed_at` moves, whenever
 * anything its agenda or calendars show changes (the workshop row, its rooms, speakers, sessions and
 * their speakers). Triggers keep it (migrations/0002_timetable_versions.sql), whichever instance or
 * program writes, so caches of rendered agendas and feeds are validated against the database with
 * one primary-key read. No row: version 0, nothing changed since the migration.
 */
export const timetableVersions = pgTable('timetable_versions', {
  workshopId: uuid('workshop_id').primaryKey().references(() => workshops.id, { onDelete: 'cascade' }),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
})
