import { Type, type TSchema } from 'typebox'

/** Text people read, in Arabic and/or English; at least one language, none empty. */
export const Localized = (description: string) => Type.Object({
  ar: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S', description: 'Arabic text' })),
  en: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S', description: 'English text' })),
}, { additionalProperties: false, minProperties: 1, description: `${description} (localized: {"ar", "en"}, at least one)` })

export const ShortLocalized = (description: string) => Type.Object({
  ar: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Arabic text' })),
  en: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'English text' })),
}, { additionalProperties: false, minProperties: 1, description: `${description} (localized: {"ar", "en"}, at least one)` })

export const Uuid = (description: string) => Type.String({ format: 'uuid', description })

/**
 * The `uuid` format as this service checks it: hex digits (either case) in groups of 8-4-4-4-12 and
 * nothing around them. ajv-formats' own also took a `urn:uuid:` prefix, which PostgreSQL refuses (such
 * ids answered 500).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (value: string): boolean => UUID.test(value)

/** An RFC 3339 instant that carries its offset: `2023-02-05T09:00:00+03:00`. */
export const Instant = (description: string) => Type.String({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|z|[+-]\\d{2}:\\d{2})$',
  description: `${description} (RFC 3339 with offset)`,
})

export const Day = (description: string) => Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description} (YYYY-MM-DD)` })

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Problem = Type.Object({
  type: Type.String({ description: 'A URI naming the kind of problem' }),
  title: Type.String({ description: 'Short summary of the kind of problem' }),
  status: Type.Integer({ description: 'HTTP status code' }),
  detail: Type.String({ description: 'What went wrong, for a person' }),
  instance: Type.Optional(Type.String({ description: 'The request path' })),
  errors: Type.Optional(Type.Array(Type.Object({
    field: Type.String({ description: 'The field, as a dotted path (`title.en`, `query.limit`)' }),
    message: Type.String({ description: 'What is wrong with it' }),
  }), { description: 'Field errors of a validation failure' })),
}, { additionalProperties: true, description: 'An RFC 9457 problem (application/problem+json)' })

/** The error answers a route may give, as response schemas. */
export function problems (...statuses: number[]): Record<number, typeof Problem> {
  return Object.fromEntries(statuses.map((s) => [s, Problem]))
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Items per page (1-500, default 50)' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'next_cursor of the previous page' })),
}

export const Page = <T extends TSchema>(item: T, description: string) => Type.Object({
  items: Type.Array(item, { description }),
  next_cursor: Nullable(Type.String({ description: 'Cursor of the next page; null on the last page' })),
})

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Makes a retried create return the first answer and create nothing (1-255 visible ASCII characters)' })),
})

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'ETag the change is based on; 412 when the resource has changed since' })),
})

export const ConditionalHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'ETag of the copy the client holds: 304 when it has not changed' })),
  'accept-encoding': Type.Optional(Type.String({ description: 'br or gzip: the answer is compressed (brotli once it is made for this version, gzip until then)' })),
})

/** A 304 answer: the copy the client holds is current. */
export const NotModified = Type.Null({ description: 'Not modified since the copy the client holds (no body)' })

export const LanguageCode = Type.Enum(['ar', 'en'], { description: 'Language: ar or en' })
