// How the benchmarks start the service: as `npm start` runs it, with the environment they measure it in.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project's folder: the service is started from it. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** What `npm start` runs, as node's arguments (`node <flags> dist/bundle/server.mjs`): the benchmarks measure that. */
export const START_ARGS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string).split(/\s+/).slice(1)

/** The service's environment in a benchmark: no rate limit (the load comes from one address), warnings only. */
export function serviceEnv (databaseUrl: string, port: number, adminToken: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    NODE_ENV: 'production',
  }
}
