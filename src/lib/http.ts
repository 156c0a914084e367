import type { FastifyReply } from 'fastify'
import { brotliOf, type Rendered } from './fresh.ts'
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

/** How much a client accepts each compressed coding the service makes: q-values, 0 when not accepted. */
export interface AcceptedCodings { gzip: number, br: number }

/** What an Accept-Encoding header accepts (RFC 9110 12.5.3: a coding named, or `*`, with its q-value; none: 0). */
export function acceptedCodings (header: string | undefined): AcceptedCodings {
  if (!header) return NONE
  // Clients send a few values over and over (each browser and calendar app its own): the last one's
  // answer is kept, and a cached answer does not parse the header again. Module state, but no more
  // than a memo of a pure function: the answer depends on the header alone.
  if (header !== lastAcceptEncoding) {
    lastAccepted = parseAcceptEncoding(header)
    lastAcceptEncoding = header
  }
  return lastAccepted
}

const NONE: AcceptedCodings = Object.freeze({ gzip: 0, br: 0 })
let lastAcceptEncoding: string | undefined
let lastAccepted = NONE

function parseAcceptEncoding (header: string): AcceptedCodings {
  let gzip: number | undefined
  let br: number | undefined
  let star: number | undefined
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim())
    const q = params.find((p) => p.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2)) || 0
    // A coding's first mention counts.
    if (coding === 'gzip' || coding === 'x-gzip') gzip ??= weight
    else if (coding === 'br') br ??= weight
    else if (coding === '*') star ??= weight
  }
  return { gzip: gzip ?? star ?? 0, br: br ?? star ?? 0 }
}

/**
 * The coding a client with this Accept-Encoding gets: brotli when it accepts that at least as much as
 * gzip and it is made (asking starts making it: `brotliOf`), otherwise gzip when accepted, otherwise
 * none (undefined). Nothing is compressed when gzip would not be smaller.
 */
export function codingOf (rendered: Rendered, acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (rendered.gzip === undefined) return undefined
  const accepted = acceptedCodings(acceptEncoding)
  if (accepted.br > 0 && accepted.br >= accepted.gzip && brotliOf(rendered) !== undefined) return 'br'
  return accepted.gzip > 0 ? 'gzip' : undefined
}

/** The ETag of a representation in a coding (undefined: none). */
export const codingTag = (rendered: Rendered, coding: 'br' | 'gzip' | undefined): string =>
  coding === undefined ? rendered.etag : coding === 'br' ? rendered.brEtag : rendered.gzipEtag

/** Whether If-None-Match names a cached representation, in any coding. */
export function matchesRendered (ifNoneMatch: string, rendered: Rendered): boolean {
  // Most often the header is the one tag a client was given: the compressed ones are compared as they
  // are first (matchesIfNoneMatch compares the header as it is before it parses it).
  return ifNoneMatch === rendered.gzipEtag || ifNoneMatch === rendered.brEtag ||
    matchesIfNoneMatch(ifNoneMatch, rendered.etag) || matchesIfNoneMatch(ifNoneMatch, rendered.gzipEtag) || matchesIfNoneMatch(ifNoneMatch, rendered.brEtag)
}

/**
 * Answers a cached representation: 304 (no body) when the client's copy is current (`notModified`,
 * decided by the caller, or If-None-Match naming it), otherwise its bytes, compressed when the client
 * accepts that (`codingOf`: brotli once it is made, else gzip). The codings share the ETag's hash;
 * each compressed one's tag ends in its name (a strong tag names one sequence of bytes), and any tag
 * matches. `vary` is the whole Vary header, Accept-Encoding included.
 */
export function sendRendered (reply: FastifyReply, rendered: Rendered, options: { type: string, vary: string, ifNoneMatch?: string, acceptEncoding?: string, notModified?: boolean }): FastifyReply {
  const coding = codingOf(rendered, options.acceptEncoding)
  reply.header('etag', codingTag(rendered, coding)).header('vary', options.vary)
  if (options.notModified || (options.ifNoneMatch !== undefined && matchesRendered(options.ifNoneMatch, rendered))) return reply.code(304).send()
  reply.type(options.type)
  if (coding === undefined) return reply.send(rendered.body)
  return reply.header('content-encoding', coding).send(coding === 'br' ? rendered.br : rendered.gzip)
}
