import { pgTable, uuid, text, timestamp, jsonb } from 'drizzle-orm/pg-core'
import type { Localized } from '../../lib/localized.ts'
import { workshops } from '../workshops/workshops.table.ts'

export interface Dateline { place: Localized, date: string }
export interface Quote { speaker_id?: string, name?: string, title?: Localized, organisation?: Localized, text: Localized }
export interface Contact { name: string, title?: Localized, email?: string, phone?: string }

export const summaries = pgTable('summaries', {
  workshopId: uuid('workshop_id').primaryKey().references(() => workshops.id, { onDelete: 'cascade' }),
  slug: text('slug').notNull().unique(),
  headline: jsonb('headline').$type<Localized>().notNull(),
  lead: jsonb('lead').$type<Localized>(),
  body: jsonb('body').$type<Localized>(),
  dateline: jsonb('dateline').$type<Dateline>(),
  outcomes: jsonb('outcomes').$type<Localized[]>().notNull().default([]),
  quotes: jsonb('quotes').$type<Quote[]>().notNull().default([]),
  contacts: jsonb('contacts').$type<Contact[]>().notNull().default([]),
  status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
  figures: jsonb('figures').$type<Record<string, unknown>>(),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
