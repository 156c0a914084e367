import fp from 'fastify-plugin'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Ajv, type Options as AjvOptions } from 'ajv'
import addFormatsModule from 'ajv-formats'
import buildSerializer from 'fast-json-stringify'
import { ProblemError, type FieldError } from '../errors.ts'
import { isUuid } from '../lib/schemas.ts'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

const PROBLEM_BASE = 'https://nadwa.dev/problems/'

/** Body validation takes JSON types as sent; query strings, params and headers arrive as text and are coerced. */
function makeAjv (options: AjvOptions): Ajv {
  const ajv = new Ajv({ allErrors: false, removeAdditional: true, useDefaults: true, strict: false, ...options })
  addFormats(ajv)
  ajv.addFormat('uuid', isUuid)
  return ajv
}

interface AjvLikeError { instancePath: string, keyword: string, message: string, params: Record<string, unknown> }

function fieldErrors (validation: AjvLikeError[], context: string | undefined): FieldError[] {
  const prefix = context && context !== 'body' ? (context === 'querystring' ? 'query' : context) : ''
  const seen = new Map<string, FieldError>()
  for (const e of validation) {
    const segments = e.instancePath.split('/').filter(Boolean)
    let message = e.message
    if (e.keyword === 'required') {
      segments.push(String(e.params.missingProperty))
      message = 'is required'
    } else if (e.keyword === 'additionalProperties') {
      segments.push(String(e.params.additionalProperty))
      message = 'is not a known field'
    } else if (e.keyword === 'minProperties' && segments.length > 0) {
      message = 'must have at least one language ("ar" or "en")'
    } else if (e.keyword === 'pattern' && e.params.pattern === '\\S') {
      message = 'must not be blank'
    } else if (e.keyword === 'format' || e.keyword === 'pattern') {
      const format = e.params.format
      message = format === 'date-time' || /T\\d/.test(String(e.params.pattern))
        ? 'must be an RFC 3339 instant with an offset, such as 2023-02-05T09:00:00+03:00'
        : format === 'date' ? 'must be a day, YYYY-MM-DD' : message
    }
    const field = [prefix, ...segments].filter(Boolean).join('.') || (prefix || 'body')
    if (!seen.has(field)) seen.set(field, { field, message })
  }
  return [...seen.values()]
}

/**
 * The logger for a line about one request: the service's, bound to the request's id and to what it
 * asked for (method, URL with any secret redacted, address). Not request.log: at warn level Fastify
 * runs without a logger (app.ts, serviceLogger), and no access line names the request anyway.
 */
export function requestLog (request: FastifyRequest): FastifyBaseLogger {
  return request.server.log.child({ reqId: request.id, req: request })
}

export function sendProblem (reply: FastifyReply, request: FastifyRequest, problem: {
  status: number, type: string, title: string, detail: string, errors?: FieldError[], extra?: Record<string, unknown>, headers?: Record<string, string>
}): FastifyReply {
  if (problem.headers) reply.headers(problem.headers)
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: PROBLEM_BASE + problem.type,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: request.url.split('?')[0],
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...problem.extra,
    })
}

/** Fastify's own errors for requests it refused before our code ran. */
const FRAMEWORK_ERRORS: Record<string, { status: number, type: string, title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, type: 'bad-request', title: 'Bad request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, type: 'payload-too-large', title: 'Payload too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, type: 'malformed-json', title: 'Malformed JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, type: 'malformed-json', title: 'Malformed JSON' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type' },
}

/** SQLSTATEs a client can cause with a well-formed request that races another one. */
function databaseProblem (error: { code?: string, constraint_name?: string, constraint?: string }) {
  switch (error.code) {
    case '23505': return { status: 409, type: 'conflict', title: 'Conflict', detail: 'This conflicts with an existing resource' }
    case '23P01': return { status: 409, type: 'conflict', title: 'Conflict', detail: 'This overlaps an existing resource' }
    case '23503': return { status: 409, type: 'conflict', title: 'Conflict', detail: 'A resource this refers to does not exist or is still in use' }
    case '40001': case '40P01': case '55P03': case '57014':
      return { status: 503, type: 'busy', title: 'Service busy', detail: 'The database was busy; retry the request', headers: { 'retry-after': '1' } }
    default: return undefined
  }
}

