// Starts the real service as a child process (node --import tsx src/server.ts) on a loopback port.
import { spawn, type ChildProcess } from 'node:child_process'
import { ADMIN_TOKEN } from '../helpers.ts'
import { freePort, listensOn } from './cluster.ts'

export interface Server {
  url: string
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/**
 * `entry`: the arguments of node that start the service (by default the sources through tsx). Ready
 * means /readyz answers 200 from this child: a test beside this one may have bound the port first
 * (freePort's answer holds only until someone binds it); then the child fails to listen, and it is
 * started again on another port.
 */
export async function startServer (env: Record<string, string>, entry: string[] = ['--import', 'tsx', 'src/server.ts']): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    let output = ''
    const child = spawn(process.execPath, entry, {
      env: {
        PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ADMIN_TOKEN, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ...env,
        // The child runs the sources through tsx, whose compiled offsets differ from the test loader's:
        // its coverage would garble the report, so tap's coverage recorder leaves it out.
        _TAPJS_PROCESSINFO_COV_EXCLUDE_: '/./',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d) => { output += d })
    child.stderr!.on('data', (d) => { output += d })
    const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    const closed = new Promise((resolve) => child.once('close', resolve)) // its output read to the end
    if (await untilServing(child, port, () => output)) return { url: `http://127.0.0.1:${port}`, child, output: () => output, exited }
    await closed
    if (!output.includes('EADDRINUSE') || attempt === 3) throw new Error(`the server exited: ${output}`)
  }
}

/**
 * Waits until `child` serves on 127.0.0.1:`port`: /readyz answers 200 and the socket listening there
 * is the child's own. False when the child exits first; after a minute it is killed and this throws
 * with its `output`.
 */
export async function untilServing (child: ChildProcess, port: number, output: () => string): Promise<boolean> {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return false
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false) && listensOn(child.pid!, port)) return true
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`the server did not start: ${output()}`) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
