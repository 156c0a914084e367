// Patches postgres.js (3.4.x) where its released code fails the service. Runs after npm install
// (postinstall); idempotent (each patch carries a mark); writes a new file (never edits a hard-linked
// one in place). Each patch says what it fixes; a file without the expected code is left as it is,
// with a warning.
//
// 1. nextWrite guard: a crash when PostgreSQL goes away. A write scheduled with setImmediate runs after
//    the connection closed and throws an uncatchable TypeError ("Cannot read properties of null
//    (reading 'write')") that kills the process (porsager/postgres#1154, #1208; fixes proposed in
//    #1168, #1176, #1209, not released in 3.4.9). With the patch the query is rejected with
//    CONNECTION_CLOSED (answered 503) and the pool goes on.
//
// 2. Queue compaction: the pool's queues grow by one slot per query, for good. A Queue's `shift` only
//    blanks the slot it takes and starts a new array when it takes the last element, and `remove`
//    searches the whole array. The pool's `open` queue (idle connections) is never empty once two
//    connections are open and fewer are busy: every query takes a connection from it (a slot blanked),
//    searches it for that connection (`move` → `remove`: not found, the whole array read) and puts it
//    back when done (a slot added). So each query costs a scan of every query before it, and 8 bytes
//    more memory: `select 1` one at a time on a pool of ten went from 76 to 93 µs over 120,000 queries.
//    With the patch `remove` searches from the first live slot, and `shift` copies the live part to a
//    new array once the blanked slots are at least 1,024 and half of the array (amortized constant).
//    test/db/postgres-queue.test.ts checks both files and a real pool.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres')

const PATCHES = [
  {
    name: 'nextWrite guard',
    files: ['src/connection.js', 'cjs/src/connection.js'],
    replacements: [
      [
        'function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
        'function nextWrite(fn) {\n    /* nadwa: nextWrite guard */\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection(\'CONNECTION_CLOSED\', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)',
      ],
      [
        'async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n    remaining = 0\n    incomings = null\n    clearImmediate(nextWriteTimer)',
        'async function closed(hadError) {\n    incoming = Buffer.alloc(0)\n    remaining = 0\n    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null',
      ],
    ],
  },
  {
    name: 'queue compaction',
    files: ['src/queue.js', 'cjs/src/queue.js'],
    replacements: [
      [
        '    remove: (x) => {\n      const index = xs.indexOf(x)\n      return index === -1\n        ? null\n        : (xs.splice(index, 1), x)\n    },',
        '    remove: (x) => {\n      /* nadwa: queue compaction */\n      const found = xs.indexOf(x, index)\n      return found === -1\n        ? null\n        : (xs.splice(found, 1), x)\n    },',
      ],
      [
        '      if (index === xs.length) {\n        index = 0\n        xs = []\n      } else {\n        xs[index - 1] = undefined\n      }',
        '      if (index === xs.length) {\n        index = 0\n        xs = []\n      } else if (index >= 1024 && index * 2 >= xs.length) {\n        xs = xs.slice(index)\n        index = 0\n      } else {\n        xs[index - 1] = undefined\n      }',
      ],
    ],
  },
]

const mark = (patch) => `/* nadwa: ${patch.name} */`

const patched = []
for (const patch of PATCHES) {
  for (const file of patch.files) {
    const path = join(root, file)
    if (!existsSync(path)) continue
    const source = readFileSync(path, 'utf8')
    if (source.includes(mark(patch))) continue
    let next = source
    for (const [from, to] of patch.replacements) {
      if (!next.includes(from)) {
        console.warn(`patch-postgres: ${file} does not have the expected code for "${patch.name}" (postgres.js changed?); not patched`)
        next = undefined
        break
      }
      next = next.replace(from, to)
    }
    if (!next) continue
    writeFileSync(path + '.nadwa-tmp', next)
    renameSync(path + '.nadwa-tmp', path)
    patched.push(`${file} (${patch.name})`)
  }
}
if (patched.length > 0) console.log(`patch-postgres: patched postgres.js: ${patched.join(', ')}`)
