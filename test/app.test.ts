import { readFileSync } from 'node:fs'
import t from 'tap'
import { assertProblem, buildTestApp, json, openApiDocument, orgHeaders, admin } from './helpers.ts'
import { redactUrl } from '../src/app.ts'

t.test('service endpoints', async (t) => {
  const { app, database } = await buildTestApp(t)

  t.same(json(await app.inject('/healthz')), { status: 'ok' })
  t.same(json(await app.inject('/readyz')), { status: 'ready' })

  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /swagger/i, 'the interactive reference')
  t.equal(docs.headers['cross-origin-opener-policy'], 'same-origin', 'an HTML page: the headers for documents too')
  t.match(String(docs.headers['content-security-policy']), /script-src/, 'swagger-ui\'s own policy lets its scripts run')

  const spec = json(await app.inject('/openapi.json'))
  t.equal(spec.openapi, '3.1.0')
  t.ok(spec.paths['/v1/workshops'].post, 'documents the routes')

  await t.test('readyz answers 503 when the database does not', async (t) => {
    const ping = database.ping
    database.ping = async () => { throw new Error('down') }
    t.teardown(() => { database.ping = ping })
    assertProblem(t, await app.inject('/readyz'), 503)
  })
})

t.test('the committed OpenAPI document is the one the code serves (npm run openapi)', async (t) => {
  t.equal(readFileSync('openapi/openapi.json', 'utf8'), await openApiDocument())
})

t.test('every operation has an operationId, tags, a summary and described fields', async (t) => {
  const spec = JSON.parse(await openApiDocument())
  const undescribed: string[] = []
  const walk = (schema: any, path: string) => {
    if (!schema || typeof schema !== 'object') return
    for (const [name, prop] of Object.entries<any>(schema.properties ?? {})) {
      const described = prop.description || prop.anyOf?.some((s: any) => s.description)
      if (!described) undescribed.push(`${path}.${name}`)
      walk(prop, `${path}.${name}`)
    }
    if (schema.items) walk(schema.items, `${path}[]`)
    for (const s of schema.anyOf ?? []) walk(s, path)
  }
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`
      t.ok(op.operationId, `${where} has an operationId`)
      t.ok(op.tags?.length, `${where} has tags`)
      t.ok(op.summary, `${where} has a summary`)
      for (const p of op.parameters ?? []) if (!p.description && !p.schema?.description) undescribed.push(`${where} ${p.in} ${p.name}`)
      walk(op.requestBody?.content?.['application/json']?.schema, `${where} body`)
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) walk(response.content?.['application/json']?.schema, `${where} ${status}`)
    }
  }
  t.same(undescribed, [], 'every field has a description')
})

t.test('requests the service refuses answer problem+json', async (t) => {
  const { app } = await buildTestApp(t)
  assertProblem(t, await app.inject('/no/such/route'), 404)
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'hello' }), 415)
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<a/>' }), 415)
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: '{"name": ' }), 400)
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: '' }), 400)
  const huge = JSON.stringify({ name: { en: 'x'.repeat(1024 * 1024 + 10) }, sector: 'government' })
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: huge }), 413)
  const merge = await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...admin, 'content-type': 'application/merge-patch+json' }, payload: { name: { en: 'Merge' }, sector: 'media' } })
  t.equal(merge.statusCode, 201, 'merge-patch+json is JSON too')
})

t.test('security headers on every answer', async (t) => {
  const { app } = await buildTestApp(t)
  for (const url of ['/healthz', '/v1/workshops', '/nope']) {
    const res = await app.inject(url)
    t.equal(res.headers['x-content-type-options'], 'nosniff', url)
    t.equal(res.headers['x-frame-options'], 'DENY', url)
    t.match(String(res.headers['strict-transport-security']), /max-age=/, url)
    t.match(String(res.headers['content-security-policy']), /default-src 'none'/, url)
  }
})

t.test('secrets in paths are redacted from logs', async (t) => {
  t.equal(redactUrl('/v1/calendars/ndw_cal_secret.ics?x=1'), '/v1/calendars/[redacted]?x=1')
  t.equal(redactUrl('/v1/workshops'), '/v1/workshops')
})
