import { createServer } from 'node:net'

/** Ports this harness may use (servers and the PostgreSQL cluster it starts). */
export const PORT_RANGE = { first: Number(process.env.BENCH_PORT_FIRST ?? 41500), last: Number(process.env.BENCH_PORT_LAST ?? 41599) }

const taken = new Set<number>()

function isFree (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** The first free loopback port of the range not yet handed out by this process. */
export async function freePort (): Promise<number> {
  for (let port = PORT_RANGE.first; port <= PORT_RANGE.last; port++) {
    if (taken.has(port)) continue
    if (await isFree(port)) {
      taken.add(port)
      return port
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.first}-${PORT_RANGE.last}`)
}
