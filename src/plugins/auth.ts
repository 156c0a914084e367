import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { bearerToken } from '../lib/tokens.ts'
import { forbidden, unauthorized } from '../errors.ts'
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
}

/** Authentication runs in onRequest: before the body is parsed or validated, so a write without a valid token is a 401 whatever it carries. */
export const authPlugin = fp(async function authPlugin (app: FastifyInstance, options: AuthOptions) {
  app.decorateRequest('principal', null)

  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth ?? 'public'
    if (auth === 'org' || auth === 'admin' || auth === 'optional') {
      // OpenAPI 3.1 lets a bearer scheme list role names: admin-only operations say so.
      const roles = auth === 'admin' ? ['admin'] : []
      route.schema = { ...route.schema, security: auth === 'optional' ? [{}, { organiserToken: [] }] : [{ organiserToken: roles }] }
    }
  })

  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config?.auth ?? 'public'
    if (auth === 'public') return
    const header = request.headers.authorization
    if (auth === 'optional' && header === undefined) return
    const token = bearerToken(header)
    const principal = token ? await options.tokens.authenticate(token) : undefined
    if (!principal) {
      options.onFailure?.(request.ip)
      throw unauthorized(header ? 'The bearer token is not valid' : undefined)
    }
    if (auth === 'admin' && principal.role !== 'admin') throw forbidden('This operation needs an admin token')
    request.principal = principal
  })
}, { name: 'auth' })
