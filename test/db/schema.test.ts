import t from 'tap'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableName } from 'drizzle-orm'
import * as schema from '../../src/db/schema.ts'

t.test('every foreign key points at a table of the schema, and every table has a primary key', async (t) => {
  const tables = Object.values(schema).filter((v) => v instanceof PgTable) as PgTable[]
  const names = new Set(tables.map((table) => getTableName(table)))
  t.ok(names.has('workshops') && names.has('registrations') && names.has('summaries'))
  for (const table of tables) {
    const config = getTableConfig(table)
    t.ok(config.columns.some((c) => c.primary) || config.primaryKeys.length > 0, `${config.name} has a primary key`)
    for (const fk of config.foreignKeys) {
      const target = getTableName(fk.reference().foreignTable)
      t.ok(names.has(target), `${config.name} -> ${target}`)
    }
    config.indexes.forEach((index) => t.ok(index.config.columns.length > 0, `${config.name}: index ${index.config.name}`))
  }
})
