import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new secret token: 256 random bits, URL-safe, with a prefix that says what it opens. */
export function newToken (prefix: 'ndw_org' | 'ndw_reg' | 'ndw_cal'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`
}

/** Tokens are stored as their SHA-256: they carry 256 random bits, so a slow hash adds nothing. */
export function hashToken (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Compares two secrets in constant time (of their hashes, so lengths leak nothing either). */
export function sameSecret (a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken (header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})\s*$/i.exec(header)
  return match?.[1]
}
