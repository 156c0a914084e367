import t from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Type } from 'typebox'
import { authPlugin } from '../../src/plugins/auth.ts'
import { problemsPlugin } from '../../src/plugins/problems.ts'
import { tokensService } from '../../src/modules/tokens/tokens.service.ts'
import { newToken } from '../../src/lib/tokens.ts'
import type { App } from '../../src/lib/module.ts'
import { ADMIN_TOKEN, buildTestApp, createOrganisation, createWorkshop, json } from '../helpers.ts'
import { operationsOfApp } from './operations.ts'
import { authMatrix, type Credential } from './matrix.ts'
import { fingerprint } from './state.ts'
import { capturedLogs } from './leaks.ts'

// Bounded by its own budgets; the file limit leaves room for a loaded 2-core machine.
t.setTimeout(240_000)

t.test('every operation needing an organiser token refuses every other credential, whatever the body', async (t) => {
  const logs = capturedLogs()
  const { app, db } = await buildTestApp(t, { logger: logs.logger })
  const tokens = tokensService(db, ADMIN_TOKEN)
  const organiser = await tokens.create('programme', 'organiser')
  const revoked = await tokens.create('former', 'organiser')
  await tokens.revoke(revoked.id)
  const participant = newToken('ndw_reg')
  const calendar = newToken('ndw_cal')

  const organisation = await createOrganisation(app)
  const workshop = await createWorkshop(app, {}, true)
  const ids = { workshopId: workshop.id, organisationId: organisation.id }

  const refused: Credential[] = [
    { label: 'no token' },
    { label: 'a wrong organiser-shaped token', authorization: `Bearer ${newToken('ndw_org')}` },
    { label: 'a revoked token', authorization: `Bearer ${revoked.token}` },
    { label: "a participant's manage token", authorization: `Bearer ${participant}` },
    { label: 'a calendar token', authorization: `Bearer ${calendar}` },
    { label: 'the admin token in the wrong scheme', authorization: `Basic ${ADMIN_TOKEN}` },
    { label: 'the admin token with a byte changed', authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}X` },
    { label: 'an empty bearer', authorization: 'Bearer ' },
  ]

  const operations = await operationsOfApp(app)
  const guarded = operations.filter((op) => op.auth === 'org' || op.auth === 'admin')
  t.ok(guarded.length >= 8, `${guarded.length} operations need an organiser token`)
  t.same(operations.filter((op) => op.auth === 'other').map((op) => op.operationId), [], 'every security requirement is one the matrix knows')

  const before = await fingerprint(db)
  const { violations, calls } = await authMatrix(app, operations, { refused, organiser: organiser.token, ids })
  t.same(violations, [], `${calls} refused calls`)
  t.equal(await fingerprint(db), before, 'no refused call changed anything stored')

  // The organiser token does open them (the matrix is not passing because everything is refused).
  const res = await app.inject({ method: 'POST', url: `/v1/workshops/${workshop.id}/cancel`, headers: { authorization: `Bearer ${organiser.token}` } })
  t.equal(res.statusCode, 200, 'an organiser token opens an org operation')
  t.equal(json(res).status, 'cancelled')

  t.same(logs.leaks([ADMIN_TOKEN, organiser.token, revoked.token, participant, calendar]), [], 'no token in any log line')
  t.ok(logs.lines.length > calls, 'requests were logged')
})

t.test('the matrix catches a route that lets the wrong caller in', async (t) => {
  const { db } = await buildTestApp(t)
  const tokens = tokensService(db, ADMIN_TOKEN)
  const organiser = await tokens.create('programme', 'organiser')
  const app = Fastify() as unknown as App
  await app.register(problemsPlugin)
  await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' }, components: { securitySchemes: { organiserToken: { type: 'http', scheme: 'bearer' } } } } })
  await app.register(authPlugin, { tokens })
  const ok = { response: { 200: Type.Object({ ok: Type.Boolean() }) } }
  // Documented as needing a token, but the route is public: answers 200 to anyone.
  app.post('/leaky', { schema: { operationId: 'leaky', security: [{ organiserToken: [] }], ...ok } }, async () => ({ ok: true }))
  app.post('/admin-only', { config: { auth: 'admin' }, schema: { operationId: 'adminOnly', ...ok } }, async () => ({ ok: true }))
  app.post('/org', { config: { auth: 'org' }, schema: { operationId: 'org', ...ok } }, async () => ({ ok: true }))
  app.get('/optional', { config: { auth: 'optional' }, schema: { operationId: 'optional', ...ok } }, async () => ({ ok: true }))
  await app.ready()
  t.teardown(() => app.close())

  const operations = await operationsOfApp(app)
  t.same(operations.map((op) => [op.operationId, op.auth]), [['leaky', 'org'], ['adminOnly', 'admin'], ['org', 'org'], ['optional', 'optional']])
  const refused = [{ label: 'no token' }, { label: 'a wrong token', authorization: 'Bearer ndw_org_nope' }]
  const { violations } = await authMatrix(app, operations, { refused, organiser: organiser.token, ids: {} })
  t.ok(violations.some((v) => /^leaky .* with no token answered 200/.test(v)), 'a route answering 2xx without a token fails the matrix')
  t.notOk(violations.some((v) => v.startsWith('adminOnly') || v.startsWith('org ') || v.startsWith('optional')), `guarded routes pass: ${violations.join('; ')}`)

  // An admin-only operation an organiser token opens fails the matrix too.
  const mislabelled = operations.filter((op) => op.operationId === 'org').map((op) => ({ ...op, auth: 'admin' as const }))
  const second = await authMatrix(app, mislabelled, { refused: [], organiser: organiser.token, ids: {} })
  t.match(second.violations, [/with an organiser token answered 200, not 403/])
})

t.test('tokens are compared in constant time or looked up by hash', async (t) => {
  const source = await import('node:fs').then((fs) => fs.readFileSync('src/modules/tokens/tokens.service.ts', 'utf8'))
  t.match(source, /sameSecret\(token, adminToken\)/, 'ADMIN_TOKEN is compared with sameSecret (timingSafeEqual of hashes)')
  t.match(source, /findActiveByHash\(hashToken\(token\)\)/, 'stored tokens are found by their SHA-256, never compared as text')
  t.notMatch(source, /token\s*===|===\s*token|adminToken\s*===/, 'no plain comparison of a secret')
})

t.test('operations opened by a manage token refuse every other credential, and a manage token opens only its own registration', async (t) => {
  const { app, db } = await buildTestApp(t)
  const organiser = await tokensService(db, ADMIN_TOKEN).create('programme', 'organiser')
  const workshop = await createWorkshop(app, { start_date: '2030-01-01', end_date: '2030-01-02' }, true)
  const register = async (email: string) => json(await app.inject({ method: 'POST', url: `/v1/workshops/${workshop.id}/registrations`, headers: { 'content-type': 'application/json' }, payload: { name: email, email } }))
  const mine = await register('mine@example.org')
  const theirs = await register('theirs@example.org')
  const operations = (await operationsOfApp(app)).filter((op) => op.auth === 'manage')
  t.same(operations.map((op) => op.operationId).sort(), ['cancelMyRegistration', 'getMyRegistration', 'updateMyRegistration'])
  const refused = [undefined, `Bearer ${newToken('ndw_reg')}`, `Bearer ${organiser.token}`, `Bearer ${ADMIN_TOKEN}`, `Bearer ${newToken('ndw_cal')}`, `Basic ${mine.manage_token}`]
  const before = await fingerprint(db)
  for (const op of operations) {
    for (const authorization of refused) {
      const res = await app.inject({ method: op.method, url: op.path, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, ...(op.method === 'PATCH' ? { payload: { title: 'Changed' } } : {}) })
      t.equal(res.statusCode, 401, `${op.operationId} with ${authorization?.slice(0, 12) ?? 'no token'}…`)
    }
  }
  t.equal(await fingerprint(db), before, 'no refused call changed anything')
  const read = json(await app.inject({ url: '/v1/registration', headers: { authorization: `Bearer ${mine.manage_token}` } }))
  t.equal(read.id, mine.registration.id, 'a manage token opens its own registration')
  t.not(read.id, theirs.registration.id)
})
