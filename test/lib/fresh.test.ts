import t from 'tap'
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'
import { BROTLI_BEST_UP_TO, brotliOf, coalesced, grouped, RenderCache, represent, type Rendered } from '../../src/lib/fresh.ts'
import { acceptedCodings, codingOf, codingTag, matchesRendered } from '../../src/lib/http.ts'

/** A read whose answers the test gives by hand, recording when each read began. */
function manualReads () {
  const reads: { key: string, answer: (value: string) => void, fail: (err: Error) => void }[] = []
  const read = (key: string) => new Promise<string>((resolve, reject) => { reads.push({ key, answer: resolve, fail: reject }) })
  return { reads, read }
}
const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('coalesced: a call never answers from a read begun before it; calls of one turn share a read', async (t) => {
  const { reads, read } = manualReads()
  const get = coalesced(read, { inFlight: 1 })
  const a = get('w1')
  const b = get('w1')
  await turn()
  t.equal(reads.length, 1, 'two calls of one turn: one read')
  const c = get('w1')
  const d = get('w1')
  await turn()
  t.equal(reads.length, 1, 'calls made while the read is in flight wait (one read at a time here)')
  reads[0].answer('v1')
  t.equal(await a, 'v1')
  t.equal(await b, 'v1')
  await turn()
  t.equal(reads.length, 2, 'the waiting calls get a read of their own, begun after they arrived')
  reads[1].answer('v2')
  t.same(await Promise.all([c, d]), ['v2', 'v2'])

  const other = get('w2')
  await turn()
  t.equal(reads.at(-1)!.key, 'w2', 'keys are read apart')
  reads.at(-1)!.answer('x')
  t.equal(await other, 'x')
})

t.test('coalesced: up to inFlight reads of a key at once', async (t) => {
  const { reads, read } = manualReads()
  const get = coalesced(read, { inFlight: 2 })
  const first = get('k')
  await turn()
  const second = get('k')
  await turn()
  const third = get('k')
  await turn()
  t.equal(reads.length, 2, 'a second read runs beside the first; the third call waits')
  reads[1].answer('later')
  t.equal(await second, 'later')
  await turn()
  t.equal(reads.length, 3, 'the waiting call is read once a read finished')
  reads[0].answer('earlier')
  reads[2].answer('last')
  t.same(await Promise.all([first, third]), ['earlier', 'last'])
})

t.test('coalesced: a failed read fails its calls only; the next call reads again', async (t) => {
  const { reads, read } = manualReads()
  const get = coalesced(read)
  const failing = get('k')
  await turn()
  reads[0].fail(new Error('database away'))
  await t.rejects(failing, /database away/)
  const next = get('k')
  await turn()
  reads[1].answer('back')
  t.equal(await next, 'back')

  const throwing = coalesced<string, string>(() => { throw new Error('synchronous') })
  await t.rejects(throwing('k'), /synchronous/, 'a read that throws at once still settles its calls')
})

const body = (text: string) => Buffer.from(text)
const rendered = (text: string): Rendered => ({ body: body(text), etag: `"${text}"`, gzipEtag: `"${text}-gzip"`, brEtag: `"${text}-br"` })

/** What the services do: the kept representation, or its render. */
const get = <T extends Rendered>(cache: RenderCache<T>, key: string, version: string, render: () => Promise<T>) => cache.cached(key, version) ?? cache.render(key, version, render)

t.test('RenderCache: one render per key and version, kept while the version stays', async (t) => {
  const cache = new RenderCache(1000)
  let renders = 0
  const render = (text: string) => async () => { renders++; await turn(); return rendered(text) }
  const [x, y] = await Promise.all([get(cache, 'a', '1', render('one')), get(cache, 'a', '1', render('one'))])
  t.equal(x, y)
  t.equal(renders, 1, 'concurrent callers of one version share its render')
  t.equal((await get(cache, 'a', '1', render('again'))).etag, '"one"', 'the same version is answered from the cache')
  t.equal(cache.hits, 1)
  t.equal((await get(cache, 'a', '2', render('two'))).etag, '"two"', 'another version renders again')
  t.equal(renders, 2)
  t.equal(cache.size, 1)

  await t.rejects(Promise.resolve(get(cache, 'b', '1', async () => { throw new Error('render failed') })), /render failed/)
  t.equal((await get(cache, 'b', '1', render('b1'))).etag, '"b1"', 'a failed render is not kept')
})

t.test('RenderCache: a render of an older state finishing last does not replace a newer one', async (t) => {
  const cache = new RenderCache(1000)
  let finishOld!: () => void
  const old = get(cache, 'k', '1', () => new Promise<Rendered>((resolve) => { finishOld = () => resolve(rendered('old')) }))
  t.equal((await get(cache, 'k', '2', async () => rendered('new'))).etag, '"new"')
  finishOld()
  t.equal((await old).etag, '"old"', 'its own callers get it')
  t.equal((await get(cache, 'k', '2', async () => rendered('rendered again'))).etag, '"new"', 'the newer render stays')
})

