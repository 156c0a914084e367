import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import cors from '@fastify/cors'

/** The origins of CORS_ORIGINS: a comma-separated list, or `*` for any; unset or empty: none. */
export function corsOrigins (setting: string | undefined): string[] | '*' {
  const origins = (setting ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)
  return origins.includes('*') ? '*' : origins
}

/**
 * Cross-origin access for browsers, from CORS_ORIGINS. Unset: the plugin is not registered and no
 * answer carries an Access-Control-* header (browsers then refuse cross-origin reads).
 */
export const corsPlugin = fp(async function corsPlugin (app: FastifyInstance, { origins }: { origins: string }) {
  const allowed = corsOrigins(origins)
  if (allowed.length === 0) return
  await app.register(cors, {
    origin: allowed === '*' ? '*' : allowed,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'accept-language'],
    exposedHeaders: ['etag', 'location', 'retry-after', 'idempotent-replayed', 'www-authenticate'],
    maxAge: 600,
    // Tokens travel in the Authorization header, never in cookies.
    credentials: false,
  })
}, { name: 'cors' })
