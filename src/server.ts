import closeWithGrace from 'close-with-grace'
import { loadConfig, ConfigError } from './config.ts'
import { databaseOptions, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { buildApp, loggerOptions } from './app.ts'
import { keepTickMaps } from './lib/ticks.ts'

async function main () {
  // First, before the start collects garbage: every answer's ticks stay on V8's fast path (src/lib/ticks.ts);
  // then a microtask, in which Node takes away the promise hooks of the async hook that caught the tick.
  keepTickMaps()
  await null
  const config = loadConfig()
  const database = await openDatabase(databaseOptions(config))
  await migrateDatabase(database, config.DATABASE_URL)
  const app = await buildApp({ config, database, logger: loggerOptions(config.LOG_LEVEL) })

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, then close the database.
  closeWithGrace({ delay: config.SHUTDOWN_DRAIN_MS + 10_000, logger: app.log }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.drain(config.SHUTDOWN_DRAIN_MS)
    await app.close()
    await database.close()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
  app.log.info({ database: database.kind, publicUrl: config.PUBLIC_URL }, 'Nadwa is ready')
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message)
  } else {
    console.error(err)
  }
  process.exit(1)
})
