import { pgTable, uuid, text, timestamp, integer, jsonb, boolean, date, primaryKey, index } from 'drizzle-orm/pg-core'
import type { Localized, Language } from '../../lib/localized.ts'
import { organisations } from '../organisations/organisations.table.ts'

export interface Venue {
  name: Localized
  city?: Localized
  country?: string
  address?: Localized
}

export const WORKSHOP_STATUSES = ['draft', 'published', 'cancelled'] as const
export const PARTNER_ROLES = ['host', 'co_organiser', 'funder', 'partner'] as const

export const workshops = pgTable('workshops', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  title: jsonb('title').$type<Localized>().notNull(),
  description: jsonb('description').$type<Localized>(),
  timezone: text('timezone').notNull(),
  startDate: date('start_date', { mode: 'string' }).notNull(),
  endDate: date('end_date', { mode: 'string' }).notNull(),
  venue: jsonb('venue').$type<Venue>(),
  defaultLanguage: text('default_language').$type<Language>().notNull().default('en'),
  status: text('status', { enum: WORKSHOP_STATUSES }).notNull().default('draft'),
  capacity: integer('capacity'),
  registrationOpensAt: timestamp('registration_opens_at', { withTimezone: true }),
  registrationClosesAt: timestamp('registration_closes_at', { withTimezone: true }),
  requiresApproval: boolean('requires_approval').notNull().default(false),
  /** Rises on every change of the workshop's representation (ETag). */
  version: integer('version').notNull().default(1),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('workshops_start_idx').on(t.startDate, t.id), index('workshops_status_idx').on(t.status)])

export const workshopPartners = pgTable('workshop_partners', {
  workshopId: uuid('workshop_id').notNull().references(() => workshops.id, { onDelete: 'cascade' }),
  organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
  role: text('role', { enum: PARTNER_ROLES }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workshopId, t.organisationId] })])
