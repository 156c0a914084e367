// Patches postgres.js (3.4.x) against a crash when PostgreSQL goes away: a write scheduled with
// setImmediate runs after the connection closed and throws an uncatchable TypeError
// ("Cannot read properties of null (reading 'write')") that kills the process
// (porsager/postgres#1154, #1208; fixes proposed in #1168, #1176, #1209, not released in 3.4.9).
// With the patch the query is rejected with CONNECTION_CLOSED (answered 503) and the pool goes on.
// Runs after npm install (postinstall); idempotent; writes a new file (never edits a hard-linked one in place).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres')
const MARK = '/* nadwa: nextWrite guard */'
const replacements = [
  [
    'function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    'async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n    remaining = 0\n    incomings = null\n    clearImmediate(nextWriteTimer)',
    'async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n    remaining = 0\n    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null',
  ],
]

let patched = 0
for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const path = join(root, file)
  if (!existsSync(path)) continue
  const source = readFileSync(path, 'utf8')
  if (source.includes(MARK)) continue
  let next = source
  for (const [from, to] of replacements) {
    if (!next.includes(from)) {
      console.warn(`patch-postgres: ${file} does not have the expected code (postgres.js changed?); not patched`)
      next = undefined
      break
    }
    next = next.replace(from, to)
  }
  if (!next) continue
  writeFileSync(path + '.nadwa-tmp', next)
  renameSync(path + '.nadwa-tmp', path)
  patched++
}
if (patched) console.log(`patch-postgres: guarded ${patched} file(s) of postgres.js against writes on a closed connection`)
