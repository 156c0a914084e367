import { parseArgs } from 'node:util'
import { loadConfig } from './config.ts'
import { openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { tokensService } from './modules/tokens/tokens.service.ts'

const USAGE = `Usage: npm run cli -- <command>

  token create --name NAME --role admin|organiser   Create an organiser token (shown once)
  token list                                        List tokens (never their secrets)
  token revoke ID|NAME                              Revoke a token

Uses DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite), like the service.`

export interface CliIo { out: (line: string) => void, err: (line: string) => void }

/** Runs one CLI command; answers the process exit code. */
export async function runCli (argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: false,
    options: { name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const [group, command, arg] = positionals
  if (values.help || group !== 'token' || !['create', 'list', 'revoke'].includes(command ?? '')) {
    io.err(USAGE)
    return values.help ? 0 : 2
  }
  if (command === 'create' && (typeof values.name !== 'string' || !values.name.trim() || !['admin', 'organiser'].includes(String(values.role)))) {
    io.err('token create needs --name NAME and --role admin|organiser')
    return 2
  }
  if (command === 'revoke' && !arg) {
    io.err('token revoke needs the id or name of a token')
    return 2
  }
  const config = loadConfig(env)
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, max: 1 })
  try {
    await migrateDatabase(database, config.DATABASE_URL)
    const tokens = tokensService(database.db)
    if (command === 'create') {
      const created = await tokens.create(String(values.name).trim(), values.role as 'admin' | 'organiser')
      io.out(created.token)
      io.err(`Created ${created.role} token "${created.name}" (${created.id}). It is shown once: keep it now.`)
    } else if (command === 'list') {
      for (const t of await tokens.list()) {
        io.out([t.id, t.role.padEnd(9), t.revokedAt ? 'revoked' : 'active ', t.createdAt.toISOString(), t.name].join('  '))
      }
    } else {
      const count = await tokens.revoke(arg)
      if (count === 0) {
        io.err(`No active token has the id or name "${arg}"`)
        return 1
      }
      io.err(`Revoked ${count} token(s)`)
    }
    return 0
  } finally {
    await database.close()
  }
}

/* c8 ignore start: the process entry; tests call runCli */
if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) })
    .then((code) => { process.exitCode = code })
    .catch((err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1 })
}
/* c8 ignore stop */
