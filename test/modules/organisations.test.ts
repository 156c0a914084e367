import t from 'tap'
import { admin, assertProblem, buildTestApp, createOrganisation, json, orgHeaders } from '../helpers.ts'
import { organisationsService } from '../../src/modules/organisations/organisations.service.ts'
import type { Db } from '../../src/db/client.ts'
import { tokensService } from '../../src/modules/tokens/tokens.service.ts'

t.test('organisations', async (t) => {
  const { app, db } = await buildTestApp(t)

  const created = await app.inject({
    method: 'POST', url: '/v1/organisations', headers: orgHeaders,
    payload: { name: { en: 'United Nations Development Programme', ar: 'برنامج الأمم المتحدة الإنمائي' }, acronym: 'UNDP', sector: 'un_agency', country: 'IQ', website: 'https://www.undp.org/iraq' },
  })
  t.equal(created.statusCode, 201)
  const undp = json(created)
  t.match(undp, { acronym: 'UNDP', sector: 'un_agency', country: 'IQ', website: 'https://www.undp.org/iraq', name: { ar: 'برنامج الأمم المتحدة الإنمائي' } })
  t.equal(created.headers.location, `/v1/organisations/${undp.id}`)

  await t.test('read, with an ETag', async (t) => {
    const res = await app.inject(`/v1/organisations/${undp.id}`)
    t.equal(res.statusCode, 200)
    t.same(json(res), undp)
    t.equal(res.headers.etag, `"${undp.id}.1"`)
    assertProblem(t, await app.inject('/v1/organisations/00000000-0000-4000-8000-000000000000'), 404)
    assertProblem(t, await app.inject('/v1/organisations/not-a-uuid'), 400, 'params.organisationId')
  })

  await t.test('names are unique, ignoring case and spacing', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { en: '  united nations   development programme ' }, sector: 'un_agency' } })
    const body = assertProblem(t, res, 409)
    t.equal(body.organisation_id, undp.id)
  })

  await t.test('bad input names the field', async (t) => {
    const cases: Array<[unknown, string]> = [
      [{ sector: 'government' }, 'name'],
      [{ name: {}, sector: 'government' }, 'name'],
      [{ name: { en: '' }, sector: 'government' }, 'name.en'],
      [{ name: { en: '   ' }, sector: 'government' }, 'name.en'],
      [{ name: { fr: 'Bonjour' }, sector: 'government' }, 'name.fr'],
      [{ name: { en: 'X' }, sector: 'government', figures: 1 }, 'figures'],
      [{ name: { en: 'X' }, sector: 'church' }, 'sector'],
      [{ name: { en: 'X' }, sector: 'government', country: 'Iraq' }, 'country'],
      [{ name: { en: 'X' }, sector: 'government', website: 'javascript:alert(1)' }, 'website'],
      [{ name: { en: 123 }, sector: 'government' }, 'name.en'],
      [{ name: 'X', sector: 'government' }, 'name'],
    ]
    for (const [payload, field] of cases) {
      assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: payload as object }), 400, field)
    }
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: [] as unknown as object }), 400)
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: '{"name": {"en": "X"}, "sector": "government", "__proto__": {"admin": true}}' }), 400)
  })

  await t.test('update: partial, with If-Match', async (t) => {
    const res = await app.inject({ method: 'PATCH', url: `/v1/organisations/${undp.id}`, headers: { ...orgHeaders, 'if-match': `"${undp.id}.1"` }, payload: { country: null, website: null } })
    t.equal(res.statusCode, 200)
    t.match(json(res), { country: null, website: null, acronym: 'UNDP' })
    t.equal(res.headers.etag, `"${undp.id}.2"`)
    assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organisations/${undp.id}`, headers: { ...orgHeaders, 'if-match': `"${undp.id}.1"` }, payload: { acronym: 'X' } }), 412)
    const renamed = await app.inject({ method: 'PATCH', url: `/v1/organisations/${undp.id}`, headers: orgHeaders, payload: { name: { en: 'UNDP Iraq' } } })
    t.same(json(renamed).name, { en: 'UNDP Iraq' })
    const other = await createOrganisation(app, { name: { en: 'GCERF' }, sector: 'donor' })
    assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organisations/${other.id}`, headers: orgHeaders, payload: { name: { en: 'undp iraq' } } }), 409)
    t.equal((await app.inject({ method: 'PATCH', url: `/v1/organisations/${other.id}`, headers: orgHeaders, payload: { name: { en: 'GCERF', ar: 'الصندوق العالمي' } } })).statusCode, 200, 'renaming to its own name is fine')
    assertProblem(t, await app.inject({ method: 'PATCH', url: '/v1/organisations/00000000-0000-4000-8000-000000000000', headers: orgHeaders, payload: { acronym: 'X' } }), 404)
  })

  await t.test('list: filters and pages', async (t) => {
    for (const [en, sector] of [['Ministry of Migration and Displaced', 'government'], ['University of Baghdad', 'academia'], ['Iraqi Al-Amal Association', 'civil_society']]) {
      await createOrganisation(app, { name: { en }, sector })
    }
    const all = json(await app.inject('/v1/organisations'))
    t.same(all.items.map((o: any) => o.name.en), ['GCERF', 'Iraqi Al-Amal Association', 'Ministry of Migration and Displaced', 'UNDP Iraq', 'University of Baghdad'], 'by name')
    t.equal(all.next_cursor, null)
    t.same(json(await app.inject('/v1/organisations?sector=academia')).items.map((o: any) => o.name.en), ['University of Baghdad'])
    t.same(json(await app.inject('/v1/organisations?q=bagh')).items.map((o: any) => o.name.en), ['University of Baghdad'])
    t.same(json(await app.inject(`/v1/organisations?q=${encodeURIComponent('العالمي')}`)).items.map((o: any) => o.name.en), ['GCERF'], 'finds Arabic names')
    t.same(json(await app.inject('/v1/organisations?q=undp')).items.length, 1, 'finds acronyms')
    t.same(json(await app.inject('/v1/organisations?q=100%25')).items, [], 'LIKE wildcards are literal')
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: any = json(await app.inject(`/v1/organisations?limit=2${cursor ? `&cursor=${cursor}` : ''}`))
      t.ok(page.items.length <= 2)
      seen.push(...page.items.map((o: any) => o.name.en))
      cursor = page.next_cursor
    } while (cursor)
    t.same(seen, all.items.map((o: any) => o.name.en), 'pages walk the whole list once')
    assertProblem(t, await app.inject('/v1/organisations?limit=0'), 400, 'query.limit')
    assertProblem(t, await app.inject('/v1/organisations?limit=501'), 400, 'query.limit')
    assertProblem(t, await app.inject('/v1/organisations?limit=ten'), 400, 'query.limit')
    assertProblem(t, await app.inject('/v1/organisations?sector=x'), 400, 'query.sector')
    assertProblem(t, await app.inject('/v1/organisations?cursor=garbage'), 400, 'query.cursor')
  })

  await t.test('Arabic-only names', async (t) => {
    const arabic = await createOrganisation(app, { name: { ar: 'وزارة الهجرة' }, sector: 'government' })
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: orgHeaders, payload: { name: { ar: ' وزارة  الهجرة' }, sector: 'government' } }), 409)
    t.equal(json(await app.inject(`/v1/organisations?q=${encodeURIComponent('الهجرة')}`)).items[0].id, arabic.id, 'Arabic-only names are matched by their Arabic')
    await app.inject({ method: 'PATCH', url: `/v1/organisations/${arabic.id}`, headers: orgHeaders, payload: { name: { ar: 'وزارة الهجرة', en: 'Ministry of Migration' } } })
  })

  await t.test('Idempotency-Key: a retried create returns the first answer', async (t) => {
    const send = (payload: object, key = 'org-key-1') => app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...orgHeaders, 'idempotency-key': key }, payload })
    const first = await send({ name: { en: 'Office of the National Security Advisor' }, sector: 'government' })
    t.equal(first.statusCode, 201)
    const again = await send({ name: { en: 'Office of the National Security Advisor' }, sector: 'government' })
    t.equal(again.statusCode, 201)
    t.same(json(again), json(first))
    t.equal(again.headers['idempotent-replayed'], 'true')
    assertProblem(t, await send({ name: { en: 'Something else' }, sector: 'government' }), 422)
    assertProblem(t, await send({ name: { en: 'Other' }, sector: 'government' }, 'bad key with spaces'), 400, 'header.idempotency-key')
    const twoKeys = await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...orgHeaders, 'idempotency-key': ['a', 'b'] }, payload: { name: { en: 'Twice' }, sector: 'media' } })
    assertProblem(t, twoKeys, 400, 'header.idempotency-key')
    const count = json(await app.inject('/v1/organisations?q=security')).items.length
    t.equal(count, 1, 'created once')
    const team = await tokensService(db).create('team', 'organiser')
    const byTeam = await app.inject({ method: 'POST', url: '/v1/organisations', headers: { ...orgHeaders, authorization: `Bearer ${team.token}`, 'idempotency-key': 'org-key-1' }, payload: { name: { en: 'Team org' }, sector: 'media' } })
    t.equal(byTeam.statusCode, 201, 'keys are scoped to the caller: another token may use the same key')
    t.equal(json(byTeam).name.en, 'Team org')
  })

  await t.test('participants name organisations: matched by either name or acronym, else created once', async (t) => {
    const service = organisationsService(db)
    const inTx = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db))
    t.equal((await inTx((tx) => service.matchOrCreate(tx, { name: ' undp ', sector: 'other' }))).id, undp.id, 'by acronym')
    t.equal((await inTx((tx) => service.matchOrCreate(tx, { name: 'GCERF', sector: 'other' }))).sector, 'donor', 'by name, keeping its sector')
    t.equal((await inTx((tx) => service.matchOrCreate(tx, { name: 'الصندوق العالمي', sector: 'other' }))).name.en, 'GCERF', 'by Arabic name')
    const created = await inTx((tx) => service.matchOrCreate(tx, { name: 'جامعة الموصل', sector: 'academia' }))
    t.same(created.name, { ar: 'جامعة الموصل' }, 'a new Arabic name is kept as Arabic')
    const english = await inTx((tx) => service.matchOrCreate(tx, { name: 'Mosul Youth Network', sector: 'civil_society' }))
    t.same(english.name, { en: 'Mosul Youth Network' })
    const racing = await Promise.all([1, 2, 3].map(() => inTx((tx) => service.matchOrCreate(tx, { name: 'Basra Council', sector: 'government' }))))
    t.equal(new Set(racing.map((o) => o.id)).size, 1, 'racing creates make one organisation')
  })

  await t.test('writes need an organiser token, checked before the body', async (t) => {
    assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organisations', headers: { 'content-type': 'application/json' }, payload: '{broken' }), 401)
    assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organisations/${undp.id}`, headers: { authorization: 'Bearer nope', 'content-type': 'text/plain' }, payload: 'x' }), 401)
    t.equal((await app.inject({ method: 'GET', url: '/v1/organisations', headers: admin })).statusCode, 200)
  })
})
