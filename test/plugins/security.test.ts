import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { SECURITY_HEADERS, securityPlugin } from '../../src/plugins/security.ts'

async function app (t: Test) {
  const app = Fastify()
  await app.register(securityPlugin)
  app.get('/ok', async () => ({ ok: true }))
  app.get('/page', async (_request, reply) => reply.type('text/html').header('content-security-policy', "default-src 'self'").send('<p>page</p>'))
  app.get('/unchanged', async (_request, reply) => reply.code(304).header('etag', '"x"').header('cache-control', 'no-cache').send())
  app.get('/fails', async () => { throw new Error('boom') })
  t.teardown(() => app.close())
  return app
}

t.test('every answer but a 304 carries the security headers', async (t) => {
  const service = await app(t)
  for (const url of ['/ok', '/fails', '/nowhere']) {
    const res = await service.inject(url)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) t.equal(res.headers[name], value, `${url} (${res.statusCode}): ${name}`)
  }
  t.same(Object.keys(SECURITY_HEADERS).sort(), ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options'])
})

t.test('a page keeps its own Content-Security-Policy and gets the others', async (t) => {
  const res = await (await app(t)).inject('/page')
  t.equal(res.headers['content-security-policy'], "default-src 'self'")
  t.equal(res.headers['x-frame-options'], 'DENY')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
})

t.test('a 304 carries its validators and caching, not the headers of content it does not have', async (t) => {
  const res = await (await app(t)).inject('/unchanged')
  t.equal(res.statusCode, 304)
  t.equal(res.headers.etag, '"x"')
  t.equal(res.headers['cache-control'], 'no-cache')
  for (const name of Object.keys(SECURITY_HEADERS)) t.equal(res.headers[name], undefined, name)
})
