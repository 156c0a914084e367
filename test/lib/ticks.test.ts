import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { transform } from 'esbuild'
import { keepTickMaps } from '../../src/lib/ticks.ts'
import { READS_V8_11_3, slotStates, withoutLoaders } from '../helpers.ts'

/**
 * The states of the feedback slots through which process.nextTick's tick literal gets its properties,
 * as V8 prints them (%DebugPrint, Node 20), after ticks, a full collection with none queued, and ticks again.
 */
async function tickSlotStates (t: Test, keep: boolean): Promise<string[]> {
  // The module compiled here, and nothing of tsx's or tap's in the child: only what is measured.
  const dir = t.testdir()
  const module = join(dir, 'ticks.mjs')
  writeFileSync(module, (await transform(readFileSync('src/lib/ticks.ts', 'utf8'), { loader: 'ts', format: 'esm' })).code)
  // Ten full collections, not three: V8 keeps a map whose objects are gone through two more
  // (--retain-maps-for-n-gc=2; with it at 3 or 5, three collections left the slots monomorphic here),
  // and whether a collection counts one off depends on how far its marking got (V8's RetainMaps).
  // With three, one CI run in many kept the maps.
  const script = `
    ${keep ? `import { keepTickMaps } from ${JSON.stringify(pathToFileURL(module).href)}; keepTickMaps()` : ''}
    const ticks = (count) => new Promise((resolve) => { let n = 0; const next = () => ++n < count ? process.nextTick(next) : resolve(); next() })
    await ticks(2000)
    await new Promise((resolve) => setTimeout(resolve, 20))
    for (let i = 0; i < 10; i++) globalThis.gc()
    await ticks(100)
    new Function('f', '%DebugPrint(f)')(process.nextTick)`
  // Into a file: V8 prints through C's stdio, which dropped what a pipe did not take at once.
  const output = join(dir, 'debug-print.txt')
  const fd = openSync(output, 'w')
  const child = spawn('/bin/sh', withoutLoaders(['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script]),
    { env: { PATH: process.env.PATH }, stdio: ['ignore', fd, 'inherit'] })
  closeSync(fd)
  const [code] = await once(child, 'exit')
  t.equal(code, 0, 'the script ran')
  return slotStates(readFileSync(output, 'utf8'))
}

t.test('without a kept tick, a collection with no tick queued sends nextTick down the slow path for good', READS_V8_11_3, async (t) => {
  // The condition keepTickMaps works around. If a Node release stops showing it, the workaround can go.
  // Up to three children: in two CI runs of eight (the PostgreSQL half, three test files at once), one
  // child kept the slots monomorphic through the ten collections. The cause is not known: it is not map
  // retention (it happened with --retain-maps-for-n-gc=0 too), and 240 children by hand, three at a time
  // with the two cores busy, and 78 with the compiler, marking and collector flags of V8, all showed the
  // condition. A Node without the condition fails all three.
  let states: string[] = []
  let tries = 0
  while (tries < 3 && !states.includes('MEGAMORPHIC')) {
    states = await tickSlotStates(t, false)
    tries++
  }
  t.equal(states.length, 4, 'the tick literal has its four slots')
  t.ok(states.includes('MEGAMORPHIC'), `slots given up: ${states.join(' ')} (${tries} tries)`)
})

t.test('with a kept tick, the slots stay monomorphic through collections', READS_V8_11_3, async (t) => {
  t.same(await tickSlotStates(t, true), ['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC'])
})

t.test('the kept object is a real tick: it carries the async id Node gave it', async (t) => {
  const tick = keepTickMaps()
  const keys = Object.getOwnPropertySymbols(tick).map((s) => s.description)
  t.same(keys, ['async_id_symbol', 'trigger_async_id_symbol'])
  t.same(Object.keys(tick), ['callback', 'args'])
  t.equal(keepTickMaps(), tick, 'one tick kept, however often it is called')
})
