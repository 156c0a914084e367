import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet from 'helmet'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendProblem } from './problems.ts'

/**
 * Security headers, chosen with helmet's options. Every answer carries the set OWASP's REST Security
 * Cheat Sheet asks of an API: a Content-Security-Policy that allows nothing and no framing,
 * X-Frame-Options (the same for older browsers), Strict-Transport-Security and
 * X-Content-Type-Options. The headers that only matter for documents a browser renders (referrer
 * policy, cross-origin policies, legacy XSS and download switches, DNS prefetch) are added to the
 * HTML pages (summaries, /docs): on JSON and calendars they were half the bytes of a small answer,
 * and every header is work for the service and for every client (bench: each header costs a small
 * answer about 2 % of its throughput).
 */
export const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] } },
  xFrameOptions: { action: 'deny' as const },
  crossOriginResourcePolicy: false,
  referrerPolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} satisfies Parameters<typeof helmet>[0]

/**
 * What helmet adds for documents: its defaults that HELMET_OPTIONS leaves out (each page sets its own
 * CSP), with no referrer: a summary's links do not tell other sites which page sent the reader.
 */
const DOCUMENT_OPTIONS = {
  contentSecurityPolicy: false, xFrameOptions: false, strictTransportSecurity: false, xContentTypeOptions: false, xPoweredBy: false,
  referrerPolicy: { policy: 'no-referrer' as const },
} satisfies Parameters<typeof helmet>[0]

/** The headers helmet sets for these options, computed once: the same for every answer. */
function headersOf (options: Parameters<typeof helmet>[0]): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string) => { headers[name.toLowerCase()] = String(value) },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()] },
  }
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {})
  return Object.freeze(headers)
}

/**
 * Running helmet's middlewares on each request (as @fastify/helmet does) cost half of a small route's
 * throughput (bench: /healthz 16.5k → 31k req/s with the headers set at once).
 */
export const SECURITY_HEADERS = headersOf(HELMET_OPTIONS)
/** For HTML pages, beside SECURITY_HEADERS and the page's own Content-Security-Policy. */
export const DOCUMENT_HEADERS = headersOf(DOCUMENT_OPTIONS)

/** SECURITY_HEADERS without the Content-Security-Policy: for pages that set their own. */
const SECURITY_HEADERS_BUT_CSP: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'content-security-policy')))

/**
 * Sets the security headers on every answer as it is sent (so 404s and refusals carry them too), and
 * keeps a page's own Content-Security-Policy. A 304 carries only what RFC 9110 15.4.5 asks of it
 * (ETag, Cache-Control, Vary, Date): it has no content for these headers to protect, and the client
 * keeps the headers of the copy it revalidated (RFC 9111 4.3.4). Calendar apps revalidate their
 * feeds all day, so the 304 is the service's most frequent answer; each header cost it about 2 % of
 * its CPU (bench: callgrind, README).
 */
export const securityPlugin = fp(async function securityPlugin (app: FastifyInstance) {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode !== 304) reply.headers(reply.hasHeader('content-security-policy') ? SECURITY_HEADERS_BUT_CSP : SECURITY_HEADERS)
    done(null, payload)
  })
}, { name: 'security' })

/**
 * Requests Fastify refuses before routing (a URL with broken percent-encoding, a path parameter
 * longer than the router allows): no hook runs for them, so the security headers are set here, and
 * they are answered problem+json like every other refusal.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS)
  sendProblem(reply, request, {
    status: 400, type: 'bad-request', title: 'Bad request',
    detail: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long' : 'The URL is not valid (malformed percent-encoding)',
  })
}
