// The real process: SIGTERM under load answers every accepted request completely and exits 0;
// kill -9 in the middle of writes leaves no half-written change. PostgreSQL suite only.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { admin, freshDatabaseUrl, TEST_DATABASE_URL, workshopBody } from '../helpers.ts'
import { openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { startServer } from './server.ts'

t.setTimeout(240_000)
const skip = !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL (the PostgreSQL suite)'
const headers = { ...admin, 'content-type': 'application/json' }

async function migratedDatabase (t: Parameters<typeof freshDatabaseUrl>[0]) {
  const url = (await freshDatabaseUrl(t))!
  const database = await openDatabase({ url })
  await migrateDatabase(database, url)
  await database.close()
  const sql = postgres(url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
  return { url, sql }
}

/** A request's outcome: its answer, or the network error (refused = never accepted). */
async function send (url: string, init: RequestInit): Promise<{ status: number, body: any } | { error: string }> {
  try {
    const res = await fetch(url, init)
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    return { error: cause?.code ?? String(err) }
  }
}

t.test('SIGTERM under load: in-flight requests complete, then the process exits 0', { skip }, async (t) => {
  const { url, sql } = await migratedDatabase(t)
  const server = await startServer({ DATABASE_URL: url })
  t.teardown(() => { server.child.kill('SIGKILL') })

  const workshop = await (await fetch(`${server.url}/v1/workshops`, { method: 'POST', headers, body: JSON.stringify(workshopBody()) })).json() as { id: string }
  // Hold the workshop's row lock elsewhere: the writes below are in flight when SIGTERM arrives.
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  await new Promise<void>((resolve) => { void sql.begin(async (tx) => { await tx`select id from workshops where id = ${workshop.id} for update`; resolve(); await held }) })

  const patches = Array.from({ length: 5 }, (_, i) => send(`${server.url}/v1/workshops/${workshop.id}`, { method: 'PATCH', headers, body: JSON.stringify({ capacity: 10 + i }) }))
  const creates = Array.from({ length: 20 }, (_, i) => send(`${server.url}/v1/organisations`, { method: 'POST', headers, body: JSON.stringify({ name: { en: `SIGTERM ${i} ${randomBytes(3).toString('hex')}` }, sector: 'media' }) }))
  await new Promise((resolve) => setTimeout(resolve, 300))
  server.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const late = await send(`${server.url}/readyz`, {})
  release()

  const answers = await Promise.all([...patches, ...creates])
  const { code, signal } = await server.exited
  t.equal(code, 0, `exit code 0 (signal ${signal}): ${server.output().slice(-500)}`)
  const broken = answers.filter((a) => 'error' in a && a.error !== 'ECONNREFUSED')
  t.same(broken, [], 'no accepted request lost its answer')
  const patched = answers.slice(0, 5)
  t.ok(patched.every((a) => 'status' in a && a.status === 200), `the writes in flight completed: ${JSON.stringify(patched)}`)
  t.match(late, { status: 503 }, 'while draining, readyz tells balancers to stop sending; requests still get whole answers')
  const created = answers.slice(5).filter((a): a is { status: number, body: any } => 'status' in a && a.status === 201)
  for (const a of created) {
    t.equal((await sql`select count(*)::int as n from organisations where id = ${a.body.id}`)[0].n, 1, 'each 201 is stored')
  }
})

t.test('kill -9 in the middle of writes: every change committed whole or not at all', { skip }, async (t) => {
  const { url, sql } = await migratedDatabase(t)
  const server = await startServer({ DATABASE_URL: url })
  t.teardown(() => { server.child.kill('SIGKILL') })

  const answered: Array<{ key: string, id: string }> = []
  let writing = true
  const writer = async (w: number) => {
    for (let i = 0; writing; i++) {
      const key = `crash-${w}-${i}`
      const res = await send(`${server.url}/v1/workshops`, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body: JSON.stringify(workshopBody({ title: { en: key } })) })
      if ('status' in res && res.status === 201) answered.push({ key, id: res.body.id })
      if ('error' in res) return
    }
  }
  const writers = [0, 1, 2, 3].map(writer)
  const warm = Date.now() + 30_000
  while (answered.length < 8 && Date.now() < warm) await new Promise((resolve) => setTimeout(resolve, 20))
  server.child.kill('SIGKILL')
  writing = false
  await Promise.all(writers)
  t.equal((await server.exited).signal, 'SIGKILL')

  // An idempotency key is stored in the same transaction as what it created and its answer:
  // a key without an answer, or an answer without its workshop, would be a half-written create.
  const half = await sql`select k.scope from idempotency_keys k where k.status_code is null or k.sealed_response is null`
  t.same(half, [], 'no stored key without its answer')
  const keys = Number((await sql`select count(*)::int as n from idempotency_keys`)[0].n)
  const workshops = Number((await sql`select count(*)::int as n from workshops`)[0].n)
  t.equal(workshops, keys, `${workshops} workshops, one per stored key`)
  for (const a of answered) {
    t.equal((await sql`select count(*)::int as n from workshops where id = ${a.id}`)[0].n, 1, `answered ${a.key} is stored`)
  }

  // The service starts again on the same database, and a retried key gives back what it stored.
  const again = await startServer({ DATABASE_URL: url })
  t.teardown(() => { again.child.kill('SIGKILL') })
  const retry = await send(`${again.url}/v1/workshops`, { method: 'POST', headers: { ...headers, 'idempotency-key': answered[0].key }, body: JSON.stringify(workshopBody({ title: { en: answered[0].key } })) })
  t.match(retry, { status: 201, body: { id: answered[0].id } }, 'replayed after the crash')
  again.child.kill('SIGTERM')
  t.equal((await again.exited).code, 0)
})
