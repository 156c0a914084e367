import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { bearerToken } from '../lib/tokens.ts'
import { forbidden, unauthorized } from '../errors.ts'
import { tooManyRequests } from './limits.ts'
import type { Principal, tokensService } from '../modules/tokens/tokens.service.ts'

/**
 * Who may call a route:
 * - `public`: anyone; a token is not looked at;
 * - `optional`: anyone, and an organiser token shows more (drafts, private fields);
 * - `org`: an organiser or admin token; `admin`: an admin token.
 */
export type RouteAuth = 'public' | 'optional' | 'org' | 'admin'

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
  interface FastifyRequest {
    /** The organiser behind the request's bearer token, when it carries a valid one. */
    principal: Principal | null
  }
}

export interface AuthOptions {
  tokens: ReturnType<typeof tokensService>
  /** Called on every refused token, for rate limiting of failed logins. */
  onFailure?: (ip: string) => void
  /** Seconds an address must wait before it may present a token again (too many failures), 0 when it may now. */
  blockedFor?: (ip: string) => number
}

/**
 * Authentication runs in onRequest: before the body is parsed or validated, so a write without a
 * valid token is a 401 whatever it carries. The hook is the route's own, first of its onRequest
 * hooks (before a route's rate limit, which lets organisers through), and public routes have none:
 * a hook on every request, reading the route's options each time, cost a small route a fifth of its
 * throughput.
 */
export const authPlugin = fp(async function authPlugin (app: FastifyInstance, options: AuthOptions) {
  app.decorateRequest('principal', null)

  async function authenticate (request: FastifyRequest, auth: Exclude<RouteAuth, 'public'>): Promise<void> {
    const header = request.headers.authorization
    const wait = options.blockedFor?.(request.ip) ?? 0
    if (wait > 0) throw tooManyRequests('failed logins', wait)
    const token = bearerToken(header)
    const principal = token ? await options.tokens.authenticate(token) : undefined
    if (!principal) {
      options.onFailure?.(request.ip)
      throw unauthorized(header ? 'The bearer token is not valid' : undefined)
    }
    if (auth === 'admin' && principal.role !== 'admin') throw forbidden('This operation needs an admin token')
    request.principal = principal
  }

  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth ?? 'public'
    if (auth === 'public') return
    // OpenAPI 3.1 lets a bearer scheme list role names: admin-only operations say so.
    const roles = auth === 'admin' ? ['admin'] : []
    route.schema = Object.assign({}, route.schema, { security: auth === 'optional' ? [{}, { organiserToken: [] }] : [{ organiserToken: roles }] })
    const hook: onRequestHookHandler = (request, _reply, done) => {
      if (auth === 'optional' && request.headers.authorization === undefined) return done()
      authenticate(request, auth).then(() => done(), done)
    }
    route.onRequest = [hook, ...[route.onRequest ?? []].flat()]
  })
}, { name: 'auth' })
