import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.ts'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.match(config, { HOST: '127.0.0.1', PORT: 3000, DATA_DIR: './data', PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: 60 })
  t.equal(config.DATABASE_URL, undefined)
  t.ok(Object.isFrozen(config))
})

t.test('reads and converts the environment', async (t) => {
  const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', PUBLIC_URL: 'https://events.example.org/', DATABASE_URL: 'postgres://u@h/db', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', DATA_DIR: '', ADMIN_TOKEN: 'a-long-enough-secret' })
  t.match(config, { PORT: 8080, HOST: '0.0.0.0', PUBLIC_URL: 'https://events.example.org', RATE_LIMIT_PER_MINUTE: 0, LOG_LEVEL: 'warn', DATA_DIR: './data' })
  t.equal(loadConfig({ PORT: '4000' }).PUBLIC_URL, 'http://localhost:4000', 'PUBLIC_URL follows PORT')
})

t.test('a bad value is named, once per variable', async (t) => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short' })) as ConfigError
  t.type(error, ConfigError)
  for (const name of ['PORT="eighty"', 'LOG_LEVEL="loud"', 'PUBLIC_URL="ftp://x"', 'DATABASE_URL="mysql://x"', 'ADMIN_TOKEN="short"']) {
    t.match(error.message, name)
  }
  t.equal(error.message.match(/LOG_LEVEL/g)?.length, 1)
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT="70000"/)
})
