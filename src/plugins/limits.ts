import fp from 'fastify-plugin'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { ProblemError } from '../errors.ts'

/**
 * Rate limits, per client address, `RATE_LIMIT_PER_MINUTE` a minute (0: off):
 *
 * - public writes: a route opts in with `config: { limit: 'public-write' }` (createRegistration, the
 *   participant's writes on /v1/registration). All such routes share one budget per address.
 * - failed logins: every refused bearer token counts (the auth plugin reports them); once an address
 *   is over the limit, any request of it that presents a token is answered 429 until the minute ends,
 *   so a token cannot be guessed by brute force.
 *
 * Both answer 429 problem+json with Retry-After (seconds). Counters live in the process: with several
 * instances behind a balancer each allows the limit (a ceiling per instance, not a global one).
 */
export type RouteLimit = 'public-write'

declare module 'fastify' {
  interface FastifyContextConfig {
    limit?: RouteLimit
  }
  interface FastifyInstance {
    /** Failed logins per address: routes that check their own tokens (the manage token) report here too. */
    loginFailures: ReturnType<typeof failedLogins>
  }
}

const WINDOW_MS = 60_000

export function tooManyRequests (what: string, retryAfterSeconds: number): ProblemError {
  return new ProblemError(429, 'rate-limited', 'Too many requests',
    `Too many ${what} from this address; retry in ${retryAfterSeconds} s`, { headers: { 'retry-after': String(retryAfterSeconds) } })
}

/** Failed logins per address in fixed one-minute windows. */
export function failedLogins (perMinute: number, now: () => number = Date.now) {
  const windows = new Map<string, { count: number, resetAt: number }>()
  const current = (ip: string) => {
    const entry = windows.get(ip)
    return entry && entry.resetAt > now() ? entry : undefined
  }
  return {
    /** Counts one refused token of this address. */
    record (ip: string): void {
      if (perMinute === 0) return
      const entry = current(ip)
      if (entry) {
        entry.count++
        return
      }
      // Forget finished windows now and then, so many addresses cannot grow the map without bound.
      if (windows.size >= 10_000) for (const [key, value] of windows) if (value.resetAt <= now()) windows.delete(key)
      windows.set(ip, { count: 1, resetAt: now() + WINDOW_MS })
    },
    /** Seconds until this address may try again, or 0 when it may now. */
    blockedFor (ip: string): number {
      const entry = current(ip)
      return entry && entry.count >= perMinute && perMinute > 0 ? Math.ceil((entry.resetAt - now()) / 1000) : 0
    },
  }
}

export interface LimitsOptions {
  perMinute: number
  failures: ReturnType<typeof failedLogins>
}

/** Register before the routes. The failed-login check is the auth plugin's (it runs before a token is looked at). */
export const limitsPlugin = fp(async function limitsPlugin (app: FastifyInstance, { perMinute, failures }: LimitsOptions) {
  app.decorate('loginFailures', failures)
  if (perMinute === 0) return

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => tooManyRequests('writes', Math.max(1, Math.ceil(context.ttl / 1000))),
  })
  // Organisers (walk-ins, imports) are not the public: the auth hook (the route's first) has run by now and named them.
  const publicWrite: onRequestHookHandler = app.rateLimit({ max: perMinute, timeWindow: WINDOW_MS, allowList: (request) => request.principal !== null })
  app.addHook('onRoute', (route) => {
    if (route.config?.limit !== 'public-write') return
    const hooks = route.onRequest
    route.onRequest = [...(Array.isArray(hooks) ? hooks : hooks ? [hooks] : []), publicWrite]
  })
}, { name: 'limits' })
