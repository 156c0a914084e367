import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { apiTokens } from './tokens.table.ts'

export type TokenRow = typeof apiTokens.$inferSelect

export function tokensRepository (db: Db) {
  return {
    async insert (values: { name: string, role: 'admin' | 'organiser', tokenHash: string }): Promise<TokenRow> {
      const [row] = await db.insert(apiTokens).values(values).returning()
      return row
    },
    async findActiveByHash (tokenHash: string): Promise<TokenRow | undefined> {
      const [row] = await db.select().from(apiTokens)
        .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt))).limit(1)
      return row
    },
    async list (): Promise<TokenRow[]> {
      return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
    },
    /** Revokes by id or by name; answers how many tokens it revoked. */
    async revoke (idOrName: string): Promise<number> {
      const byId = /^[0-9a-f-]{36}$/i.test(idOrName)
      const rows = await db.update(apiTokens).set({ revokedAt: sql`now()` })
        .where(and(byId ? eq(apiTokens.id, idOrName) : eq(apiTokens.name, idOrName), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
      return rows.length
    },
  }
}
