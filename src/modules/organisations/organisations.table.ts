import { pgTable, uuid, text, timestamp, integer, jsonb, index } from 'drizzle-orm/pg-core'
import type { Localized } from '../../lib/localized.ts'

export const SECTORS = ['government', 'un_agency', 'donor', 'academia', 'civil_society', 'private_sector', 'media', 'other'] as const
export type Sector = (typeof SECTORS)[number]

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: jsonb('name').$type<Localized>().notNull(),
  /** Normalised primary name (lower case, single spaces): organisations are matched, not duplicated, by it. */
  nameKey: text('name_key').notNull().unique(),
  acronym: text('acronym'),
  sector: text('sector', { enum: SECTORS }).notNull(),
  country: text('country'),
  website: text('website'),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('organisations_sector_idx').on(t.sector), index('organisations_created_idx').on(t.createdAt, t.id)])
