import t from 'tap'
import { decodeCursor, encodeCursor, etagOf, pageOf, requiredVersion } from '../../src/lib/http.ts'
import { ProblemError } from '../../src/errors.ts'

const id = '8ed1b24d-ada7-47f0-bec8-b23cb849baca'

t.test('If-Match', async (t) => {
  t.equal(requiredVersion(undefined, id), null)
  t.equal(requiredVersion('*', id), null)
  t.equal(requiredVersion(etagOf(id, 3), id), 3)
  t.equal(requiredVersion(`"other", W/${etagOf(id, 4)}`, id), 4)
  const stale = t.throws(() => requiredVersion('"nonsense"', id)) as ProblemError
  t.equal(stale.status, 412)
  t.equal((t.throws(() => requiredVersion(etagOf('00000000-0000-0000-0000-000000000000', 1), id)) as ProblemError).status, 412)
})

t.test('cursors', async (t) => {
  t.same(decodeCursor(encodeCursor('2023-02-05', id)), { sortKey: '2023-02-05', id })
  t.same(decodeCursor(encodeCursor(7, id)), { sortKey: '7', id })
  t.equal(decodeCursor(undefined), undefined)
  for (const bad of ['%%%', Buffer.from('[1]').toString('base64url'), Buffer.from('["a","not-a-uuid"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
    const error = t.throws(() => decodeCursor(bad)) as ProblemError
    t.equal(error.status, 400)
    t.same(error.errors?.[0].field, 'query.cursor')
  }
  const page = pageOf([{ k: 'a', id }, { k: 'b', id }, { k: 'c', id }], 2, (r) => [r.k, r.id])
  t.equal(page.items.length, 2)
  t.same(decodeCursor(page.next_cursor!), { sortKey: 'b', id })
  t.equal(pageOf([1], 2, () => ['x', id]).next_cursor, null)
})
