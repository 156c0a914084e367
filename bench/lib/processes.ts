import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { onCleanup } from './cleanup.ts'

export interface Started {
  name: string
  child: ChildProcess
  pid: number
  baseUrl: string
  /** Milliseconds from spawn to the first 200 of the readiness path. */
  readyMs: number
  /** Last lines the process wrote (for error messages). */
  output (): string
  stop (): Promise<void>
}

export interface StartOptions {
  name: string
  command: string
  args: string[]
  env: Record<string, string>
  port: number
  readyPath: string
  timeoutMs?: number
  cwd?: string
}

/** Spawns a server and waits for `readyPath` to answer 200; stops it on exit. */
export async function startServer (o: StartOptions): Promise<Started> {
  const t0 = performance.now()
  const child = spawn(o.command, o.args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let tail = ''
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000) }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited: number | string | null | undefined
  child.once('exit', (code, signal) => { exited = code ?? signal })

  const stop = async () => {
    if (exited !== undefined) return
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(timer)
  }
  onCleanup(o.name, stop)

  const baseUrl = `http://127.0.0.1:${o.port}`
  const deadline = Date.now() + (o.timeoutMs ?? 30_000)
  for (;;) {
    if (exited !== undefined) throw new Error(`${o.name} exited (${exited}) before it was ready:\n${tail}`)
    if (Date.now() > deadline) throw new Error(`${o.name} was not ready within ${o.timeoutMs ?? 30_000} ms:\n${tail}`)
    try {
      const res = await fetch(baseUrl + o.readyPath)
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const readyMs = performance.now() - t0
  return { name: o.name, child, pid: child.pid!, baseUrl, readyMs, output: () => tail, stop }
}

/**
 * Starts a server on a free port of the range, again on another one if the port was taken meanwhile
 * (the range lies among the system's ephemeral ports, so an outgoing connection can take it).
 */
export async function startOnFreePort (freePort: () => Promise<number>, options: (port: number) => StartOptions): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      return await startServer(options(port))
    } catch (err) {
      if (attempt >= 5 || !/EADDRINUSE/.test((err as Error).message)) throw err
    }
  }
}

/** Peak resident set size of a process so far, in MB (VmHWM of /proc/<pid>/status). */
export function peakRssMb (pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return match ? Number(match[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}
