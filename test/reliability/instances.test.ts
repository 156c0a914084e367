// Two service instances on one database under concurrent load: correctness comes from the database.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/client.ts'
import { buildTestApp, createWorkshop, json, orgHeaders, TEST_DATABASE_URL, testConfig, workshopBody } from '../helpers.ts'
import { fingerprint } from '../security/state.ts'

t.test('two instances: one create per Idempotency-Key, one winner per slug and per version', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const first = await buildTestApp(t, { max: 4 })
  const second = await buildTestApp(t, { url: first.url, max: 4 })
  const apps = [first.app, second.app]

  // The same key sent at once, twice to each instance: one organisation, the same answer to all.
  const keys = Array.from({ length: 8 }, () => `k-${randomBytes(6).toString('hex')}`)
  const rounds = await Promise.all(keys.map(async (key, k) => {
    const body = { name: { en: `Idem ${key}` }, sector: 'academia' }
    return Promise.all([0, 1, 0, 1].map((i) => apps[i].inject({ method: 'POST', url: '/v1/organisations', headers: { ...orgHeaders, 'idempotency-key': key }, payload: body })))
      .then((answers) => ({ key, k, answers }))
  }))
  for (const { key, answers } of rounds) {
    t.same(answers.map((a) => a.statusCode), [201, 201, 201, 201], `${key}: every caller gets 201`)
    const ids = new Set(answers.map((a) => json(a).id))
    t.equal(ids.size, 1, `${key}: the same organisation for all`)
    t.equal(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length, 3, `${key}: three replays`)
    t.equal(new Set(answers.map((a) => a.body)).size, 1, `${key}: identical answers`)
  }
  const listed = json(await first.app.inject({ url: '/v1/organisations?limit=500' })).items
  t.equal(listed.filter((o: any) => o.name.en.startsWith('Idem ')).length, keys.length, 'one organisation per key')

  // The same slug created at once on both instances: one 201, the others 409.
  for (let round = 0; round < 3; round++) {
    const slug = `race-${round}-${randomBytes(3).toString('hex')}`
    const answers = await Promise.all([0, 1, 0, 1, 0, 1].map((i) => apps[i].inject({ method: 'POST', url: '/v1/workshops', headers: orgHeaders, payload: workshopBody({ slug }) })))
    const statuses = answers.map((a) => a.statusCode).sort()
    t.same(statuses, [201, 409, 409, 409, 409, 409], `slug ${slug}: ${statuses}`)
  }

  // The same If-Match on both: one change wins, the other is told it is stale.
  const workshop = await createWorkshop(first.app)
  const answers = await Promise.all([0, 1, 0, 1].map((i, n) => apps[i].inject({ method: 'PATCH', url: `/v1/workshops/${workshop.id}`, headers: { ...orgHeaders, 'if-match': `"${workshop.id}.1"` }, payload: { capacity: 10 + n } })))
  t.same(answers.map((a) => a.statusCode).sort(), [200, 412, 412, 412], 'one write per version')

  const stored = await fingerprint(first.db)
  t.equal(await fingerprint(second.db), stored, 'both instances see the same database')
})

t.test('an instance opened on an existing database sees what the other wrote', { skip: !TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const { app, url } = await buildTestApp(t)
  const workshop = await createWorkshop(app)
  const database = await openDatabase({ url, max: 2 })
  const other = await buildApp({ config: testConfig({ DATABASE_URL: url! }), database })
  t.teardown(async () => { await other.close(); await database.close() })
  t.equal(json(await other.inject({ url: `/v1/workshops/${workshop.id}`, headers: orgHeaders })).id, workshop.id)
})
