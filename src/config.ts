import { Type, type Static } from 'typebox'
import { Ajv } from 'ajv'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address to bind' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'Port to bind (0: any free port)' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL; unset: embedded PGlite' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'Folder of the embedded PGlite database' }),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'Bootstrap admin bearer token (16+ characters)' })),
  PUBLIC_URL: Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', description: 'Base URL clients reach the service at' }),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info', description: 'Log level of the service' }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 60, minimum: 0, description: 'Public writes and failed logins per client address per minute; 0 turns limits off' }),
  CORS_ORIGINS: Type.Optional(Type.String({ pattern: '^\\s*(\\*|https?://[^\\s,/]+/?)(\\s*,\\s*(\\*|https?://[^\\s,/]+/?))*\\s*$', description: 'Origins browsers may call the API from, comma-separated (or *); unset: no CORS headers' })),
  SHUTDOWN_DRAIN_MS: Type.Integer({ default: 1000, minimum: 0, maximum: 60_000, description: 'On SIGTERM: milliseconds answers go on (readyz 503, Connection: close) before the server stops listening' }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 1000, description: 'PostgreSQL connections per instance' }),
  DB_CONNECT_TIMEOUT: Type.Integer({ default: 5, minimum: 1, maximum: 600, description: 'Seconds to wait for a PostgreSQL connection before answering 503' }),
  DB_IDLE_TIMEOUT: Type.Integer({ default: 60, minimum: 0, description: 'Seconds before an idle PostgreSQL connection is closed (0: never)' }),
  DB_STATEMENT_TIMEOUT: Type.Integer({ default: 10_000, minimum: 0, description: 'Milliseconds a statement (or a lock wait) may run before it is cancelled and answered 503 (0: no limit)' }),
})

export type Config = Readonly<Static<typeof ConfigSchema>>

// ajv, which validates requests too, converts the strings of the environment and fills in defaults
// (TypeBox's own Value module cost a third of the time from start to ready to load).
const checkConfig = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true, strict: false }).compile(ConfigSchema)

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads the configuration from an environment once; throws a ConfigError naming every bad variable. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  if (raw.PUBLIC_URL === undefined) raw.PUBLIC_URL = `http://localhost:${env.PORT || 3000}`
  const converted: Record<string, unknown> = { ...raw }
  if (!checkConfig(converted)) {
    const problems = new Map<string, string>()
    for (const e of checkConfig.errors!) {
      const key = e.instancePath.slice(1)
      if (!problems.has(key)) problems.set(key, `${key}=${JSON.stringify(raw[key])}: ${e.message}`)
    }
    throw new ConfigError(`Invalid configuration:\n  ${[...problems.values()].join('\n  ')}`)
  }
  converted.PUBLIC_URL = String(converted.PUBLIC_URL).replace(/\/+$/, '')
  return Object.freeze(converted as Static<typeof ConfigSchema>)
}