/** Errors that mean the database is away, not that the request was wrong. */
function isUnavailable (error: { code?: string, message?: string }): boolean {
  const code = String(error.code ?? '')
  return ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_ENDED', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300'].includes(code) ||
    code.startsWith('08')
}

/**
 * drizzle wraps a failed query in a DrizzleQueryError whose message carries the query and its
 * parameters (personal data, token hashes); the driver's error, with the SQLSTATE or connection
 * code, is its cause. Answers that cause, and what to log: the cause and the query, never the parameters.
 */
function databaseErrorOf (error: Error & { code?: unknown, query?: unknown }): { cause: Error & { code?: unknown }, logged: Record<string, unknown> } {
  let cause: Error & { code?: unknown } = error
  for (let depth = 0; depth < 3 && typeof cause.code !== 'string' && cause.cause instanceof Error; depth++) cause = cause.cause as Error
  if (cause === error) return { cause, logged: { err: error } }
  // Only these fields: some drivers (PGlite) keep the parameters on the cause too.
  return { cause, logged: { err: { type: cause.name, message: cause.message, code: cause.code, stack: cause.stack }, query: error.query } }
}

export const problemsPlugin = fp(async function problemsPlugin (app: FastifyInstance) {
  // Bodies are strict: an unknown field is a 400 naming it (a typo is not silently dropped).
  const bodyAjv = makeAjv({ coerceTypes: false, removeAdditional: false })
  const textAjv = makeAjv({ coerceTypes: 'array' })
  // Schemas are compiled when a route first needs them, not all at start (that was a fifth of the
  // time from start to ready); a schema that does not compile still fails the first request, and
  // the OpenAPI and fuzz tests send every operation.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    let validate: ReturnType<Ajv['compile']> | undefined
    const lazy = ((data: unknown) => {
      validate ??= (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)
      const valid = validate(data)
      lazy.errors = validate.errors
      return valid
    }) as ReturnType<Ajv['compile']>
    return lazy
  })
  app.setSerializerCompiler(({ schema }) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data: unknown) => (serialize ??= buildSerializer(schema as Parameters<typeof buildSerializer>[0]))(data)
  })

  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, {
    status: 404, type: 'not-found', title: 'Not found', detail: `No route ${request.method} ${request.url.split('?')[0]}`,
  }))

  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof ProblemError) {
      return sendProblem(reply, request, {
        status: error.status, type: error.type, title: error.title, detail: error.message, errors: error.errors, extra: error.extra, headers: error.headers,
      })
    }
    if (error.validation) {
      const errors = fieldErrors(error.validation as AjvLikeError[], error.validationContext)
      return sendProblem(reply, request, {
        status: 400, type: 'validation-error', title: 'Invalid request',
        detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors,
      })
    }
    const framework = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
    if (framework) {
      return sendProblem(reply, request, Object.assign({}, framework, { detail: error.message }))
    }
    if (error.statusCode === 429) {
      return sendProblem(reply, request, { status: 429, type: 'rate-limited', title: 'Too many requests', detail: error.message })
    }
    const { cause, logged } = databaseErrorOf(error)
    const database = databaseProblem(cause as never)
    if (database) return sendProblem(reply, request, database)
    if (isUnavailable(cause as never)) {
      requestLog(request).warn(logged, 'database unavailable')
      return sendProblem(reply, request, {
        status: 503, type: 'unavailable', title: 'Service unavailable', detail: 'The database is not reachable; retry shortly', headers: { 'retry-after': '2' },
      })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, { status: error.statusCode, type: 'bad-request', title: 'Bad request', detail: error.message })
    }
    requestLog(request).error(logged, 'unhandled error')
    return sendProblem(reply, request, { status: 500, type: 'internal', title: 'Internal server error', detail: 'An unexpected error occurred; it has been logged' })
  })
}, { name: 'problems' })
