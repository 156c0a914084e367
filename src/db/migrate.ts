import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import postgres from 'postgres'
import type { Database } from './client.ts'

// src/db/ in development, dist/src/db/ when built: the migrations folder sits at the project's root.
const projectRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/?$/, '')
export const MIGRATIONS_FOLDER = join(projectRoot, 'migrations')

/** Any 64-bit number fixed for this service: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_243_118_902

/**
 * Brings the database schema up to date. On PostgreSQL it runs on a connection of its own under
 * an advisory lock, so that several instances starting together migrate once, one after another.
 */
export async function migrateDatabase (database: Database, url?: string): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER })
    return
  }
  /* c8 ignore start: PostgreSQL; covered by the runs with TEST_DATABASE_URL (.ci/run runs both) */
  const client = postgres(url!, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    try {
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_FOLDER })
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
    }
  } finally {
    await client.end({ timeout: 5 })
  }
  /* c8 ignore stop */
}
