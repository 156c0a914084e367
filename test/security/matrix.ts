// The authorization matrix: every operation of the OpenAPI document that needs an organiser token,
// called with every kind of wrong credential and with a valid-looking and a broken body.
import type { App } from '../../src/lib/module.ts'
import { type Operation, sampleOf, urlOf } from './operations.ts'

export interface Credential {
  label: string
  /** undefined: no Authorization header */
  authorization?: string
}

export interface MatrixOptions {
  /** Credentials no operation needing a token may accept. */
  refused: Credential[]
  /** A valid organiser (not admin) token: admin-only operations must answer it 403. */
  organiser: string
  /** Ids of existing resources, by path parameter name. */
  ids: Record<string, string>
}

const BROKEN_BODY = '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}, "unknown": "\\u0000\\u202e"}'

/** Answers the violations found (empty: the matrix holds); `calls` counts requests made. */
export async function authMatrix (app: App, operations: Operation[], options: MatrixOptions): Promise<{ violations: string[], calls: number }> {
  const violations: string[] = []
  let calls = 0
  const call = async (op: Operation, authorization: string | undefined, body: string | undefined) => {
    calls++
    const headers: Record<string, string> = {}
    if (authorization !== undefined) headers.authorization = authorization
    if (body !== undefined) headers['content-type'] = 'application/json'
    return app.inject({ method: op.method, url: urlOf(op, options.ids), headers, ...(body !== undefined ? { payload: body } : {}) })
  }
  const bodiesOf = (op: Operation) => op.method === 'GET' || op.method === 'DELETE'
    ? [undefined]
    : [JSON.stringify(sampleOf(op.body) ?? {}), BROKEN_BODY]

  for (const op of operations) {
    const where = `${op.operationId} (${op.method} ${op.path})`
    if (op.auth === 'org' || op.auth === 'admin') {
      for (const credential of options.refused) {
        for (const body of bodiesOf(op)) {
          const res = await call(op, credential.authorization, body)
          if (res.statusCode !== 401 && res.statusCode !== 403) {
            violations.push(`${where} with ${credential.label} answered ${res.statusCode}, not 401/403`)
          } else if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
            violations.push(`${where} with ${credential.label} answered ${res.statusCode} without problem+json`)
          }
        }
      }
    }
    if (op.auth === 'admin') {
      for (const body of bodiesOf(op)) {
        const res = await call(op, `Bearer ${options.organiser}`, body)
        if (res.statusCode !== 403) violations.push(`${where} with an organiser token answered ${res.statusCode}, not 403`)
      }
    }
    if (op.auth === 'optional') {
      // A token is optional, but a wrong one is refused (it is never silently read as "no token").
      for (const credential of options.refused.filter((c) => c.authorization !== undefined)) {
        const res = await call(op, credential.authorization, undefined)
        if (res.statusCode !== 401) violations.push(`${where} with ${credential.label} answered ${res.statusCode}, not 401`)
      }
    }
  }
  return { violations, calls }
}
