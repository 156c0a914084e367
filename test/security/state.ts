// A fingerprint of everything stored: row count and checksum of every table. Equal fingerprints
// before and after a refused request prove it changed nothing.
import { sql } from 'drizzle-orm'
import type { Db } from '../../src/db/client.ts'

function rowsOf (result: unknown): Array<Record<string, unknown>> {
  return (Array.isArray(result) ? result : (result as { rows: Array<Record<string, unknown>> }).rows)
}

let tablesQuery: string | undefined

export async function tablesOf (db: Db): Promise<string[]> {
  const rows = rowsOf(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`))
  return rows.map((r) => String(r.table_name))
}

/** `table: count md5` for every table of the public schema, one line each. */
export async function fingerprint (db: Db): Promise<string> {
  if (!tablesQuery) {
    const tables = await tablesOf(db)
    tablesQuery = tables.map((name) => `select '${name}' as t, count(*)::int as n, coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h from "${name}" x`).join(' union all ')
  }
  const rows = rowsOf(await db.execute(sql.raw(tablesQuery)))
  return rows.map((r) => `${r.t}: ${r.n} ${r.h}`).sort().join('\n')
}
