// Test helpers: each test file builds its own app on its own fresh, migrated database.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import type { Test } from 'tap'
import { buildApp } from '../src/app.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { openDatabase, type Database, type Db } from '../src/db/client.ts'
import { migrateDatabase, MIGRATIONS_FOLDER } from '../src/db/migrate.ts'
import type { App } from '../src/lib/module.ts'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** PostgreSQL server to test against; unset: embedded PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined

/** A fresh database for one test: a new database on the PostgreSQL server, or an in-memory PGlite. */
export async function freshDatabaseUrl (t: Test): Promise<string | undefined> {
  if (!TEST_DATABASE_URL) return undefined
  const name = `nadwa_test_${randomBytes(6).toString('hex')}`
  const server = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} })
  await server.unsafe(`create database ${name}`)
  await server.end()
  t.teardown(async () => {
    const s = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} })
    await s.unsafe(`drop database if exists ${name} with (force)`)
    await s.end()
  })
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * A migrated PGlite data directory, made once for the migrations as they are and kept in the system's
 * temporary folder for every test process: a PGlite starts from it in a fraction of the time an empty
 * one takes to initialise (initdb) and migrate.
 */
let template: Promise<Blob> | undefined
function migratedTemplate (): Promise<Blob> {
  template ??= (async () => {
    const hash = createHash('sha256')
    for (const file of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
      if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)))
    }
    const path = join(tmpdir(), `nadwa-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`)
    if (existsSync(path)) return new Blob([readFileSync(path)])
    const database = await openDatabase({})
    await migrateDatabase(database)
    const dump = await (database.db as unknown as { $client: { dumpDataDir (compression: 'none'): Promise<Blob> } }).$client.dumpDataDir('none')
    await database.close()
    // Written aside, then renamed: test processes starting together never read half a file.
    const partial = `${path}.${process.pid}`
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
    renameSync(partial, path)
    return dump
  })()
  return template
}

export function testConfig (overrides: Record<string, string> = {}): Config {
  return loadConfig({ ADMIN_TOKEN, PUBLIC_URL: 'https://nadwa.test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', ...overrides })
}

export interface TestApp {
  app: App
  db: Db
  database: Database
  config: Config
  /** The database URL, on PostgreSQL: another instance can open the same database. */
  url: string | undefined
}

/** Builds the app on a fresh migrated database; closes both when the test ends. */
export async function buildTestApp (t: Test, options: { env?: Record<string, string>, url?: string, logger?: Parameters<typeof buildApp>[0]['logger'], max?: number } = {}): Promise<TestApp> {
  const url = options.url ?? await freshDatabaseUrl(t)
  const config = testConfig({ ...(url ? { DATABASE_URL: url } : {}), ...options.env })
  const database = await openDatabase({ url, max: options.max, template: url ? undefined : await migratedTemplate() })
  await migrateDatabase(database, url)
  const app = await buildApp({ config, database, logger: options.logger })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await database.close()
  })
  return { app, db: database.db, database, config, url }
}

/** The OpenAPI document the service serves, as committed under openapi/. */
export async function openApiDocument (): Promise<string> {
  const database = { db: {} as Db, kind: 'pglite' as const, ping: async () => {}, close: async () => {} }
  const app = await buildApp({ config: loadConfig({ PUBLIC_URL: 'http://localhost:3000' }), database })
  await app.ready()
  const document = JSON.stringify(app.swagger(), null, 2) + '\n'
  await app.close()
  return document
}

/** The JSON of a response, typed loosely for assertions. */
export function json<T = any> (response: { body: string }): T {
  return JSON.parse(response.body) as T
}

/**
 * Asks for a representation until it comes in this coding (brotli is made in the background after the
 * first client that accepts it asks; gzip is answered until then), and answers that response. Fails
 * the test after 100 tries, 20 ms apart.
 */
export async function untilCoding (t: Test, app: App, url: string, headers: Record<string, string>, coding: string) {
  for (let i = 0; i < 100; i++) {
    const res = await app.inject({ url, headers })
    if (res.headers['content-encoding'] === coding) return res
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.fail(`${url} never came in ${coding}`)
  throw new Error(`${url} never came in ${coding}`)
}

export const jsonHeaders = { 'content-type': 'application/json' }
export const orgHeaders = { ...admin, ...jsonHeaders }

/** A workshop body with sensible defaults. */
export function workshopBody (overrides: Record<string, unknown> = {}) {
  return {
    title: { en: 'Strategic planning for reintegration', ar: 'التخطيط الاستراتيجي لإعادة الإدماج' },
    timezone: 'Asia/Baghdad',
    start_date: '2023-02-05',
    end_date: '2023-02-07',
    ...overrides,
  }
}

/** Creates a workshop through the API and answers its JSON. */
export async function createWorkshop (app: App, overrides: Record<string, unknown> = {}, publish = false): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: workshopBody(overrides) })
  if (res.statusCode !== 201) throw new Error(`createWorkshop: ${res.statusCode} ${res.body}`)
  const workshop = json(res)
  if (!publish) return workshop
  const published = await app.inject({ method: 'POST', url: `/v1/workshops/${workshop.id}/publish`, headers: admin })
  return json(published)
}

/** Creates an organisation through the API and answers its JSON. */
export async function createOrganisation (app: App, overrides: Record<string, unknown> = {}): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { en: `Org ${randomBytes(4).toString('hex')}` }, sector: 'government', ...overrides } })
  if (res.statusCode !== 201) throw new Error(`createOrganisation: ${res.statusCode} ${res.body}`)
  return json(res)
}

/** Asserts an RFC 9457 problem with this status, and (when given) a field error on this field. */
export function assertProblem (t: Test, res: { statusCode: number, headers: Record<string, unknown>, body: string }, status: number, field?: string) {
  t.equal(res.statusCode, status, `status ${status}: ${res.body.slice(0, 300)}`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json')
  const body = json(res)
  t.equal(body.status, status, 'status in the body')
  t.type(body.title, 'string')
  t.type(body.detail, 'string')
  if (field) t.ok(body.errors?.some((e: { field: string }) => e.field === field), `names the field ${field}: ${JSON.stringify(body.errors)}`)
  return body
}

/**
 * Arguments of /bin/sh that run node with these arguments and no NODE_OPTIONS, as `npm start` runs.
 * tap wraps child_process and adds its process-info loader to every child's NODE_OPTIONS, even when
 * the env given has none; that loader runs before anything of the child and left nextTick on the
 * slow path before keepTickMaps was called (the kept-tick test failed under tap without this).
 */
export function withoutLoaders (args: string[]): string[] {
  return ['-c', 'NODE_OPTIONS= exec "$0" "$@"', process.execPath, ...args]
}

/** Options of the tests that read V8's debug print of its feedback: V8 11.3's (Node 20's) format, and its condition. */
export const READS_V8_11_3 = { skip: process.versions.v8.startsWith('11.3.') ? false : `V8 ${process.versions.v8}: this reads V8 11.3's debug print` }

/** The states of the feedback slots of process.nextTick's tick literal (src/lib/ticks.ts) in a %DebugPrint of it (Node 20). */
export function slotStates (debugPrint: string): string[] {
  return [...debugPrint.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1])
}