t.test('RenderCache: bounded in bytes, least recently used out first', async (t) => {
  const cache = new RenderCache(10)
  await get(cache, 'a', '1', async () => rendered('aaaa'))
  await get(cache, 'b', '1', async () => rendered('bbbb'))
  await get(cache, 'a', '1', async () => rendered('not used'))
  await get(cache, 'c', '1', async () => rendered('cccc'))
  t.equal(cache.usedBytes, 8)
  t.equal(cache.size, 2)
  t.equal((await get(cache, 'a', '1', async () => rendered('a again'))).etag, '"aaaa"', 'the one read recently stays')
  t.equal((await get(cache, 'b', '1', async () => rendered('b again'))).etag, '"b again"', 'the least recently used went')
  t.equal((await get(cache, 'big', '1', async () => rendered('x'.repeat(11)))).etag.length, 13, 'larger than the budget: answered')
  t.equal(cache.size, 1, '... and not kept (b took the room of the two before it)')
  t.ok(cache.usedBytes <= 10)
})

t.test('represent: compressed at zlib\'s best, once per version (every answer pays for the bytes)', async (t) => {
  // An agenda's shape: ids that do not repeat between sessions, texts that do (a fixed sequence, so the sizes are the same every run).
  let x = 1
  const hex = (n: number) => Array.from({ length: n }, () => { x = (x * 1103515245 + 12345) % 2 ** 31; return (x >> 16 & 15).toString(16) }).join('')
  const id = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
  const rooms = Array.from({ length: 4 }, id)
  const text = JSON.stringify(Array.from({ length: 60 }, (_, i) => ({
    id: id(), room_id: rooms[i % 4], title: { ar: `الجلسة ${i}: التخطيط`, en: `Session ${i}: planning` }, starts_at: `2030-03-0${1 + (i % 3)}T09:00:00.000+03:00`,
  })))
  const { gzip } = await represent(body(text))
  t.equal(gzip!.length, gzipSync(text, { level: 9 }).length)
  t.ok(gzip!.length < gzipSync(text).length, `smaller than at zlib's default level (${gzip!.length} against ${gzipSync(text).length} bytes)`)
})

t.test('represent: gzip when it is smaller, and an ETag of the bytes', async (t) => {
  const text = JSON.stringify({ days: Array.from({ length: 50 }, (_, i) => ({ i, title: { ar: 'الجلسة', en: 'Session' } })) })
  const big = await represent(body(text))
  t.ok(big.gzip && big.gzip.length < big.body.length)
  t.equal(gunzipSync(big.gzip!).toString(), text)
  t.equal((await represent(body(text))).etag, big.etag, 'the same bytes, the same tag')
  t.not((await represent(body(text + ' '))).etag, big.etag)
  t.match(big.etag, /^"[\w-]{32}"$/)
  const tiny = await represent(body('x'))
  t.equal(tiny.gzip, undefined, 'no gzip when it would be larger')
  t.equal(codingOf(tiny, 'gzip, br'), undefined)
  t.equal(brotliOf(tiny), undefined, 'nor brotli')
  t.equal(tiny.brotli, undefined, '... not even tried')
  t.equal(codingTag(big, codingOf(big, 'gzip')), big.etag.replace(/"$/, '-gzip"'))
  t.equal(tiny.gzipEtag, tiny.etag.replace(/"$/, '-gzip"'), 'a tag for each coding, even when only one is sent')
  t.equal(big.brEtag, big.etag.replace(/"$/, '-br"'))
  t.ok(matchesRendered(big.gzipEtag, big))
  t.ok(matchesRendered(big.brEtag, big))
  t.ok(matchesRendered(big.etag, big), 'the tag of any coding')
  t.ok(matchesRendered(`W/${big.gzipEtag}`, big), 'compared weakly')
  t.ok(matchesRendered(`W/${big.brEtag}`, big), 'compared weakly, brotli')
  t.ok(matchesRendered(`"other", ${big.etag}`, big))
  t.notOk(matchesRendered('"other"', big))
  t.notOk(matchesRendered(big.etag.slice(0, -2) + 'x"', big), 'one character off')
  t.notOk(matchesRendered(big.gzipEtag.slice(0, -2) + 'x"', big), 'one character off, compressed')
  t.notOk(matchesRendered(big.brEtag.slice(0, -2) + 'x"', big), 'one character off, brotli')
})

t.test('brotli: made once, the first time it is asked for; gzip until it is ready', async (t) => {
  const text = JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ i, title: { ar: `الجلسة ${i}`, en: `Session ${i}` } })))
  const r = await represent(body(text))
  t.equal(codingOf(r, 'gzip, deflate, br, zstd'), 'gzip', 'the first client that accepts brotli gets gzip, at once')
  const making = r.brotli
  t.ok(making, 'and brotli is being made')
  t.equal(codingOf(r, 'br, gzip'), 'gzip', 'still gzip while it is made')
  t.equal(r.brotli, making, 'made once')
  await making
  t.equal(brotliDecompressSync(r.br!).toString(), text)
  t.ok(r.br!.length < r.gzip!.length, `smaller than gzip (${r.br!.length} against ${r.gzip!.length} bytes)`)
  t.equal(r.br!.length, brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, "brotli's best quality")
  t.equal(codingOf(r, 'gzip, deflate, br, zstd'), 'br')
  t.equal(codingTag(r, codingOf(r, 'br')), r.brEtag)
  t.equal(codingOf(r, 'gzip, br;q=0.5'), 'gzip', 'the client prefers gzip')
  t.equal(codingOf(r, 'gzip;q=0.5, br'), 'br')
  t.equal(codingOf(r, 'br;q=0, gzip'), 'gzip')
  t.equal(codingOf(r, 'identity'), undefined)
  t.equal(codingOf(r, undefined), undefined)

  const alone = await represent(body(text))
  t.equal(codingOf(alone, 'br'), undefined, 'a client that accepts brotli alone gets the bytes as they are until it is made')
  await alone.brotli
  t.equal(codingOf(alone, 'br'), 'br')

  // Past BROTLI_BEST_UP_TO bytes (a 1,000-session feed), a quick quality: its render is not held up by a second of brotli.
  const large = Array.from({ length: 4000 }, (_, i) => `BEGIN:VEVENT\r\nUID:${i}-${(i * 7919) % 10007}@example.org\r\nSUMMARY:Session ${i}\r\nEND:VEVENT\r\n`).join('')
  t.ok(large.length > BROTLI_BEST_UP_TO)
  const feed = await represent(body(large))
  brotliOf(feed)
  await feed.brotli
  const at = (quality: number) => brotliCompressSync(large, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: large.length } }).length
  t.equal(feed.br!.length, at(5), `quality 5 (${at(5)} bytes; quality 11: ${at(11)})`)
})

