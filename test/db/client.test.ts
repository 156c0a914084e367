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
