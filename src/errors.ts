/** A field-level validation failure, as listed in a problem's `errors`. */
export interface FieldError {
  field: string
  message: string
}

/** A domain error: mapped at the root to an application/problem+json answer. */
export class ProblemError extends Error {
  readonly status: number
  readonly type: string
  readonly title: string
  readonly errors?: FieldError[]
  readonly extra?: Record<string, unknown>
  readonly headers?: Record<string, string>

  constructor (status: number, type: string, title: string, detail: string, options: { errors?: FieldError[], extra?: Record<string, unknown>, headers?: Record<string, string> } = {}) {
    super(detail)
    this.status = status
    this.type = type
    this.title = title
    this.errors = options.errors
    this.extra = options.extra
    this.headers = options.headers
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError(400, 'validation-error', 'Invalid request', detail, { errors })

/** One field is wrong: a 400 naming it. */
export const invalidField = (field: string, message: string) =>
  badRequest(`${field}: ${message}`, [{ field, message }])

export const unauthorized = (detail = 'A valid bearer token is required') =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } })

export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail)

export const notFound = (what: string) => new ProblemError(404, 'not-found', 'Not found', `${what} not found`)

export const conflict = (type: string, detail: string, extra?: Record<string, unknown>) =>
  new ProblemError(409, type, 'Conflict', detail, { extra })

export const preconditionFailed = (detail = 'The resource has changed since it was read (If-Match does not match its ETag)') =>
  new ProblemError(412, 'precondition-failed', 'Precondition failed', detail)
