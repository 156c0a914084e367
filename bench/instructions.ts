// Instructions per answer: the built service run under callgrind, counted over a number of answers
// after a warm-up. On a shared machine req/s and CPU time move by a third from one minute to the
// next, and two identical builds measured in turn differ by up to 15 %; instruction counts are the
// same to ±1.5 % from run to run, so two builds can be told apart by effects of a few per cent.
// By hand: `npm run bench:instructions` (needs valgrind; several minutes: valgrind runs code ~50×
// slower). Not a test, and no target: a comparison between builds.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon from 'autocannon'
import { BROWSER, CALENDAR_APP } from './lib/api.ts'
import { installSignalHandlers } from './lib/cleanup.ts'
import { freePort } from './lib/ports.ts'
import { startOnFreePort } from './lib/processes.ts'
import { figuresTable } from './lib/report.ts'
import { seededCluster } from './lib/seed.ts'
import { ROOT, serviceEnv, START_ARGS } from './lib/service.ts'

const run = promisify(execFile)
const WARMUP = Number(process.env.INSTRUCTIONS_WARMUP ?? 20_000)
const ANSWERS = Number(process.env.INSTRUCTIONS_ANSWERS ?? 10_000)
const ADMIN_TOKEN = 'bench-instructions-admin-token-0123'
const log = (line: string) => console.error(line)

interface Route { scenario: string, path: string, headers: Record<string, string>, conditional?: boolean }

/** The service's benchmark environment, and a user name vgdb finds the process by. */
function env (databaseUrl: string, port: number): Record<string, string> {
  return { ...serviceEnv(databaseUrl, port, ADMIN_TOKEN), USER: 'nadwa-bench', LOGNAME: 'nadwa-bench' }
}

async function load (url: string, headers: Record<string, string>, amount: number): Promise<void> {
  const result = await autocannon({ url, headers, connections: 10, amount })
  // Every answer the one expected: a 304 to a matching If-None-Match, a 200 otherwise (a 304 counted
  // as a 200's cost, or the other way round, would measure the wrong thing).
  const expected = headers['if-none-match'] ? result['3xx'] : result['2xx']
  if (result.errors > 0 || expected !== result.requests.total) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} answers not 2xx (${result['3xx']} 3xx) of ${result.requests.total}`)
  }
}

/** Instructions of the last dump, all threads, and those of V8's optimizing compiler among them. */
async function counted (dir: string): Promise<{ total: number, compiler: number }> {
  let total = 0
  let compiler = 0
  for (const file of readdirSync(dir).filter((f) => f.startsWith('callgrind.out'))) {
    const text = readFileSync(join(dir, file), 'utf8')
    total += Number(/^totals: (\d+)/m.exec(text)?.[1] ?? 0)
    const { stdout } = await run('callgrind_annotate', ['--inclusive=no', '--threshold=100', join(dir, file)], { maxBuffer: 64 * 1024 * 1024 })
    for (const line of stdout.split('\n')) {
      const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line)
      if (m && m[2].includes('compiler::')) compiler += Number(m[1].replaceAll(',', ''))
    }
  }
  return { total, compiler }
}

async function measure (databaseUrl: string, route: Route): Promise<{ total: number, compiler: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nadwa-callgrind.'))
  try {
    const server = await startOnFreePort(freePort, (port) => ({
      name: `service under callgrind (${route.scenario})`,
      command: 'valgrind',
      args: ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
        `--vgdb-prefix=${join(dir, 'vgdb')}`, process.execPath, ...START_ARGS],
      cwd: ROOT,
      env: env(databaseUrl, port),
      port,
      readyPath: '/readyz',
      timeoutMs: 300_000,
    }))
    const vgdb = (...command: string[]) => run('vgdb', [`--vgdb-prefix=${join(dir, 'vgdb')}`, `--pid=${server.pid}`, ...command],
      { env: { ...process.env, ...env(databaseUrl, 0) } })
    const url = server.baseUrl + route.path
    const headers = { ...route.headers }
    if (route.conditional) {
      const etag = (await fetch(url)).headers.get('etag')
      if (!etag) throw new Error(`${url}: no ETag`)
      headers['if-none-match'] = etag
    }
    await load(url, headers, WARMUP)
    await vgdb('instrumentation', 'on')
    await load(url, headers, ANSWERS)
    await vgdb('instrumentation', 'off')
    await vgdb('dump')
    await server.stop()
    return await counted(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main (): Promise<number> {
  installSignalHandlers()
  try {
    await run('valgrind', ['--version'])
  } catch {
    log('bench:instructions needs valgrind (Debian: apt-get install -y valgrind)')
    return 2
  }
  const { cluster, databaseUrl, data } = await seededCluster('nadwa_instructions', ADMIN_TOKEN)

  // Asked as `npm run bench` asks: the agenda as a browser (brotli, made during the warm-up), the feed as a calendar app.
  const routes: Route[] = [
    { scenario: 'getHealth', path: '/healthz', headers: {} },
    { scenario: `getAgenda, 60 sessions (${BROWSER.coding})`, path: `/v1/workshops/${data.small.id}/agenda`, headers: { 'accept-encoding': BROWSER.header } },
    { scenario: `getWorkshopCalendar, 60 sessions (${CALENDAR_APP.coding})`, path: `/v1/workshops/${data.small.id}/calendar.ics`, headers: { 'accept-encoding': CALENDAR_APP.header } },
    { scenario: 'getWorkshopCalendar, 1,000 sessions, If-None-Match → 304', path: `/v1/workshops/${data.big.id}/calendar.ics`, headers: {}, conditional: true },
  ]
  const only = process.env.BENCH_ONLY?.split(',')
  const rows: string[][] = []
  for (const route of routes.filter((r) => !only || only.some((o) => r.scenario.includes(o)))) {
    log(`bench:instructions: ${route.scenario} (${WARMUP.toLocaleString('en-US')} answers of warm-up, ${ANSWERS.toLocaleString('en-US')} counted)`)
    const { total, compiler } = await measure(databaseUrl, route)
    const per = (n: number) => Math.round(n / ANSWERS).toLocaleString('en-US')
    rows.push([route.scenario, per(total), per(compiler), per(total - compiler)])
  }
  await cluster.stop()

  console.log(`\nnode ${process.version}; ${WARMUP.toLocaleString('en-US')} answers of warm-up, ${ANSWERS.toLocaleString('en-US')} counted, 10 connections\n`)
  console.log(figuresTable(['scenario', 'instructions per answer', 'of which V8\'s compiler', 'without it'], rows))
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  log(`bench:instructions: ${err instanceof Error ? err.stack : String(err)}`)
  process.exitCode = 1
})
