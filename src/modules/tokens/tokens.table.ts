import { pgTable, uuid, text, timestamp, integer, primaryKey } from 'drizzle-orm/pg-core'

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'organiser'] }).notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
})

/**
 * Stored answers of creates sent with an Idempotency-Key, per scope (operation and caller). The key
 * is stored hashed and the answer sealed with a key derived from it: answers may carry secrets
 * (a registration's manage token) that only the client who holds the Idempotency-Key may see again.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  scope: text('scope').notNull(),
  keyHash: text('key_hash').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code'),
  sealedResponse: text('sealed_response'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.scope, t.keyHash] })])
