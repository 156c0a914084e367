// npm run bench: builds the service, then measures it against its baselines in one run and prints one table.
// Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (9), BENCH_CONNECTIONS (50),
// BENCH_HEALTH_CONNECTIONS (10), BENCH_START_RUNS (3), BENCH_PGBENCH_CLIENTS (10), BENCH_PGBENCH_SCALE (10), BENCH_ONLY (comma-separated
// scenario names), BENCH_PORT_FIRST/LAST (41500-41599), BENCH_NODE_ARGS (Node options for service A, e.g. --cpu-prof).
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cpus, totalmem, loadavg } from 'node:os'
import { join } from 'node:path'
import { Api } from './lib/api.ts'
import { cleanup, installSignalHandlers } from './lib/cleanup.ts'
import { statementCounter } from './lib/costs.ts'
import { LOAD, roundSeconds } from './lib/load.ts'
import { freePort } from './lib/ports.ts'
import { postgresVersion, startCluster } from './lib/postgres.ts'
import { peakRssMb, startOnFreePort, type Started } from './lib/processes.ts'
import { textTable, writeResults, type Row } from './lib/report.ts'
import * as scenarios from './lib/scenarios.ts'
import { seed } from './lib/seed.ts'
import { ROOT, serviceEnv, START_ARGS } from './lib/service.ts'

const log = (line: string) => console.error(line)
const ADMIN_TOKEN = `bench-admin-${randomBytes(16).toString('hex')}`
const MEMORY_LIMIT_MB = 250
const START_LIMIT_MS = 1500

async function startService (name: string, databaseUrl: string, nodeArgs: string[] = []): Promise<Started> {
  return startOnFreePort(freePort, (port) => ({
    name,
    command: process.execPath,
    args: [...nodeArgs, ...START_ARGS],
    cwd: ROOT,
    port,
    readyPath: '/readyz',
    env: serviceEnv(databaseUrl, port, ADMIN_TOKEN),
  }))
}

