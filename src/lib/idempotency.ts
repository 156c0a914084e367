import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { idempotencyKeys } from '../modules/tokens/tokens.table.ts'
import { ProblemError } from '../errors.ts'
import { malformedHeader } from './http.ts'

export interface Answer<T> { status: number, body: T }

function derive (purpose: string, scope: string, key: string): Buffer {
  return createHash('sha256').update(`nadwa:${purpose}\0${scope}\0${key}`).digest()
}

function seal (answer: Answer<unknown>, secret: Buffer): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', secret, iv)
  const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')
}

function unseal<T> (sealed: string, secret: Buffer): Answer<T> {
  const raw = Buffer.from(sealed, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Answer<T>
}

/** Checks an Idempotency-Key header: 1 to 255 visible ASCII characters. */
export function idempotencyKeyOf (header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  if (typeof header !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw malformedHeader('idempotency-key', 'must be 1 to 255 visible ASCII characters')
  }
  return header
}

/**
 * Runs a create in one transaction. With an Idempotency-Key, the first answer is stored in that same
 * transaction; a repeat with the same key and body gets it back (replayed) and creates nothing, even
 * when it races the first on another instance: the key's row lock makes the repeat wait for the first.
 * The same key with another body is refused (422).
 */
export async function idempotent<T> (
  db: Db,
  key: string | undefined,
  scope: string,
  request: unknown,
  run: (tx: Db) => Promise<Answer<T>>,
): Promise<Answer<T> & { replayed: boolean }> {
  if (key === undefined) return withReplayed(await db.transaction((tx) => run(tx as unknown as Db)), false)
  const keyHash = derive('key', scope, key).toString('hex')
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex')
  const secret = derive('seal', scope, key)
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const inserted = await tx.insert(idempotencyKeys).values({ scope, keyHash, requestHash })
      .onConflictDoNothing().returning({ keyHash: idempotencyKeys.keyHash })
    if (inserted.length === 0) {
      const [stored] = await tx.select().from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.keyHash, keyHash)))
      if (stored.requestHash !== requestHash) {
        throw new ProblemError(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request body')
      }
      return withReplayed(unseal<T>(stored.sealedResponse!, secret), true)
    }
    const answer = await run(tx)
    await tx.update(idempotencyKeys).set({ statusCode: answer.status, sealedResponse: seal(answer, secret) })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.keyHash, keyHash)))
    return withReplayed(answer, false)
  })
}

/** The answer with whether it was replayed: written out, not spread: one hidden class for V8 (README, Performance: object spread). */
function withReplayed<T> (answer: Answer<T>, replayed: boolean): Answer<T> & { replayed: boolean } {
  return { status: answer.status, body: answer.body, replayed }
}
