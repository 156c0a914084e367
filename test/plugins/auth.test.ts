import t from 'tap'
import Fastify from 'fastify'
import { authPlugin } from '../../src/plugins/auth.ts'
import { problemsPlugin } from '../../src/plugins/problems.ts'
import { buildTestApp, assertProblem, ADMIN_TOKEN, json } from '../helpers.ts'
import { tokensService } from '../../src/modules/tokens/tokens.service.ts'

t.test('roles: admin routes need an admin token; failures are reported for rate limiting', async (t) => {
  const { db } = await buildTestApp(t)
  const tokens = tokensService(db, ADMIN_TOKEN)
  const organiser = await tokens.create('programme', 'organiser')
  const failures: string[] = []
  const app = Fastify()
  await app.register(problemsPlugin)
  await app.register(authPlugin, { tokens, onFailure: (ip) => failures.push(ip) })
  app.get('/admin-only', { config: { auth: 'admin' } }, async (request) => ({ name: request.principal!.name }))
  app.get('/open', async (request) => ({ principal: request.principal }))
  t.teardown(() => app.close())

  const as = (token?: string) => app.inject({ url: '/admin-only', headers: token ? { authorization: `Bearer ${token}` } : {} })
  t.same(json(await as(ADMIN_TOKEN)), { name: 'ADMIN_TOKEN' })
  const forbidden = assertProblem(t, await as(organiser.token), 403)
  t.match(forbidden.detail, /admin/)
  const missing = await as()
  assertProblem(t, missing, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer')
  assertProblem(t, await as('ndw_org_guess'), 401)
  assertProblem(t, await as('ndw_reg_participant'), 401)
  assertProblem(t, await app.inject({ url: '/admin-only', headers: { authorization: `Basic ${ADMIN_TOKEN}` } }), 401)
  t.equal(failures.length, 4, 'every refusal of a token is reported (not the 403)')
  t.same(json(await app.inject({ url: '/open', headers: { authorization: 'Bearer whatever' } })), { principal: null }, 'public routes do not look at tokens')

  const admin2 = await tokens.create('ops', 'admin')
  t.same(json(await as(admin2.token)), { name: 'ops' })
  await tokens.revoke(admin2.id)
  assertProblem(t, await as(admin2.token), 401, undefined)
})

t.test('without ADMIN_TOKEN only stored tokens open anything', async (t) => {
  const { app } = await buildTestApp(t, { env: { ADMIN_TOKEN: '' } })
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/workshops', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 401)
})
