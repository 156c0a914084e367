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
