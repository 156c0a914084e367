// What `npm start` runs: the one-file bundle (scripts/bundle.mjs), started as a process, on the
// embedded database or on PostgreSQL (TEST_DATABASE_URL). The sources are tested everywhere else;
// this is the check that bundling kept what they do: migrations found, PGlite loaded, the reference
// pages served, requests answered, a clean exit on SIGTERM.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { admin, freshDatabaseUrl, workshopBody } from '../helpers.ts'
import { startServer } from './server.ts'

t.setTimeout(180_000)

t.test('the bundle npm start runs: starts, migrates, answers, stops cleanly', async (t) => {
  const outfile = join('dist', `bundle-test-${process.pid}`, 'server.mjs')
  t.teardown(() => rmSync(join('dist', `bundle-test-${process.pid}`), { recursive: true, force: true }))
  await promisify(execFile)(process.execPath, ['scripts/bundle.mjs', outfile], { env: { ...process.env, _TAPJS_PROCESSINFO_COV_EXCLUDE_: '/./' } })

  const url = await freshDatabaseUrl(t)
  const dataDir = mkdtempSync(join(tmpdir(), 'nadwa-bundle-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const server = await startServer(url ? { DATABASE_URL: url } : { DATA_DIR: dataDir }, [outfile])
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
})
