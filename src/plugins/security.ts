import helmet from 'helmet'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyHelmetOptions } from '@fastify/helmet'
import { sendProblem } from './problems.ts'

/** Security headers of every answer (@fastify/helmet; `helmet` is its own dependency). */
export const HELMET_OPTIONS = {
  // The API answers JSON and calendars; pages set their own policy.
  contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'cross-origin' as const },
} satisfies FastifyHelmetOptions

/**
 * Requests Fastify refuses before routing (a URL with broken percent-encoding, a path parameter
 * longer than the router allows): no hook runs for them, so the security headers are set here, and
 * they are answered problem+json like every other refusal.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  helmet(HELMET_OPTIONS)(request.raw, reply.raw, () => {})
  sendProblem(reply, request, {
    status: 400, type: 'bad-request', title: 'Bad request',
    detail: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long' : 'The URL is not valid (malformed percent-encoding)',
  })
}
