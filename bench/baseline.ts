// The baseline: a bare Fastify "hello" in its own process, on the same machine as the service.
// PUT /bytes stores a body, and the header lines to answer it with (JSON in X-Answer-Headers), and
// GET /bytes answers them as they are: bare Fastify sending the very bytes a scenario's route
// answers, header lines included, to tell the cost of the bytes (and of the load generator reading
// them) from the cost of the service.
import Fastify from 'fastify'

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
let bytes: Buffer = Buffer.alloc(0)
let headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
// Every body is kept as its bytes: with Fastify's JSON parser left in, a JSON body (the agenda) was
// stored parsed and serialized again on every GET, and bare Fastify measured JSON.stringify, not the bytes.
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
app.get('/', async () => ({ hello: 'world' }))
app.put('/bytes', async (request) => {
  // The header lines first: a body is never kept with another one's headers.
  headers = JSON.parse(String(request.headers['x-answer-headers'] ?? '{}'))
  bytes = request.body as Buffer
  return { stored: bytes.length }
})
app.get('/bytes', async (_request, reply) => reply.headers(headers).send(bytes))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 41599) })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void app.close().then(() => process.exit(0)) })
}
