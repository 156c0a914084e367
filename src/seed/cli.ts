// `npm run seed`: loads the reference workshop into the configured database (DATABASE_URL or DATA_DIR, like the service).
import { randomBytes } from 'node:crypto'
import { buildApp } from '../app.ts'
import { loadConfig } from '../config.ts'
import { openDatabase } from '../db/client.ts'
import { migrateDatabase } from '../db/migrate.ts'
import { seedWorkshop, type SeedResult } from './load.ts'

export interface SeedIo { out: (line: string) => void, err: (line: string) => void }

/**
 * Opens the database, builds the app in-process with a one-off admin token (never written anywhere) and
 * loads the workshop through the API. `prepare` lets a caller add routes before the app starts.
 */
export async function runSeed (env: Record<string, string | undefined>, io: SeedIo, pageSize?: number): Promise<SeedResult> {
  const token = randomBytes(32).toString('base64url')
  const config = loadConfig({ ...env, ADMIN_TOKEN: token, RATE_LIMIT_PER_MINUTE: '0' })
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, max: 2 })
  try {
    await migrateDatabase(database, config.DATABASE_URL)
    const app = await buildApp({ config, database })
    try {
      const result = await seedWorkshop(app, token, { log: io.err, pageSize })
      io.out(`${config.PUBLIC_URL}/summaries/${result.slug}?lang=ar`)
      io.err(result.created ? `Seeded (${result.created} writes).` : 'Already seeded: nothing changed.')
      return result
    } finally {
      await app.close()
    }
  } finally {
    await database.close()
  }
}

/* c8 ignore start: the process entry; tests call runSeed */
if (import.meta.url === `file://${process.argv[1]}`) {
  runSeed(process.env, { out: (l) => console.log(l), err: (l) => console.error(l) })
    .catch((err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1 })
}
/* c8 ignore stop */
