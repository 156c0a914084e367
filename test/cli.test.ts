import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { runCli } from '../src/cli.ts'
import { buildTestApp, freshDatabaseUrl, assertProblem, json } from './helpers.ts'

function io () {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
}

t.test('token create, list, revoke; tokens open organiser operations until revoked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nadwa-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const url = await freshDatabaseUrl(t)
  const env = url ? { DATABASE_URL: url } : { DATA_DIR: join(dir, 'db') }

  const created = io()
  t.equal(await runCli(['token', 'create', '--name', 'Programme team', '--role', 'organiser'], env, created.io), 0)
  const token = created.out[0]
  t.match(token, /^ndw_org_[A-Za-z0-9_-]{43}$/, 'prints the secret once, on stdout')
  t.match(created.err[0], /shown once/)
  const adminCreated = io()
  await runCli(['token', 'create', '--name', 'ops', '--role', 'admin'], env, adminCreated.io)

  const listed = io()
  t.equal(await runCli(['token', 'list'], env, listed.io), 0)
  t.equal(listed.out.length, 2)
  t.match(listed.out[0], /organiser\s+active .*Programme team$/)
  t.notMatch(listed.out.join('\n'), token.slice(8), 'never lists secrets')

  if (url) {
    // The service reads the same PostgreSQL database the CLI wrote to.
    const { app } = await buildTestApp(t, { url })
    const use = () => app.inject({ method: 'POST', url: '/v1/organisations', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { name: { en: `Org ${Math.random()}` }, sector: 'media' } })
    t.equal((await use()).statusCode, 201, 'a stored token opens organiser operations')
    t.equal(await runCli(['token', 'revoke', 'Programme team'], env, io().io), 0)
    assertProblem(t, await use(), 401)
  } else {
    const revokedById = io()
    const id = listed.out[0].split(' ')[0]
    t.equal(await runCli(['token', 'revoke', id], env, revokedById.io), 0)
    t.match(revokedById.err[0], /Revoked 1/)
  }
  const again = io()
  t.equal(await runCli(['token', 'revoke', 'Programme team'], env, again.io), 1, 'revoking twice finds nothing')
  t.match(again.err[0], /No active token/)
  const afterwards = io()
  await runCli(['token', 'list'], env, afterwards.io)
  t.match(afterwards.out[0], /revoked/)
  t.ok(json({ body: '{}' }))
})

t.test('usage errors', async (t) => {
  for (const args of [[], ['token'], ['token', 'destroy'], ['user', 'list'], ['token', 'create', '--name', 'x'], ['token', 'create', '--role', 'admin'], ['token', 'create', '--name', ' ', '--role', 'admin'], ['token', 'create', '--name', 'x', '--role', 'root'], ['token', 'revoke']]) {
    const r = io()
    t.equal(await runCli(args, {}, r.io), 2, args.join(' '))
    t.ok(r.err.length > 0)
  }
  const help = io()
  t.equal(await runCli(['--help'], {}, help.io), 0)
  t.match(help.err[0], /token create --name NAME --role admin\|organiser/)
})
