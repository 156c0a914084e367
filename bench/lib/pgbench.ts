import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Measured } from './load.ts'

const run = promisify(execFile)

export interface PgbenchOptions {
  bin: string
  port: number
  database: string
  clients: number
  threads: number
  seconds: number
  scale: number
  /** false: the data set is there already (pgbench -i ran before). */
  init?: boolean
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

/** pgbench's default tpcb-like script on a scale-`scale` data set; tps and per-transaction latencies. */
export async function pgbench (o: PgbenchOptions): Promise<Measured> {
  const conn = ['-h', '127.0.0.1', '-p', String(o.port), '-U', 'postgres']
  if (o.init !== false) await run(join(o.bin, 'pgbench'), [...conn, '-i', '-q', '-s', String(o.scale), o.database], { maxBuffer: 16 * 1024 * 1024 })
  const logs = mkdtempSync(join(tmpdir(), 'nadwa-bench-pgbench.'))
  try {
    const { stdout } = await run(join(o.bin, 'pgbench'), [
      ...conn, '-c', String(o.clients), '-j', String(o.threads), '-T', String(o.seconds),
      '--log', `--log-prefix=${join(logs, 'tx')}`, o.database,
    ], { maxBuffer: 16 * 1024 * 1024, cwd: logs })
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)
    const failed = /number of failed transactions: (\d+)/.exec(stdout)
    const done = /number of transactions actually processed: (\d+)/.exec(stdout)
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`)
    // Log lines: client_id transaction_no latency_us script_no epoch_s epoch_us
    const latencies: number[] = []
    for (const file of readdirSync(logs)) {
      for (const line of readFileSync(join(logs, file), 'utf8').split('\n')) {
        const us = Number(line.split(' ')[2])
        if (Number.isFinite(us) && line !== '') latencies.push(us / 1000)
      }
    }
    latencies.sort((a, b) => a - b)
    return {
      rps: Number(tps[1]),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      ok: Number(done?.[1] ?? latencies.length),
      bad: Number(failed?.[1] ?? 0),
      seconds: o.seconds,
    }
  } finally {
    rmSync(logs, { recursive: true, force: true })
  }
}
