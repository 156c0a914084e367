// A throwaway PostgreSQL cluster a test may stop and start (never the shared server other tests use).
// Like .ci/postgres.sh: initdb and pg_ctl, run as the postgres user when we are root.
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function postgresBin (): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  for (const version of readdirSync(root).sort().reverse()) {
    const bin = join(root, version, 'bin')
    if (existsSync(join(bin, 'initdb'))) return bin
  }
  return undefined
}

function asOwner (command: string, args: string[]): string {
  const root = process.getuid?.() === 0
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  return root
    ? execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    : execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** A free port in 41400-41499 (the range these tests may use). */
export async function freePort (from = 41400, to = 41499): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from + 1))
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1))
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error(`no free port in ${from}-${to}`)
}

/**
 * Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux's /proc). A port
 * freePort found free is free only until someone binds it: a test running beside this one may pick it
 * too and bind it first, and then its server answers this test's requests.
 */
export function listensOn (pid: number, port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  const inodes = new Set<string>()
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields[1] === local && fields[3] === '0A') inodes.add(fields[9]) // 0A: LISTEN
  }
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return false // gone
  }
  return fds.some((fd) => {
    try {
      return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '')
    } catch {
      return false // closed meanwhile
    }
  })
}

export interface Cluster {
  url: string
  port: number
  start (): void
  /** fast: disconnect clients and shut down cleanly; immediate: like a crash. */
  stop (mode?: 'fast' | 'immediate'): void
  destroy (): void
}

export async function throwawayCluster (): Promise<Cluster> {
  const bin = postgresBin()
  if (!bin) throw new Error('PostgreSQL binaries not found')
  const dir = mkdtempSync(join(tmpdir(), 'nadwa-fault-pg-'))
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()))
  const data = join(dir, 'data')
  asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'])
  const port = await freePort()
  let running = false
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start () {
      asOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50 -c fsync=off -c synchronous_commit=on -c full_page_writes=off -c shared_buffers=16MB`, 'start'])
      running = true
    },
    stop (mode = 'fast') {
      asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'])
      running = false
    },
    destroy () {
      try { if (running) cluster.stop('immediate') } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  cluster.start()
  return cluster
}
