import t from 'tap'
import { sql } from 'drizzle-orm'
import { openDatabase } from '../../src/db/client.ts'

t.test('the embedded database works in memory, whatever the suite runs on', async (t) => {
  const database = await openDatabase({})
  t.teardown(() => database.close())
  t.equal(database.kind, 'pglite')
  await database.ping()
  const result = await database.db.execute(sql`select 1 + 1 as two`)
  t.same((result as unknown as { rows: unknown[] }).rows, [{ two: 2 }])
})

t.test('an embedded database can start from a dump of another (as the tests start from a migrated one)', async (t) => {
  const first = await openDatabase({})
  await first.db.execute(sql`create table kept (word text)`)
  await first.db.execute(sql`insert into kept values ('ندوة')`)
  const dump = await (first.db as unknown as { $client: { dumpDataDir (c: 'none'): Promise<Blob> } }).$client.dumpDataDir('none')
  await first.close()
  const second = await openDatabase({ template: dump })
  t.teardown(() => second.close())
  const result = await second.db.execute(sql`select word from kept`)
  t.same((result as unknown as { rows: unknown[] }).rows, [{ word: 'ندوة' }])
})

t.test('a query prepared on a transaction runs in that transaction; the one prepared on the database outside it', async (t) => {
  const { preparedOn } = await import('../../src/db/client.ts')
  const { pgTable, text } = await import('drizzle-orm/pg-core')
  const { count } = await import('drizzle-orm')
  const words = pgTable('words', { word: text('word') })
  const database = await openDatabase({})
  t.teardown(() => database.close())
  const db = database.db
  await db.execute(sql`create table words (word text)`)
  let built = 0
  const counting = (on: typeof db) => preparedOn(on, 'words', () => {
    built++
    return on.select({ n: count() }).from(words)
  })
  t.same(await counting(db).execute(), [{ n: 0 }])
  t.equal(counting(db), counting(db), 'built once per handle')
  await db.transaction(async (transaction) => {
    const tx = transaction as unknown as typeof db
    await tx.insert(words).values({ word: 'ندوة' })
    t.same(await counting(tx).execute(), [{ n: 1 }], 'the transaction\'s own sees its uncommitted row')
  })
  t.same(await counting(db).execute(), [{ n: 1 }], 'the database\'s sees it once committed: executed again, not remembered')
  t.equal(built, 2)
})
