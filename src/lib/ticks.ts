import { createHook } from 'node:async_hooks'

/**
 * Keeps process.nextTick on V8's fast path for the life of the process (Node 20, V8 11.3).
 *
 * Every answer queues about nine ticks (Node's streams and HTTP server do). nextTick builds each as
 * an object literal with computed keys, `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …,
 * callback, args }`, and V8 adds those properties one by one through feedback slots that each hold
 * one object map, weakly, and give up for good (megamorphic) as soon as they see another map. No
 * object ever stays in the intermediate shapes, so a full garbage collection while no tick is queued
 * frees those maps; the next tick makes new ones, the slots see a second map, and from then on three
 * of every tick's four properties go through the runtime's slow path. The service's start (the
 * bundle, the database, the migrations) collects garbage with no tick queued, so it always ended up
 * there: 35,000 instructions more per /healthz answer (callgrind: 128k → 93k, the same as a bare
 * Fastify with the service's hooks).
 *
 * One real tick object, kept, holds its map, and through the maps' back pointers every intermediate
 * one: the slots stay monomorphic. It is caught with an async hook's init (the only place Node hands
 * a tick object out), enabled for the one nextTick below and disabled at once. Node takes the hook's
 * promise hooks away a microtask later: promises made before that carry async ids (another shape of
 * promise), so the caller awaits once before making any.
 *
 * Call it first thing (server.ts's main does), before the start collects garbage: once a slot has
 * given up, nothing brings it back. test/reliability/bundle.test.ts checks the bundle `npm start` runs.
 */
export function keepTickMaps (): object {
  if (kept !== undefined) return kept
  let tick: object | undefined
  const hook = createHook({
    init (_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') tick ??= resource
    },
  }).enable()
  process.nextTick(noop)
  hook.disable()
  /* c8 ignore next: Node hands every nextTick to the init hooks; only a Node that stopped doing so lands here */
  if (tick === undefined) throw new Error('process.nextTick created no TickObject for the async hook')
  kept = tick
  return tick
}

function noop (): void {}

/** The tick kept for the life of the process. */
let kept: object | undefined
