import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /** True once a shutdown began: /readyz answers 503 so a balancer stops sending. */
    readonly draining: boolean
    /** Begins a graceful shutdown: answers go on (each with `Connection: close`) for `ms`, then resolves; call app.close() after. */
    drain (ms: number): Promise<void>
  }
}

/**
 * A graceful close in two steps. drain(ms): every answer says `Connection: close`, so kept-alive
 * connections end with their in-flight request, and requests the kernel already accepted but the
 * process had not read yet are still served (closing at once would reset them). Then app.close()
 * stops listening and waits for what is in flight. Without `Connection: close`, a connection busy
 * when the close began would stay open until the keep-alive timeout, and the close would wait for it.
 * The header is set when an answer is sent (onSend), not when its request arrives: requests already
 * in flight when the drain begins must say it too (setting it in onRequest left their connections
 * open, and the process test's SIGTERM under load timed out).
 */
export const shutdownPlugin = fp(async function shutdownPlugin (app: FastifyInstance) {
  let closing = false
  app.decorate('draining', { getter: () => closing })
  app.decorate('drain', async (ms: number) => {
    closing = true
    await new Promise((resolve) => setTimeout(resolve, ms))
  })
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'shutdown' })
