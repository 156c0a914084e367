// fast-check arbitraries from the JSON Schemas of an OpenAPI document: values a schema accepts (so
// requests reach the service code), mixed with hostile ones (wrong types, huge and odd strings,
// prototype keys, numbers out of range, deep nesting).
import fc from 'fast-check'
import type { Schema } from '../security/operations.ts'

const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uDBFFy', '\u202E\u202Bمرحبا\u200F', '\uFEFF', '\u00A0',
  '\r\n', '\t', '\u001b[31m', '\u2028\u2029', '𝕏🙂👩🏽‍🔬', 'ﷺ', 'Z̷̡͙a̸l̵g̶o̵',
  '<script>alert(1)</script>', "'; drop table workshops; --", '../../etc/passwd', '%00', '%', '${jndi:ldap://x}',
  '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-0', '1e309', '0x10', 'true',
  '2023-02-30', '2023-13-01', '0000-00-00', '9999-12-31', '2023-02-05T09:00:00', '2023-02-05T25:61:61+03:00', '2023-02-05T09:00:00+99:00',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'Mars/Olympus', 'Etc/GMT+14', 'UTC', 'localtime',
  'javascript:alert(1)', 'http://', 'https://x', 'mailto:a@b.c',
]

const ODD_NUMBERS = [0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 1e21]

/** A nested value `depth` levels deep (JSON.stringify keeps it as data). */
function nested (depth: number): unknown {
  let value: unknown = 'deep'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

/** Objects with keys that pollute prototypes when code merges them carelessly. */
const PROTO_OBJECTS: unknown[] = [
  JSON.parse('{"__proto__": {"polluted": true, "admin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  JSON.parse('{"en": "x", "__proto__": {"ar": "y"}}'),
  JSON.parse('{"toString": "x", "valueOf": 1, "hasOwnProperty": null}'),
]

/** Hostile values of any type. `secrets` are planted too (to prove they never reach a log). */
export function hostile (secrets: string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(...ODD_STRINGS, ...ODD_NUMBERS, ...PROTO_OBJECTS, ...secrets, null, true, false, [], {}),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer({ min: 1000, max: 200_000 }).map((n) => 'ي'.repeat(n)),
    fc.integer({ min: 10, max: 3000 }).map(nested),
    fc.double(),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => Number(n)),
    fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
  )
}

function day (): fc.Arbitrary<string> {
  return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
}

function instant (): fc.Arbitrary<string> {
  return fc.tuple(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+03:00', '-05:00', '+14:00'))
    .map(([d, offset]) => d.toISOString().slice(0, 19) + offset)
}

/** A value this schema accepts (mostly: a random pattern or cross-field rule may still refuse it). */
export function valid (schema: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant({})
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) return fc.oneof(...alternatives.map((s: Schema) => valid(s, ids, depth + 1)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {}
      const required = new Set<string>(schema.required ?? [])
      const record: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [name, prop] of Object.entries(properties)) record[name] = valid(prop, ids, depth + 1)
      const names = Object.keys(properties)
      const requiredKeys = names.filter((n) => required.has(n))
      // At least one optional field when none is required (a PATCH with something in it).
      return fc.record(record, { requiredKeys: requiredKeys.length || names.length === 0 ? requiredKeys : [names[0]] })
    }
    case 'array': return fc.array(valid(schema.items, ids, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) })
    case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 })
    case 'number': return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'string': {
      if (schema.format === 'uuid') return ids.length ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid()
      if (schema.format === 'date') return day()
      if (schema.format === 'date-time') return instant()
      if (schema.format === 'email') return fc.emailAddress()
      if (schema.format === 'uri') return fc.webUrl()
      if (/time ?zone/i.test(schema.description ?? '')) return fc.constantFrom('Asia/Baghdad', 'UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati', 'Asia/Kathmandu')
      const min = schema.minLength ?? 0
      const max = Math.min(schema.maxLength ?? 60, 60)
      if (schema.pattern && schema.pattern !== '\\S') {
        try {
          return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity))
        } catch { /* a pattern JavaScript cannot read: plain strings */ }
      }
      return fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) }).filter((s) => /\S/.test(s))
    }
    default: return fc.anything({ maxDepth: 2 })
  }
}

/** Mostly valid, sometimes hostile, at every level of the value. */
export function fuzzed (schema: Schema | undefined, ids: string[], secrets: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostile(secrets)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  if (type === 'object' && schema.properties) {
    const record: Record<string, fc.Arbitrary<unknown>> = {}
    for (const [name, prop] of Object.entries<Schema>(schema.properties)) record[name] = fuzzed(prop, ids, secrets, depth + 1)
    const withExtra = fc.tuple(fc.record(record, { requiredKeys: [] }), fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'unknown_field', 'id', 'version', 'status', ''), hostile(secrets)), { freq: 4 }))
      .map(([object, extra]) => {
        if (!extra) return object
        // defineProperty: a "__proto__" key stays a key (as it would arrive in JSON), not a prototype.
        Object.defineProperty(object, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true })
        return object
      })
    return fc.oneof({ arbitrary: valid(schema, ids, depth), weight: 3 }, { arbitrary: withExtra, weight: 3 }, { arbitrary: hostile(secrets), weight: 1 })
  }
  return fc.oneof({ arbitrary: valid(schema, ids, depth), weight: 4 }, { arbitrary: hostile(secrets), weight: 1 })
}
