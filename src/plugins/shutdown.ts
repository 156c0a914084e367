import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /** True once a shutdown began: /readyz answers 503 so a balancer stops sending. */
    readonly draining: boolean
    /** Begins a graceful shutdown: answers go on (with `Connection: close`) for `ms`, then resolves; call app.close() after. */
    drain (ms: number): Promise<void>
  }
}

/**
 * A graceful close in two steps. drain(ms): every request that arrives says `Connection: close` in
 * its answer (the security plugin's hook sets it), so kept-alive connections end with their next
 * request, and requests the kernel already accepted but the process had not read yet are still served
 * (closing at once would reset them). Then app.close() stops listening, closes the connections that
 * are idle and waits for what is in flight.
 */
export const shutdownPlugin = fp(async function shutdownPlugin (app: FastifyInstance) {
  let closing = false
  app.decorate('draining', { getter: () => closing })
  app.decorate('drain', async (ms: number) => {
    closing = true
    await new Promise((resolve) => setTimeout(resolve, ms))
  })
  app.addHook('preClose', async () => { closing = true })
}, { name: 'shutdown' })