async function main (): Promise<number> {
  installSignalHandlers()
  if (!existsSync(join(ROOT, 'dist/bundle/server.mjs'))) throw new Error('dist/bundle/server.mjs is missing: run `npm run bench` (it builds first)')
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined
  const wanted = (name: string) => !only || only.has(name)

  const cluster = await startCluster()
  const machine = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    'load average at start': loadavg().map((x) => x.toFixed(2)).join(' '),
    node: process.version,
    postgresql: await postgresVersion(cluster.bin),
    load: `autocannon, ${LOAD.connections} connections, pipelining ${LOAD.pipelining}; ratios from ${LOAD.rounds} rounds of ${roundSeconds()} s a side, other runs ${LOAD.seconds} s; ${LOAD.warmupSeconds} s warm-up`,
  }
  log(`bench: ${Object.entries(machine).map(([k, v]) => `${k}: ${v}`).join('; ')}`)
  log(`bench: PostgreSQL on 127.0.0.1:${cluster.port}`)
  const databaseUrl = await cluster.createDatabase('nadwa_bench')
  await cluster.createDatabase('pgbench')

  // BENCH_NODE_ARGS (say "--cpu-prof --cpu-prof-dir=bench/results/profiles") go to service A only: profile what is measured.
  const a = await startService('service A', databaseUrl, (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean))
  log(`bench: service A ready in ${a.readyMs.toFixed(0)} ms (migrating an empty database) on ${a.baseUrl}`)
  const base = await startOnFreePort(freePort, (port) => ({
    name: 'bare Fastify',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench/baseline.ts')],
    cwd: ROOT,
    port,
    readyPath: '/',
    env: { PORT: String(port), NODE_ENV: 'production' },
  }))

  const api = new Api(a.baseUrl, ADMIN_TOKEN)
  const t0 = performance.now()
  const data = await seed(api)
  log(`bench: data created in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${data.small.sessions.length} + ${data.big.sessions.length} sessions` +
    `${data.small.missing ? ` (route missing: ${data.small.missing})` : ''}`)
  // As a database in use would be: tables with statistics, and no autovacuum of the freshly loaded ones during the runs.
  await cluster.vacuumAnalyze('nadwa_bench')

  // A second instance on the same, already migrated database: its start is the start-to-ready figure.
  const b = await startService('service B', databaseUrl)
  log(`bench: service B ready in ${b.readyMs.toFixed(0)} ms (existing database) on ${b.baseUrl}`)

  const statements = await statementCounter(databaseUrl)
  if (!statements) log('bench: pg_stat_statements is not available: SQL statements per answer are not counted')
  const ctx: scenarios.Context = {
    a: api,
    b: new Api(b.baseUrl, ADMIN_TOKEN),
    baselineUrl: base.baseUrl,
    seed: data,
    pg: { bin: cluster.bin, port: cluster.port, database: 'pgbench' },
    pids: { service: a.pid, baseline: base.pid },
    statements,
    log,
  }
  const rows: Row[] = []
  const plan: [string, () => Promise<Row | Row[]>][] = [
    ['health', () => scenarios.health(ctx)],
    ['workshop', () => scenarios.workshop(ctx)],
    ['agenda', () => scenarios.agenda60(ctx)],
    ['calendar', () => scenarios.calendar60(ctx)],
    ['calendar-304', () => scenarios.calendar1000NotModified(ctx)],
    ['registrations', () => scenarios.registrations(ctx)],
    ['registrations-seats', () => scenarios.registrationsWithSeats(ctx)],
    ['fresh-feeds', () => scenarios.freshFeedsAndHealth(ctx)],
    ['two-instances', () => scenarios.twoInstances(ctx)],
  ]
  for (const [name, run] of plan) {
    if (!wanted(name)) continue
    log(`bench: ${name}`)
    try {
      rows.push(...[await run()].flat())
    } catch (err) {
      log(`bench: ${name} failed: ${(err as Error).stack}`)
      rows.push({ scenario: name, unit: '', target: '', result: 'fail', note: (err as Error).message.slice(0, 200) })
    }
  }

  // What the instances logged (LOG_LEVEL=warn): warnings and errors seen under load.
  for (const instance of [a, b]) {
    const said = instance.output().trim()
    if (said) log(`bench: ${instance.name} logged (last lines):\n${said.split('\n').slice(-10).join('\n').slice(-2000)}`)
  }

  const peak = peakRssMb(a.pid)
  rows.push({
    scenario: 'service memory under these loads (peak RSS, VmHWM)', value: peak, unit: 'MB',
    target: `< ${MEMORY_LIMIT_MB} MB`, result: peak !== undefined && peak < MEMORY_LIMIT_MB ? 'pass' : 'fail',
  })
  // Start-to-ready, median of BENCH_START_RUNS spawns on the migrated database (B was the first).
  const starts = [b.readyMs]
  for (let i = 1; i < Number(process.env.BENCH_START_RUNS ?? 3); i++) {
    const c = await startService(`service C${i}`, databaseUrl)
    starts.push(c.readyMs)
    await c.stop()
  }
  const startMs = [...starts].sort((x, y) => x - y)[Math.floor(starts.length / 2)]
  rows.push({
    scenario: 'start to ready, existing database (spawn → 200 /readyz)', value: startMs, unit: 'ms',
    target: `< ${START_LIMIT_MS} ms`, result: startMs < START_LIMIT_MS ? 'pass' : 'fail',
    note: `median of ${starts.map((x) => x.toFixed(0)).join(', ')} ms`,
  })

  console.log()
  console.log(Object.entries(machine).map(([k, v]) => `${k}: ${v}`).join('\n'))
  console.log()
  console.log(textTable(rows))
  console.log()
  const file = writeResults(join(ROOT, 'bench/results'), machine, rows)
  log(`bench: written to ${file}`)
  return rows.some((r) => r.result === 'fail') ? 1 : 0
}

let code = 1
try {
  code = await main()
} catch (err) {
  console.error('bench:', err)
} finally {
  await cleanup()
}
process.exit(code)
