import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { withoutLoaders } from '../helpers.ts'

/**
 * Node 20's V8 (11.3) gives an object literal that spreads one object and then adds properties
 * (`{ ...base, added }`) a new hidden class every time it runs: every property access on such
 * objects misses V8's caches, and each one costs a map. The service's calendar answer was made that
 * way and cost each 304 about 11 % of its instructions (README, Performance). The same fields in
 * another order (`{ added, ...base }`), `Object.assign({}, base, { added })`, or the literal written
 * out keep one hidden class.
 */
t.test('the premise: V8 makes a new hidden class for { ...base, added } every time, not for the other forms', async (t) => {
  const script = `
    const base = (i) => ({ etag: 'e' + i, lastModified: 'l', notModified: i % 2 === 0 })
    const forms = {
      spreadFirst: (b) => ({ ...b, added: 1 }),
      spreadLast: (b) => ({ added: 1, ...b }),
      assign: (b) => Object.assign({}, b, { added: 1 }),
      writtenOut: (b) => ({ etag: b.etag, lastModified: b.lastModified, notModified: b.notModified, added: 1 }),
    }
    const classes = {}
    for (const [name, form] of Object.entries(forms)) {
      let changes = 0, last
      for (let i = 0; i < 1000; i++) { const o = form(base(i)); if (last && !%HaveSameMap(o, last)) changes++; last = o }
      classes[name] = changes
    }
    console.log(JSON.stringify(classes))`
  const child = spawnSync('/bin/sh', withoutLoaders(['--allow-natives-syntax', '-e', script]), { env: { PATH: process.env.PATH }, encoding: 'utf8' })
  t.equal(child.status, 0, child.stderr)
  const changes = JSON.parse(child.stdout) as Record<string, number>
  const seen = `{ ...base, added }: a new hidden class ${changes.spreadFirst} times in 1,000`
  // Node 20's V8 (11.3) is the one the service runs on; another reports what it does (if it keeps one, the rule below can go).
  if (process.versions.v8.startsWith('11.3.')) t.ok(changes.spreadFirst > 900, seen)
  else t.comment(`V8 ${process.versions.v8}: ${seen}`)
  t.same({ spreadLast: changes.spreadLast, assign: changes.assign, writtenOut: changes.writtenOut }, { spreadLast: 0, assign: 0, writtenOut: 0 }, 'the other forms keep one')
})

/** Object literals in a source file that spread and then add properties: `file:line: text`. */
function spreadsThenAdds (file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const first = node.properties.findIndex((p) => ts.isSpreadAssignment(p))
      if (first !== -1 && first < node.properties.length - 1 && !node.properties.slice(first + 1).every((p) => ts.isSpreadAssignment(p))) {
        found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().replace(/\s+/g, ' ').slice(0, 80)}`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

t.test('the check finds a spread followed by properties, and only that', async (t) => {
  t.same(spreadsThenAdds('a.ts', 'const a = { ...b, c: 1 }\nconst d = { c: 1, ...b }\nconst e = { ...b }\nconst f = f({ x: { ...g, h } })'),
    ['a.ts:1: { ...b, c: 1 }', 'a.ts:4: { ...g, h }'])
})

t.test('no code that runs per request spreads an object and then adds properties to the literal', async (t) => {
  // Module constants (schemas), the command line, the seed and the configuration run once: left out.
  const files = (readdirSync('src', { recursive: true }) as string[]).map((f) => join('src', f))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.schemas.ts') && !f.startsWith(join('src', 'seed')) && !['src/cli.ts', 'src/config.ts'].includes(f))
  t.ok(files.length > 30, `${files.length} files read`)
  t.same(files.flatMap((f) => spreadsThenAdds(relative('.', f), readFileSync(f, 'utf8'))), [])
})
