import { mkdirSync } from 'node:fs'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { PostgresJsSession } from 'drizzle-orm/postgres-js/session'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { sql, type SQL } from 'drizzle-orm'
import postgres from 'postgres'
import * as schema from './schema.ts'
import type { Config } from '../config.ts'

export type Schema = typeof schema
/** A drizzle database or transaction: repositories take either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

/** Runs raw SQL and answers its rows, whichever driver: postgres.js answers an array, PGlite `{ rows }`. */
export async function rowsOf<T> (db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query) as unknown
  /* c8 ignore next: one branch per driver; each half of CI (PostgreSQL, PGlite) takes one */
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

const kept = new WeakMap<Db, Map<string, unknown>>()

/** What `make` answers, made once per database handle and name, and kept with the handle. */
export function perDatabase<T> (db: Db, name: string, make: () => T): T {
  let values = kept.get(db)
  if (values === undefined) {
    values = new Map()
    kept.set(db, values)
  }
  let value = values.get(name) as T | undefined
  if (value === undefined) {
    value = make()
    values.set(name, value)
  }
  return value
}

/**
 * A query prepared once per database handle, under `name`, and kept: drizzle builds a query's SQL
 * text from its builder on every call otherwise (a sixth of the service's CPU per registration went
 * there). On a transaction handle the query is prepared for that transaction (it must run in it)
 * and goes with it.
 */
export function preparedOn<P> (db: Db, name: string, query: () => { prepare (name: string): P }): P {
  return perDatabase(db, `prepared:${name}`, () => query().prepare(name))
}

export interface Database {
  db: Db
  kind: 'postgres' | 'pglite'
  /** Resolves when the database answers a trivial query. */
  ping (): Promise<void>
  close (): Promise<void>
}

export interface DatabaseOptions {
  /** PostgreSQL URL; without it an embedded PGlite database is used. */
  url?: string
  /** Folder of the PGlite database; `memory://` (or unset with no url) keeps it in memory. */
  dataDir?: string
  /** PGlite only: start from this dump of a data directory (`dumpDataDir`), as tests do from a migrated one. */
  template?: Blob
  /** Connections in the pool (PostgreSQL only). */
  max?: number
  /** Seconds to wait for a connection; then the query fails with CONNECT_TIMEOUT (answered 503). */
  connectTimeout?: number
  /** Seconds before an idle connection is closed; 0: never. */
  idleTimeout?: number
  /** Milliseconds a statement, or a lock wait, may take; then PostgreSQL cancels it (57014, answered 503). 0: no limit. */
  statementTimeout?: number
}

/** The pool settings of a configuration (DATABASE_URL, DB_POOL_MAX, DB_CONNECT_TIMEOUT, DB_IDLE_TIMEOUT, DB_STATEMENT_TIMEOUT). */
export function databaseOptions (config: Config): DatabaseOptions {
  return {
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    max: config.DB_POOL_MAX,
    connectTimeout: config.DB_CONNECT_TIMEOUT,
    idleTimeout: config.DB_IDLE_TIMEOUT,
    statementTimeout: config.DB_STATEMENT_TIMEOUT,
  }
}

/** PGlite is loaded only when it is used: a service on PostgreSQL starts without its WebAssembly. */
async function openPglite (dataDir?: string, template?: Blob): Promise<PGlite> {
  if (dataDir && !dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true })
  const [{ PGlite }, { btree_gist }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/btree_gist')])
  return new PGlite(dataDir ?? 'memory://', { extensions: { btree_gist }, ...(template ? { loadDataDir: template } : {}) })
}

/**
 * Every query of the service runs as a prepared statement: postgres.js keeps one per connection and
 * query text, so PostgreSQL parses and plans it once instead of on every call. drizzle prepares only
 * the queries given a name (`.prepare(name)`); its session is told to prepare them all. That planning
 * was most of the time the registration lock is held (a workshop's registrations are serialized).
 */
let prepared = false
function preparedStatements (): void {
  if (prepared) return
  prepared = true
  const proto = PostgresJsSession.prototype as unknown as { prepareQuery: (...args: unknown[]) => unknown }
  const prepareQuery = proto.prepareQuery
  proto.prepareQuery = function (this: unknown, query: unknown, fields: unknown, name: unknown, ...rest: unknown[]) {
    return prepareQuery.call(this, query, fields, name ?? '', ...rest)
  }
}

export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  /* c8 ignore start: PostgreSQL; covered by the runs with TEST_DATABASE_URL (.ci/run runs both) */
  if (options.url) {
    const statementTimeout = options.statementTimeout ?? 10_000
    const client = postgres(options.url, {
      max: options.max ?? 10,
      connect_timeout: options.connectTimeout ?? 5,
      idle_timeout: options.idleTimeout ?? 60,
      onnotice: () => {},
      connection: {
        application_name: 'nadwa',
        // A statement or lock wait that outlives this is cancelled (57014 -> 503) and its connection
        // returns to the pool: a stuck query cannot hold the pool forever. Same bound for a
        // transaction left idle (a client gone mid-transaction).
        statement_timeout: statementTimeout,
        idle_in_transaction_session_timeout: statementTimeout,
      },
    })
    preparedStatements()
    const db = drizzlePostgres(client, { schema }) as unknown as Db
    return {
      db,
      kind: 'postgres',
      async ping () { await client`select 1` },
      async close () { await client.end({ timeout: 5 }) },
    }
  }
  /* c8 ignore stop */
  const client = await openPglite(options.dataDir, options.template)
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite')
  await client.waitReady
  const db = drizzlePglite(client, { schema }) as unknown as Db
  return {
    db,
    kind: 'pglite',
    async ping () { await db.execute(sql`select 1`) },
    async close () { await client.close() },
  }
}
