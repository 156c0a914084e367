import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api'
import * as schema from '../../src/db/schema.ts'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { openDatabase, rowsOf } from '../../src/db/client.ts'
import { migrate } from 'drizzle-orm/pglite/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
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

t.test('a database with registrations already gets its session seats counted when it migrates to session_seats', async (t) => {
  // The migrations up to 0003, as a database made before session_seats has them.
  const before = mkdtempSync(join(tmpdir(), 'nadwa-migrations-'))
  t.teardown(() => rmSync(before, { recursive: true, force: true }))
  cpSync(MIGRATIONS_FOLDER, before, { recursive: true })
  const journal = JSON.parse(readFileSync(join(before, 'meta/_journal.json'), 'utf8'))
  const upTo = journal.entries.findIndex((e: { tag: string }) => e.tag === '0004_session_seats')
  writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }))
  const database = await openDatabase({})
  t.teardown(() => database.close())
  const db = database.db
  await migrate(db as unknown as PgliteDatabase, { migrationsFolder: before })
  const [w] = await rowsOf<{ id: string }>(db, sql`insert into workshops (slug, title, start_date, end_date, timezone, status)
    values ('old', '{"en": "Old"}', '2030-03-01', '2030-03-02', 'Asia/Baghdad', 'published') returning id`)
  const [a, b] = await rowsOf<{ id: string }>(db, sql`insert into sessions (workshop_id, title, kind, capacity, starts_at, ends_at)
    values (${w.id}, '{"en": "A"}', 'panel', 5, '2030-03-01T09:00:00+03', '2030-03-01T10:00:00+03'),
           (${w.id}, '{"en": "B"}', 'panel', null, '2030-03-01T11:00:00+03', '2030-03-01T12:00:00+03') returning id`)
  for (const [i, status, chosen] of [[1, 'confirmed', [a, b]], [2, 'confirmed', [a]], [3, 'waitlisted', [a]], [4, 'cancelled', [b]]] as const) {
    const [r] = await rowsOf<{ id: string }>(db, sql`insert into registrations (workshop_id, name, email, email_key, status, manage_token_hash, feed_token_hash)
      values (${w.id}, ${`P ${i}`}, ${`p${i}@example.org`}, ${`p${i}@example.org`}, ${status}, ${`m${i}`}, ${`f${i}`}) returning id`)
    for (const s of chosen) await db.execute(sql`insert into registration_sessions (registration_id, session_id) values (${r.id}, ${s.id})`)
  }

  await migrateDatabase(database)
  const seats = await rowsOf<{ session_id: string, confirmed: number }>(db, sql`select session_id, confirmed from session_seats`)
  t.same(Object.fromEntries(seats.map((s) => [s.session_id === a.id ? 'a' : 'b', s.confirmed])), { a: 2, b: 1 }, 'the confirmed people who chose each session')
})
