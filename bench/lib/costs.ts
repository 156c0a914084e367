import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { onCleanup } from './cleanup.ts'

/**
 * What an answer costs, beside its throughput: the CPU time of the process that answered (the
 * service's, bare Fastify's) and the statements the service sent to PostgreSQL. On a shared 2-core
 * machine the throughput of both sides moves from one minute to the next; these say what bounds a
 * figure (the service's CPU, the database's round trips), measured in the same rounds as the ratio.
 */

/** Linux's clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on the kernels this runs on). */
const TICKS_PER_SECOND = 100

/** CPU time (user and system) a process has used so far, in microseconds; undefined where there is no /proc. */
export function cpuMicros (pid: number): number | undefined {
  try {
    // Fields after the command name's ')': state is the first, utime the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 1_000_000 / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/**
 * Statements a database has run, from pg_stat_statements (updated as each statement ends, unlike
 * pg_stat_database, which backends flush at most once a second). The cluster loads the module
 * (shared_preload_libraries); the extension is created here. Undefined when it is not available.
 */
export async function statementCounter (url: string): Promise<StatementCount | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  onCleanup('statement counter', () => sql.end({ timeout: 1 }))
  try {
    await sql`create extension if not exists pg_stat_statements`
    const count = async () => {
      const [row] = await sql`select coalesce(sum(calls), 0)::bigint as calls from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database()`
      return Number(row.calls)
    }
    await count()
    return async () => count().catch(() => undefined)
  } catch {
    return undefined
  }
}

/** Counts the statements a database has run so far (statementCounter), or undefined. */
export type StatementCount = () => Promise<number | undefined>

/**
 * Costs summed over the rounds of one side (the service, or its baseline): the CPU time of its
 * process and, given a statement counter, the statements sent to its database, per answer. Answers
 * are the responses a round got, connection errors included (there are normally none).
 */
export class Costs {
  private cpu = 0
  private answers = 0
  private cpuKnown = true
  private statements: number | undefined = 0

  constructor (private readonly pid: number | undefined, private readonly countStatements?: StatementCount) {}

  /** Runs `work` (a measured round) and adds what it cost. */
  async during<T extends { ok: number, bad: number }> (work: () => Promise<T>): Promise<T> {
    const count = this.countStatements
    const statementsBefore = count ? await count() : undefined
    const cpuBefore = this.pid === undefined ? undefined : cpuMicros(this.pid)
    const result = await work()
    const cpuAfter = this.pid === undefined ? undefined : cpuMicros(this.pid)
    const statementsAfter = count ? await count() : undefined
    if (cpuBefore === undefined || cpuAfter === undefined) this.cpuKnown = false
    else this.cpu += cpuAfter - cpuBefore
    // The counter's own query before the round is one statement of the window.
    if (statementsBefore === undefined || statementsAfter === undefined || this.statements === undefined) this.statements = undefined
    else this.statements += Math.max(0, statementsAfter - statementsBefore - 1)
    this.answers += result.ok + result.bad
    return result
  }

  /** Microseconds of the process's CPU per answer, or undefined (no /proc, no answer). */
  get cpuPerAnswer (): number | undefined {
    return this.cpuKnown && this.answers > 0 ? this.cpu / this.answers : undefined
  }

  /** Statements per answer, or undefined (not counted, no answer). */
  get statementsPerAnswer (): number | undefined {
    return this.countStatements && this.statements !== undefined && this.answers > 0 ? this.statements / this.answers : undefined
  }
}

/**
 * The per-answer column of a row: CPU per answer of the service (and of its baseline, when that is a
 * process here), and the service's SQL statements per answer (BEGIN and COMMIT count: they are round trips too).
 */
export function costNote (service: Costs, baseline?: Costs): string | undefined {
  const parts: string[] = []
  const cpu = service.cpuPerAnswer
  const base = baseline?.cpuPerAnswer
  if (cpu !== undefined) parts.push(`CPU ${Math.round(cpu)} µs${base !== undefined ? ` (bare ${Math.round(base)} µs)` : ''}`)
  const per = service.statementsPerAnswer
  if (per !== undefined) {
    parts.push(per === 0 ? 'no SQL' : per >= 1 ? `${per.toFixed(1)} SQL statements per answer` : `1 SQL statement per ${Math.round(1 / per).toLocaleString('en-US')} answers`)
  }
  return parts.length > 0 ? parts.join('; ') : undefined
}
