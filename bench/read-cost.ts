// What one database round trip costs the service's process, in CPU: the shared read every cached
// answer waits for (the timetable state, through the service's own code), `select 1` through
// postgres.js, and, as the floor of any round trip on this machine, a TCP echo within one process.
// Each is run one at a time, in a row (after a warm-up), and measured with process.cpuUsage (every
// thread of the process). By hand: `npm run bench:read-cost` (about a minute). Not a test, no target.
import { createServer, connect, type AddressInfo } from 'node:net'
import postgres from 'postgres'
import { openDatabase } from '../src/db/client.ts'
import { timetableStates } from '../src/modules/timetable/timetable.state.ts'
import { installSignalHandlers } from './lib/cleanup.ts'
import { figuresTable } from './lib/report.ts'
import { seededCluster } from './lib/seed.ts'

const ROUNDS = Number(process.env.READ_COST_ROUNDS ?? 3)
const READS = Number(process.env.READ_COST_READS ?? 4000)
const ADMIN_TOKEN = 'bench-read-cost-admin-token-0123456'
const log = (line: string) => console.error(line)

/** CPU (user, system) and wall time per call of `work`, called READS times one after another after 1,000 calls of warm-up. */
async function perCall (work: () => Promise<unknown>): Promise<{ user: number, system: number, wall: number }> {
  for (let i = 0; i < 1000; i++) await work()
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < READS; i++) await work()
  const used = process.cpuUsage(cpu)
  return { user: used.user / READS, system: used.system / READS, wall: (performance.now() - t0) * 1000 / READS }
}

/** A TCP echo server and a client in this process: one byte there and back. */
async function echo (): Promise<{ call: () => Promise<void>, close: () => void }> {
  const server = createServer((socket) => socket.on('data', (data) => socket.write(data)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  socket.setNoDelay(true)
  let answered = () => {}
  socket.on('data', () => answered())
  return {
    call: () => new Promise<void>((resolve) => { answered = resolve; socket.write('x') }),
    close: () => { socket.destroy(); server.close() },
  }
}

async function main (): Promise<number> {
  installSignalHandlers()
  const { cluster, databaseUrl, data } = await seededCluster('nadwa_read_cost', ADMIN_TOKEN)

  const database = await openDatabase({ url: databaseUrl })
  const states = timetableStates(database.db)
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  const tcp = await echo()
  const kinds: [string, () => Promise<unknown>][] = [
    ['timetable state (the shared read, through drizzle)', () => states(data.small.id)],
    ['select 1 (postgres.js, prepared)', () => client`select 1`],
    ['TCP echo within this process (no database)', tcp.call],
  ]
  const rows: string[][] = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [kind, work] of kinds) {
      const r = await perCall(work)
      log(`read-cost: round ${round}, ${kind}: ${(r.user + r.system).toFixed(1)} µs of CPU per call`)
      rows.push([kind, String(round), (r.user + r.system).toFixed(1), r.user.toFixed(1), r.system.toFixed(1), r.wall.toFixed(1)])
    }
  }
  tcp.close()
  await client.end()
  await database.close()
  await cluster.stop()

  console.log(`\nnode ${process.version}; ${READS.toLocaleString('en-US')} calls one after another per row, after 1,000; CPU of every thread of this process\n`)
  console.log(figuresTable(['round trip', 'round', 'CPU µs per call', 'user', 'system', 'wall µs per call'], rows))
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  log(`bench:read-cost: ${err instanceof Error ? err.stack : String(err)}`)
  process.exitCode = 1
})
