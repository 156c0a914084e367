import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api'
import * as schema from '../../src/db/schema.ts'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { openDatabase } from '../../src/db/client.ts'
import { migrateDatabase, MIGRATIONS_FOLDER } from '../../src/db/migrate.ts'
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../helpers.ts'

t.test('the committed migrations match the schema (drizzle-kit finds nothing to generate)', async (t) => {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'))
  const last = journal.entries.at(-1)
  const snapshot = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, `meta/${String(last.idx).padStart(4, '0')}_snapshot.json`), 'utf8'))
  const current = generateDrizzleJson(schema, snapshot.id)
  t.same(await generateMigration(snapshot, current), [], 'no statement is missing from migrations/ (npm run db:generate)')
  t.same(journal.entries.map((e: { when: number }) => e.when), journal.entries.map((e: { when: number }) => e.when).sort(), 'the journal is in time order')
})

t.test('PGlite keeps its data under DATA_DIR across restarts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nadwa-data-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const first = await openDatabase({ dataDir: join(dir, 'db') })
  await migrateDatabase(first)
  await first.db.execute(sql`insert into api_tokens (name, role, token_hash) values ('kept', 'admin', 'h')`)
  await first.close()
  const second = await openDatabase({ dataDir: join(dir, 'db') })
  await migrateDatabase(second)
  const rows = await second.db.execute(sql`select name from api_tokens`)
  t.same((rows as unknown as { rows: unknown[] }).rows, [{ name: 'kept' }])
  await second.close()
})

t.test('instances starting together on one PostgreSQL database migrate once, under an advisory lock', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const url = await freshDatabaseUrl(t)
  const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url, max: 2 })))
  t.teardown(() => Promise.all(instances.map((d) => d.close())))
  await Promise.all(instances.map((d) => migrateDatabase(d, url)))
  const applied = await instances[0].db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  t.equal((applied as unknown as Array<{ n: number }>)[0].n, readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length)
  await migrateDatabase(instances[1], url)
  t.pass('a second start applies nothing and does not fail')
})
