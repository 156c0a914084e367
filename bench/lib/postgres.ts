import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, chownSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './ports.ts'
import { onCleanup } from './cleanup.ts'

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0

/** The folder of PostgreSQL's programs: 15 preferred, any other installed version otherwise. */
export function pgBinDir (): string | undefined {
  const candidates = ['/usr/lib/postgresql/15/bin']
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').sort().reverse()) candidates.push(`/usr/lib/postgresql/${v}/bin`)
  }
  return candidates.find((d) => existsSync(join(d, 'initdb')))
}

async function ensureInstalled (): Promise<string> {
  let bin = pgBinDir()
  if (!bin) {
    console.error('bench: PostgreSQL not found: installing postgresql-15 from Debian\'s packages')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await run('apt-get', ['update', '-qq'], { env })
    await run('apt-get', ['install', '-y', '-qq', 'postgresql-15'], { env })
    bin = pgBinDir()
    if (!bin) throw new Error('postgresql-15 did not install')
  }
  return bin
}

/** Runs a program as the cluster's owner (PostgreSQL refuses to run as root). */
export async function asOwner (program: string, args: string[]): Promise<{ stdout: string, stderr: string }> {
  if (!isRoot) return run(program, args, { maxBuffer: 16 * 1024 * 1024 })
  const quoted = [program, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  return run('su', ['postgres', '-s', '/bin/bash', '-c', quoted], { maxBuffer: 16 * 1024 * 1024 })
}

export interface Cluster {
  bin: string
  dir: string
  port: number
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url (database?: string): string
  createDatabase (name: string): Promise<string>
  /** VACUUM ANALYZE a database: statistics for the planner, and no autovacuum of bulk-loaded tables during a measurement. */
  vacuumAnalyze (name: string): Promise<void>
  stop (): Promise<void>
}

/**
 * A throwaway PostgreSQL cluster on a free port of the range (fsync off: a benchmark, not a bank), with
 * pg_stat_statements loaded where installed: the bench counts the service's statements per answer.
 */
export async function startCluster (): Promise<Cluster> {
  const bin = await ensureInstalled()
  const dir = mkdtempSync(join(tmpdir(), 'nadwa-bench-pg.'))
  if (isRoot) {
    try {
      await run('id', ['postgres'])
    } catch {
      await run('useradd', ['--system', '--home-dir', dir, 'postgres'])
    }
    const { stdout } = await run('id', ['-u', 'postgres'])
    chownSync(dir, Number(stdout.trim()), -1)
  }
  const removeDir = () => rmSync(dir, { recursive: true, force: true })
  const forget = onCleanup('PostgreSQL folder', removeDir)
  await asOwner(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'])
  // pg_stat_statements when this installation has it (Debian's packages do): a library PostgreSQL cannot load would stop it starting.
  const statements = existsSync(join(bin, '..', 'lib', 'pg_stat_statements.so')) ? ' -c shared_preload_libraries=pg_stat_statements' : ''
  // The port is chosen after initdb and chosen again if another socket took it meanwhile.
  let port = 0
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off${statements}`
    try {
      await asOwner(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', options, 'start'])
      break
    } catch (err) {
      if (attempt >= 5) throw err
    }
  }
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await asOwner(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']).catch(() => {})
    removeDir()
  }
  forget()
  onCleanup(`PostgreSQL on ${port}`, stop)
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`
  return {
    bin,
    dir,
    port,
    url,
    async createDatabase (name) {
      await asOwner(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name])
      return url(name)
    },
    async vacuumAnalyze (name) {
      await asOwner(join(bin, 'vacuumdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '--analyze', '--quiet', name])
    },
    stop,
  }
}

export async function postgresVersion (bin: string): Promise<string> {
  const { stdout } = await run(join(bin, 'postgres'), ['--version'])
  return /\(PostgreSQL\) (\S+)/.exec(stdout)?.[1] ?? stdout.trim()
}