t.test('acceptedCodings reads Accept-Encoding with its q-values', async (t) => {
  const cases: [string | undefined, number, number][] = [
    [undefined, 0, 0], ['', 0, 0], ['gzip', 1, 0], ['GZIP', 1, 0], ['deflate, gzip;q=0.5', 0.5, 0], ['gzip;q=0', 0, 0],
    ['x-gzip', 1, 0], ['br', 0, 1], ['*', 1, 1], ['*;q=0', 0, 0], ['gzip;q=0, *', 0, 1], ['identity', 0, 0], ['br, *;q=0.1', 0.1, 1],
    ['gzip, deflate, br, zstd', 1, 1], ['gzip;q=x, br;q=0.8', 0, 0.8], ['br;q=0.2, br;q=1', 0, 0.2],
  ]
  for (const [header, gzip, br] of cases) t.same(acceptedCodings(header), { gzip, br }, String(header))
  // The last header's answer is kept: each answer is the one of the header it is asked about.
  for (const [header, gzip, br] of [...cases].reverse().flatMap((c) => [c, c, cases[2]])) t.same(acceptedCodings(header), { gzip, br }, `again: ${header}`)
})

t.test('grouped: items that arrive while a group runs go together in the next one, at most max', async (t) => {
  const groups: number[][] = []
  const gates: (() => void)[] = []
  const place = grouped<string, number, string>(async (key, items) => {
    groups.push(items)
    await new Promise<void>((resolve) => gates.push(resolve))
    if (items.includes(13)) throw new Error('unlucky group')
    return items.map((i) => `${key}:${i}`)
  }, { max: 3 })
  const first = place('w', 1)
  const waiting = [2, 3, 4, 5].map((i) => place('w', i))
  const elsewhere = place('other', 9)
  t.same(groups, [[1], [9]], 'the first item of a key goes at once, alone; keys do not wait for each other')
  gates.shift()!()
  t.equal(await first, 'w:1')
  await turn()
  t.same(groups.slice(2), [[2, 3, 4]], 'the next group: those who waited, at most max')
  gates.shift()!()
  t.equal(await elsewhere, 'other:9')
  gates.shift()!()
  t.same(await Promise.all(waiting.slice(0, 3)), ['w:2', 'w:3', 'w:4'], 'each item gets its own result')
  await turn()
  const failing = place('w', 13)
  gates.shift()!()
  t.equal(await waiting[3], 'w:5')
  await turn()
  gates.shift()!()
  await t.rejects(failing, /unlucky group/, 'a failed group fails its items')
  t.equal(await (async () => { const again = place('w', 6); await turn(); gates.shift()!(); return again })(), 'w:6', 'and the key goes on')
})
