import type { FastifyReply } from 'fastify'
import type { Rendered } from './fresh.ts'
import { badRequest, invalidField, preconditionFailed } from '../errors.ts'

/** A strong ETag for a versioned resource. */
export function etagOf (id: string, version: number): string {
  return `"${id}.${version}"`
}

/** The version an If-Match header requires, null when absent or `*`; 412 when it names another resource. */
export function requiredVersion (ifMatch: string | undefined, id: string): number | null {
  if (ifMatch === undefined || ifMatch.trim() === '*') return null
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''))
  for (const tag of tags) {
    const match = /^"([0-9a-f-]{36})\.(\d{1,9})"$/.exec(tag)
    if (match && match[1] === id) return Number(match[2])
  }
  throw preconditionFailed()
}

/** Keyset pagination: the cursor carries the sort key and id of the last item served. */
export function encodeCursor (sortKey: string | number, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id])).toString('base64url')
}

export function decodeCursor (cursor: string | undefined): { sortKey: string, id: string } | undefined {
  if (cursor === undefined) return undefined
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') &&
      typeof value[1] === 'string' && /^[0-9a-f-]{36}$/.test(value[1])) {
      return { sortKey: String(value[0]), id: value[1] }
    }
  } catch {}
  throw invalidField('query.cursor', 'is not a cursor this service gave out')
}

/** The page of rows fetched with limit + 1, and the cursor of the next page. */
export function pageOf<T> (rows: T[], limit: number, key: (row: T) => [string | number, string]): { items: T[], next_cursor: string | null } {
  if (rows.length <= limit) return { items: rows, next_cursor: null }
  const items = rows.slice(0, limit)
  const [sortKey, id] = key(items[items.length - 1])
  return { items, next_cursor: encodeCursor(sortKey, id) }
}

export const malformedHeader = (name: string, message: string) => badRequest(`${name} header: ${message}`, [{ field: `header.${name}`, message }])

/** RFC 9110 13.1.2: If-None-Match compares weakly; `*` matches any current representation. */
export function matchesIfNoneMatch (header: string, etag: string): boolean {
  if (header === etag) return true
  if (header.trim() === '*') return true
  const strip = (tag: string) => tag.trim().replace(/^W\//, '')
  return header.split(',').some((tag) => strip(tag) === strip(etag))
}

/** An HTTP date (RFC 9110 5.6.7) of a time in whole seconds since the epoch, as Last-Modified carries it. */
export const httpDate = (seconds: number): string => new Date(seconds * 1000).toUTCString()

/** RFC 9110 13.1.3: not modified when Last-Modified is no later than the date sent; a date that does not parse is ignored. */
export function notModifiedSince (header: string, lastModifiedSeconds: number): boolean {
  const since = Date.parse(header)
  return !Number.isNaN(since) && lastModifiedSeconds * 1000 <= since
}

/** Whether an Accept-Encoding header accepts gzip (RFC 9110 12.5.3: named, or `*`, with a q-value above 0). */
export function acceptsGzip (header: string | undefined): boolean {
  if (!header) return false
  // Clients send a few values over and over (each browser and calendar app its own): the last one's
  // answer is kept, and a cached answer does not parse the header again. Module state, but no more
  // than a memo of a pure function: the answer depends on the header alone.
  if (header !== lastAcceptEncoding) {
    lastAcceptsGzip = parseAcceptsGzip(header)
    lastAcceptEncoding = header
  }
  return lastAcceptsGzip
}

let lastAcceptEncoding: string | undefined
let lastAcceptsGzip = false

function parseAcceptsGzip (header: string): boolean {
  let star: boolean | undefined
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim())
    const q = params.find((p) => p.startsWith('q='))
    const accepted = q === undefined || Number(q.slice(2)) > 0
    if (coding === 'gzip' || coding === 'x-gzip') return accepted
    if (coding === '*') star = accepted
  }
  return star === true
}

/** The ETag of the coding a client with this Accept-Encoding gets. */
export function renderedEtag (rendered: Rendered, acceptEncoding: string | undefined): string {
  return rendered.gzip !== undefined && acceptsGzip(acceptEncoding) ? rendered.gzipEtag : rendered.etag
}

/** Whether If-None-Match names a cached representation, in either coding. */
export function matchesRendered (ifNoneMatch: string, rendered: Rendered): boolean {
  // Most often the header is the one tag a client was given: the compressed one is compared as it is
  // first (matchesIfNoneMatch compares the header as it is before it parses it).
  return ifNoneMatch === rendered.gzipEtag || matchesIfNoneMatch(ifNoneMatch, rendered.etag) || matchesIfNoneMatch(ifNoneMatch, rendered.gzipEtag)
}

/**
 * Answers a cached representation: 304 (no body) when the client's copy is current (`notModified`,
 * decided by the caller, or If-None-Match naming it), otherwise its bytes, gzip-compressed when the
 * client accepts that. Both codings share the ETag's hash; the compressed one's tag ends in `-gzip`
 * (a strong tag names one sequence of bytes), and either tag matches. `vary` is the whole Vary
 * header, Accept-Encoding included.
 */
export function sendRendered (reply: FastifyReply, rendered: Rendered, options: { type: string, vary: string, ifNoneMatch?: string, acceptEncoding?: string, notModified?: boolean }): FastifyReply {
  reply.header('etag', renderedEtag(rendered, options.acceptEncoding)).header('vary', options.vary)
  if (options.notModified || (options.ifNoneMatch !== undefined && matchesRendered(options.ifNoneMatch, rendered))) return reply.code(304).send()
  reply.type(options.type)
  if (rendered.gzip !== undefined && acceptsGzip(options.acceptEncoding)) return reply.header('content-encoding', 'gzip').send(rendered.gzip)
  return reply.send(rendered.body)
}
