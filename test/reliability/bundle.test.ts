// What `npm start` runs: the one-file bundle (scripts/bundle.mjs), started as a process, on the
// embedded database or on PostgreSQL (TEST_DATABASE_URL). The sources are tested everywhere else;
// this is the check that bundling kept what they do: migrations found, PGlite loaded, the reference
// pages served, requests answered, a clean exit on SIGTERM.
import t, { type Test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { admin, ADMIN_TOKEN, freshDatabaseUrl, READS_V8_11_3, slotStates, withoutLoaders, workshopBody } from '../helpers.ts'
import { freePort } from './cluster.ts'
import { startServer, untilServing } from './server.ts'

t.setTimeout(180_000)

t.test('the bundle npm start runs: starts, migrates, answers, stops cleanly', async (t) => {
  const outfile = join('dist', `bundle-test-${process.pid}`, 'server.mjs')
  t.teardown(() => rmSync(join('dist', `bundle-test-${process.pid}`), { recursive: true, force: true }))
  await promisify(execFile)(process.execPath, ['scripts/bundle.mjs', outfile], { env: { ...process.env, _TAPJS_PROCESSINFO_COV_EXCLUDE_: '/./' } })

  const url = await freshDatabaseUrl(t)
  const dataDir = mkdtempSync(join(tmpdir(), 'nadwa-bundle-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env: Record<string, string> = url ? { DATABASE_URL: url } : { DATA_DIR: dataDir }
  const server = await startServer(env, [outfile])
  t.teardown(() => { server.child.kill('SIGKILL') })

  t.same(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready' }, 'migrated and ready')
  const docs = await fetch(`${server.url}/docs/`)
  t.equal(docs.status, 200)
  t.match(await docs.text(), /swagger-ui/i, 'the interactive reference')
  t.equal((await (await fetch(`${server.url}/openapi.json`)).json() as { openapi: string }).openapi, '3.1.0')
  const created = await fetch(`${server.url}/v1/workshops`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(workshopBody()) })
  t.equal(created.status, 201)
  const workshop = await created.json() as { id: string }
  const agenda = await fetch(`${server.url}/v1/workshops/${workshop.id}/agenda`, { headers: admin })
  t.equal(agenda.status, 200)
  t.equal((await agenda.json() as { days: unknown[] }).days.length, 3)
  const missing = await fetch(`${server.url}/v1/nothing`)
  t.equal(missing.status, 404)
  t.match(missing.headers.get('content-type'), /problem\+json/)

  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null }, 'exits 0 on SIGTERM')

  await t.test('src/lib/ticks.ts: once started and answering, nextTick is still on V8\'s fast path', READS_V8_11_3, async (t) => {
    // Started as `npm start` starts it (its node flags), with a preload that, on SIGUSR2, has V8 print
    // the state of nextTick's feedback and ends the process. Without keepTickMaps (or with it called
    // after the start's collections) the slots read MEGAMORPHIC here on PGlite; a start that happened
    // to collect no garbage would pass without it.
    const preload = join(dataDir, 'print-next-tick.cjs')
    writeFileSync(preload, "process.on('SIGUSR2', () => { %DebugPrint(process.nextTick); process.exit(0) })\n")
    const started = await startTraced(t, ['--allow-natives-syntax', ...startFlags(), '-r', preload, outfile], env, join(dataDir, 'next-tick.txt'))
    const statuses = new Set<number>()
    for (let i = 0; i < 20; i++) {
      await Promise.all(Array.from({ length: 25 }, async () => {
        const feed = await fetch(`${started.url}/v1/workshops/${workshop.id}/calendar.ics`, { headers: admin })
        await feed.arrayBuffer()
        statuses.add(feed.status)
      }))
    }
    t.same([...statuses], [200], '500 feeds answered')
    const output = await started.stop('SIGUSR2')
    t.same(slotStates(output), ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC'], 'nextTick on the fast path')
  })

  await t.test('npm start turns off V8\'s allocation-site pretenuring', async (t) => {
    // Left on, V8 moves object and array literals whose first ones survived a collection (the start
    // makes many) to the old generation as they are made. Such an object, made for an answer and
    // pointing at it, holds the answer's request and response through every young collection until
    // the next full one: 0.9-1.5 MB promoted per collection, and half as much CPU again per cached
    // answer (README, Performance). V8's trace lists each decision it makes.
    async function tenured (flags: string[], name: string): Promise<number> {
      const started = await startTraced(t, [...flags, '--trace-pretenuring-statistics', outfile], env, join(dataDir, `${name}.txt`))
      const statuses = new Set<number>()
      for (let i = 0; i < 20; i++) {
        await Promise.all(Array.from({ length: 25 }, async (_, j) => {
          const answer = await fetch(`${started.url}/v1/workshops/${workshop.id}/${j % 2 ? 'agenda' : 'calendar.ics'}`, { headers: admin })
          await answer.arrayBuffer()
          statuses.add(answer.status)
        }))
      }
      t.same([...statuses], [200], `${name}: 500 agendas and feeds answered`)
      return [...(await started.stop('SIGTERM')).matchAll(/=> tenure/g)].length
    }
    const flags = startFlags()
    t.ok(flags.includes('--no-allocation-site-pretenuring'), 'npm start says so')
    // The Dockerfile starts the same file with the same flags.
    t.same(JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))![1]), ['node', ...flags, 'dist/bundle/server.mjs'], 'and so does the Dockerfile')
    t.equal(await tenured(flags, 'pretenuring-off'), 0, 'started so: no allocation site moved to the old generation')
    // The premise, on the V8 the service runs on (Node 20's 11.3; on PGlite and on PostgreSQL); another reports what it does.
    const left = await tenured(flags.filter((f) => f !== '--no-allocation-site-pretenuring'), 'pretenuring-on')
    const seen = `left on, ${left} allocation sites moved to the old generation`
    if (process.versions.v8.startsWith('11.3.')) t.ok(left > 0, seen)
    else t.comment(seen)
  })

  await t.test('npm start keeps Node\'s socket and response code polymorphic through varied traffic', READS_V8_11_3, async (t) => {
    // Node's HTTP and stream functions see sockets, requests and responses of more shapes than V8's
    // default four per property access once a service answers writes, errors and big and small reads:
    // those accesses then go megamorphic for good, and every answer pays (README, Performance). On
    // SIGUSR2 the preload has V8 print four of them and ends the process.
    const preload = join(dataDir, 'print-node-http.cjs')
    writeFileSync(preload, `process.on('SIGUSR2', () => {
      const net = require('net'), stream = require('stream'), http = require('http')
      for (const f of [net.Socket.prototype._writeGeneric, net.Socket.prototype._unrefTimer, http.OutgoingMessage.prototype.end, stream.Readable.prototype.on]) %DebugPrint(f)
      process.exit(0)
    })\n`)
    async function megamorphic (flags: string[], name: string): Promise<number> {
      const started = await startTraced(t, ['--allow-natives-syntax', ...flags, '-r', preload, outfile], env, join(dataDir, `${name}.txt`))
      const call = async (path: string, init: RequestInit = {}) => {
        const answer = await fetch(`${started.url}${path}`, init)
        await answer.arrayBuffer()
        return answer.status
      }
      const write = (method: string, body: unknown) => ({ method, headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const created = await fetch(`${started.url}/v1/workshops`, write('POST', workshopBody({ slug: `varied-${name}` })))
      const { id } = await created.json() as { id: string }
      const statuses = new Set([created.status, await call(`/v1/workshops/${id}/publish`, { method: 'POST', headers: admin })])
      for (let i = 0; i < 12; i++) {
        const hour = String(9 + (i % 8)).padStart(2, '0')
        statuses.add(await call(`/v1/workshops/${id}/sessions`, write('POST', { title: { en: `Session ${i}` }, kind: 'panel', starts_at: `2023-02-0${5 + (i % 3)}T${hour}:00:00+03:00`, ends_at: `2023-02-0${5 + (i % 3)}T${hour}:45:00+03:00` })))
      }
      for (let i = 0; i < 10; i++) {
        const codes = await Promise.all([
          call(`/v1/workshops/${id}/agenda`, { headers: { 'accept-encoding': 'identity' } }),
          call(`/v1/workshops/${id}/agenda`, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } }),
          call(`/v1/workshops/${id}/calendar.ics`),
          call(`/v1/workshops/${id}`),
          call('/healthz'),
          call('/v1/nothing'),
          call('/v1/workshops', write('POST', { title: 1 })),
          call(`/v1/workshops/${id}/registrations`, write('POST', { name: `Person ${i}`, email: `person${i}@example.org` })),
        ])
        for (const code of codes) statuses.add(code)
      }
      t.same([...statuses].sort(), [200, 201, 400, 404], `${name}: writes, reads and errors answered`)
      return (await started.stop('SIGUSR2')).match(/slot #\d+ \w+ MEGAMORPHIC/g)?.length ?? 0
    }
    const flags = startFlags()
    t.ok(flags.includes('--max-valid-polymorphic-map-count=16'), 'npm start says so (the Dockerfile too: see above)')
    t.equal(await megamorphic(flags, 'sixteen-maps'), 0, 'started so: none of their property accesses gave up')
    // The premise, with V8's default of four maps.
    const four = await megamorphic(flags.filter((f) => !f.startsWith('--max-valid-polymorphic-map-count')), 'four-maps')
    t.ok(four > 0, `with four, ${four} of their property accesses gave up`)
  })
})

/** npm start's node flags: package.json's start script between `node` and the file it runs. */
const startFlags = () => (JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string).split(/\s+/).slice(1, -1)

/**
 * Starts node with `args` (the bundle and flags) and none of the test's loaders, its output into a
 * file: V8's traces and debug prints go through C's stdio, which dropped some through a pipe. The
 * file is read once the process is gone (`stop` sends the signal that ends it).
 */
async function startTraced (t: Test, args: string[], env: Record<string, string>, output: string) {
  const port = await freePort()
  const fd = openSync(output, 'w')
  const child = spawn('/bin/sh', withoutLoaders(args), {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ADMIN_TOKEN, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const exited = once(child, 'exit')
  t.teardown(() => { child.kill('SIGKILL') })
  if (!await untilServing(child, port, () => readFileSync(output, 'utf8'))) throw new Error(`the bundle did not start: ${readFileSync(output, 'utf8')}`)
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async (signal: NodeJS.Signals) => {
      child.kill(signal)
      await exited
      return readFileSync(output, 'utf8')
    },
  }
}
