import t, { type Test } from 'tap'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import postgres from 'postgres'
import { TEST_DATABASE_URL } from '../helpers.ts'

// postgres.js's Queue as npm install leaves it (scripts/patch-postgres.mjs, "queue compaction"): the
// ESM file the bundle is built from and the CommonJS one.
const QUEUES = ['src/queue.js', 'cjs/src/queue.js']

type Queue<T> = { readonly length: number, push (x: T): T, shift (): T | undefined, remove (x: T): T | null }

async function loadQueue (file: string): Promise<<T>() => Queue<T>> {
  const module = await import(pathToFileURL(join('node_modules', 'postgres', file)).href)
  return module.default ?? module
}

/** Calls `run` and reports the arrays Array.prototype.indexOf was asked to search meanwhile: their length, and how much of each it read. */
function searches (run: () => void | Promise<void>): Promise<{ longest: number, widest: number, calls: number }> {
  const original = Array.prototype.indexOf
  let longest = 0
  let widest = 0
  let calls = 0
  Array.prototype.indexOf = function (this: unknown[], ...args: Parameters<typeof original>) {
    calls++
    longest = Math.max(longest, this.length)
    widest = Math.max(widest, this.length - (args[1] ?? 0))
    return original.apply(this, args)
  }
  const restore = () => { Array.prototype.indexOf = original }
  return Promise.resolve().then(run).then(
    () => { restore(); return { longest, widest, calls } },
    (err: unknown) => { restore(); throw err },
  )
}

/** The pool's use of its queue of idle connections: take the first, look for it (move → remove), put it back last. */
function rotate (queue: Queue<object>, times: number): object[] {
  const taken: object[] = []
  for (let i = 0; i < times; i++) {
    const connection = queue.shift()!
    taken.push(connection)
    queue.remove(connection)
    queue.push(connection)
  }
  return taken
}

for (const file of QUEUES) {
  t.test(`${file}: a queue that is never empty keeps its memory and its searches to what it holds`, async (t: Test) => {
    const Queue = await loadQueue(file)
    const connections = Array.from({ length: 9 }, (_, i) => ({ i }))
    const queue = Queue<object>()
    for (const c of connections) queue.push(c)
    let taken: object[] = []
    const seen = await searches(() => { taken = rotate(queue, 20_000) })
    t.equal(seen.calls, 20_000, 'every take looked for the connection once')
    t.ok(seen.widest <= connections.length, `each search read the ${connections.length} held, not what went before (read ${seen.widest})`)
    t.ok(seen.longest < 2 * 1024 + connections.length, `the array stays bounded after 20,000 turns (${seen.longest} slots)`)
    t.same(taken.slice(0, 18), [...connections, ...connections], 'first in, first out')
    t.ok(taken.every((c, k) => c === connections[k % connections.length]), 'in turn to the last, across the compactions')
    t.equal(queue.length, connections.length)
  })

  t.test(`${file}: remove takes out the one asked for, also after the array was compacted`, async (t: Test) => {
    const Queue = await loadQueue(file)
    const queue = Queue<object>()
    const items = Array.from({ length: 3000 }, (_, i) => ({ i }))
    for (const x of items) queue.push(x)
    const first: unknown[] = []
    for (let i = 0; i < 2000; i++) first.push(queue.shift()) // past the compaction point
    t.same(first, items.slice(0, 2000), 'first in, first out')
    t.equal(queue.remove(items[10]), null, 'one already taken is not there')
    t.equal(queue.remove(items[2500]), items[2500])
    t.equal(queue.remove(items[2500]), null, 'once')
    t.equal(queue.length, 999)
    const rest: object[] = []
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) rest.push(x)
    t.same(rest, [...items.slice(2000, 2500), ...items.slice(2501)])
    t.equal(queue.length, 0)
    queue.push(items[0])
    t.equal(queue.shift(), items[0], 'usable again once emptied')
  })
}

t.test('the pool of postgres.js on PostgreSQL: idle connections taken one at a time do not make each query search every one before it', { skip: TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL (PostgreSQL)' }, async (t) => {
  const sql = postgres(TEST_DATABASE_URL!, { max: 10, onnotice: () => {} })
  t.teardown(() => sql.end())
  // Ten connections open (ten queries at once), then one query at a time: nine stay idle.
  await Promise.all(Array.from({ length: 10 }, () => sql`select pg_sleep(0.02)`))
  const seen = await searches(async () => {
    for (let i = 0; i < 4000; i++) await sql`select 1`
  })
  t.ok(seen.calls >= 4000, `the pool looked connections up (${seen.calls} searches)`)
  t.ok(seen.longest < 2 * 1024 + 10, `no array the pool searched grew with the queries (longest ${seen.longest} after 4,000)`)
})
