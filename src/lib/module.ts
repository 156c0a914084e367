import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'

/** What every domain module is given: no module reaches for a global. */
export interface ModuleOptions {
  db: Db
  config: Config
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

/** The scope an Idempotency-Key lives in: the operation and who calls it. */
export function idempotencyScope (operationId: string, principal: { tokenId: string | null } | null, ...parts: string[]): string {
  return [operationId, principal ? (principal.tokenId ?? 'admin-token') : 'public', ...parts].join(':')
}
