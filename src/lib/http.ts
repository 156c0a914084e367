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
