import Fastify, { type FastifyBaseLogger } from 'fastify'
import pino, { type DestinationStream, type LoggerOptions } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Type } from 'typebox'
import type { Config } from './config.ts'
import type { Database } from './db/client.ts'
import type { App } from './lib/module.ts'
import { problems } from './lib/schemas.ts'
import { problemsPlugin, requestLog, sendProblem } from './plugins/problems.ts'
import { authPlugin } from './plugins/auth.ts'
import { corsPlugin } from './plugins/cors.ts'
import { DOCUMENT_HEADERS, frameworkErrors, securityPlugin } from './plugins/security.ts'
import { shutdownPlugin } from './plugins/shutdown.ts'
import { failedLogins, limitsPlugin } from './plugins/limits.ts'
import { tokensService } from './modules/tokens/tokens.service.ts'
import { organisationsRoutes } from './modules/organisations/organisations.routes.ts'
import { workshopsRoutes } from './modules/workshops/workshops.routes.ts'
import { calendarRoutes } from './modules/calendar/calendar.routes.ts'
import { registrationsRoutes } from './modules/registrations/registrations.routes.ts'
import { timetableRoutes } from './modules/timetable/timetable.routes.ts'
import { summariesRoutes } from './modules/summaries/summaries.routes.ts'

export interface BuildAppOptions {
  config: Config
  database: Database
  /** The service's logs (loggerOptions, and where the lines go); false in tests unless they read the logs. */
  logger?: LogOptions | false
  /** The clock of rules that depend on the date (a summary is published once the workshop is over); tests set it. */
  now?: () => Date
}

const VERSION = '0.1.0'

/** Paths that carry a secret: logged with the secret replaced. */
export function redactUrl (url: string): string {
  return url.replace(/^(\/v1\/calendars\/)[^/?#]+/, '$1[redacted]')
}

/** pino's options, and the stream the lines go to (stdout when unset). */
export type LogOptions = LoggerOptions & { stream?: DestinationStream }

export function loggerOptions (level: string): LogOptions {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string, url: string, ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
    },
    // Pretty logs on a terminal, JSON lines otherwise (a log collector reads them).
    ...(process.stdout.isTTY ? /* c8 ignore next */ { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  }
}

/**
 * The service's logger, and whether Fastify is given it. Fastify logs every request at info ("incoming
 * request", "request completed"); for that it makes each request a child logger and puts two listeners
 * on each answer. At warn and above (LOG_LEVEL=warn: no access logs) none of those lines is written,
 * yet the work was still done: 5-8 % of a compressed agenda's throughput (README, Performance). So
 * Fastify gets the logger only when it will write them; otherwise it runs without one (its own rare
 * lines, such as a reply sent twice, go unwritten too) and app.log is this logger. Lines about one
 * request go through requestLog, the same in both cases.
 */
function serviceLogger (logger: LogOptions | false): { log?: FastifyBaseLogger, accessLogs: boolean } {
  if (logger === false) return { accessLogs: false }
  const { stream, ...options } = logger
  const log = pino(options, stream)
  return { log, accessLogs: log.isLevelEnabled('info') }
}

export async function buildApp ({ config, database, logger = false, now }: BuildAppOptions): Promise<App> {
  const { log, accessLogs } = serviceLogger(logger)
  const app = Fastify({
    loggerInstance: accessLogs ? log : undefined,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { strict: false } },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>()
  if (log && !accessLogs) app.log = log

  const { db } = database
  const tokens = tokensService(db, config.ADMIN_TOKEN)

  await app.register(problemsPlugin)
  await app.register(shutdownPlugin)

  // JSON only: other bodies are refused with 415 (text/plain is Fastify's other default).
  app.removeContentTypeParser('text/plain')
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'))

  await app.register(securityPlugin)

  await app.register(corsPlugin, { origins: config.CORS_ORIGINS ?? '' })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Nadwa',
        version: VERSION,
        description: 'Multi-day workshops and small conferences: timetable, registrations, calendars and post-event summaries.',
      },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          organiserToken: { type: 'http', scheme: 'bearer', description: 'Organiser token (`npm run cli -- token create`) or ADMIN_TOKEN' },
          manageToken: { type: 'http', scheme: 'bearer', description: 'The manage_token a registration answered (opens /v1/registration only)' },
        },
      },
      tags: [
        { name: 'organisations', description: 'Bodies that take part' },
        { name: 'workshops', description: 'Events over one or more days' },
        { name: 'calendars', description: 'iCalendar feeds of the timetable: the workshop\'s, one session\'s, a participant\'s own' },
        { name: 'registrations', description: 'People taking part: capacity, waitlist, self-service, check-in' },
        { name: 'timetable', description: 'Rooms, speakers, sessions and the agenda of a workshop' },
        { name: 'summaries', description: 'Post-event summaries: their page and their feed' },
        { name: 'service', description: 'Health and documentation' },
      ],
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true },
    // An HTML page: the headers for documents too (swagger-ui sets its own Content-Security-Policy).
    uiHooks: { onRequest: (_request, reply, done) => { reply.headers(DOCUMENT_HEADERS); done() } },
  })

  // Rate limits before auth (a blocked address is refused before its token is looked at).
  const failures = failedLogins(config.RATE_LIMIT_PER_MINUTE)
  await app.register(limitsPlugin, { perMinute: config.RATE_LIMIT_PER_MINUTE, failures })
  await app.register(authPlugin, { tokens, onFailure: failures.record, blockedFor: failures.blockedFor })

  app.get('/healthz', {
    schema: { operationId: 'getHealth', tags: ['service'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok', { description: 'Always ok' }) }) } },
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      operationId: 'getReadiness', tags: ['service'], summary: 'The database answers',
      response: { 200: Type.Object({ status: Type.Literal('ready', { description: 'The database answered' }) }), ...problems(503) },
    },
  }, async (request, reply) => {
    try {
      if (app.draining) throw new Error('shutting down')
      await database.ping()
      return { status: 'ready' as const }
    } catch (err) {
      requestLog(request).warn({ err }, 'database not ready')
      return sendProblem(reply, request, { status: 503, type: 'unavailable', title: 'Service unavailable', detail: 'The database does not answer' })
    }
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  const modules = { db, config }
  await app.register(organisationsRoutes, modules)
  await app.register(workshopsRoutes, modules)
  await app.register(calendarRoutes, modules)
  await app.register(registrationsRoutes, modules)
  await app.register(timetableRoutes, modules)
  await app.register(summariesRoutes, { now, ...modules })

  return app
}
