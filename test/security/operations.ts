// The operations of the OpenAPI document the service serves: the authorization matrix and the fuzzer
// walk these, so a route added later (by any module) is covered without touching the tests.
import type { App } from '../../src/lib/module.ts'

export type Schema = Record<string, any>

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** OpenAPI path, such as /v1/workshops/{workshopId} */
  path: string
  operationId: string
  /** Who may call it, from its `security`: public (none), optional ({} or a token), org (organiser token), admin (token with the admin role). */
  auth: 'public' | 'optional' | 'org' | 'admin' | 'manage' | 'other'
  pathParams: Array<{ name: string, schema: Schema }>
  query: Array<{ name: string, schema: Schema, required: boolean }>
  headers: Array<{ name: string, schema: Schema }>
  body?: Schema
}

function authOf (security: Array<Record<string, string[]>> | undefined): Operation['auth'] {
  if (!security || security.length === 0) return 'public'
  if (security.some((s) => Object.keys(s).length === 0)) return 'optional'
  const organiser = security.find((s) => s.organiserToken)
  if (!organiser) return security.some((s) => s.manageToken) ? 'manage' : 'other'
  return organiser.organiserToken.includes('admin') ? 'admin' : 'org'
}

export function operationsOf (spec: Record<string, any>): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const parameters: any[] = op.parameters ?? []
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        operationId: op.operationId,
        auth: authOf(op.security ?? spec.security),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {}, required: !!p.required })),
        headers: parameters.filter((p) => p.in === 'header').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
      })
    }
  }
  return operations
}

export async function operationsOfApp (app: App): Promise<Operation[]> {
  return operationsOf(app.swagger() as Record<string, any>)
}

/** Fills an OpenAPI path with ids: by parameter name, else the first id given, else a random UUID. */
export function urlOf (op: Operation, ids: Record<string, string> = {}): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(ids[name] ?? '00000000-0000-4000-8000-000000000000'))
}

/** Percent-encodes any string as UTF-8 (lone surrogates become U+FFFD instead of throwing as encodeURIComponent does). */
export function percentEncode (value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')
}

/** A body the schema accepts, built from its required fields (used as the "valid-looking" body of the matrix). */
export function sampleOf (schema: Schema | undefined): unknown {
  if (!schema) return undefined
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return schema.enum[0]
  if (schema.default !== undefined) return schema.default
  if (schema.anyOf) return sampleOf(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? schema.anyOf[0])
  if (schema.oneOf) return sampleOf(schema.oneOf[0])
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const required: string[] = schema.required ?? Object.keys(schema.properties ?? {}).slice(0, 1)
      for (const name of required) out[name] = sampleOf(schema.properties?.[name])
      return out
    }
    case 'array': return schema.minItems ? [sampleOf(schema.items)] : []
    case 'integer': case 'number': return schema.minimum ?? 1
    case 'boolean': return true
    case 'null': return null
    case 'string':
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000'
      if (schema.format === 'date') return '2030-01-01'
      if (schema.format === 'date-time') return '2030-01-01T09:00:00+03:00'
      if (schema.format === 'email') return 'someone@example.org'
      if (schema.format === 'uri') return 'https://example.org'
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1))
    default: return {}
  }
}
