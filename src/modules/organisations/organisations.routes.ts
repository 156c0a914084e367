import type { App, ModuleOptions } from '../../lib/module.ts'
import { idempotencyScope } from '../../lib/module.ts'
import { IdempotencyHeaders, IfMatchHeaders, problems } from '../../lib/schemas.ts'
import { etagOf, requiredVersion } from '../../lib/http.ts'
import { idempotencyKeyOf, idempotent } from '../../lib/idempotency.ts'
import {
  CreateOrganisation, ListOrganisationsQuery, Organisation, OrganisationPage, OrganisationParams, UpdateOrganisation,
} from './organisations.schemas.ts'
import { organisationView, organisationsService } from './organisations.service.ts'

const tags = ['organisations']

export async function organisationsRoutes (app: App, { db }: ModuleOptions) {
  const service = organisationsService(db)

  app.post('/v1/organisations', {
    config: { auth: 'org' },
    schema: {
      operationId: 'createOrganisation', tags, summary: 'Create an organisation',
      headers: IdempotencyHeaders,
      body: CreateOrganisation,
      response: { 201: Organisation, ...problems(400, 401, 409, 422) },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    const answer = await idempotent(db, key, idempotencyScope('createOrganisation', request.principal), request.body, async (tx) => {
      const row = await service.create(request.body, tx)
      return { status: 201, body: { etag: etagOf(row.id, row.version), ...organisationView(row) } }
    })
    const { etag, ...body } = answer.body
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).header('location', `/v1/organisations/${body.id}`).header('etag', etag).send(body)
  })

  app.get('/v1/organisations', {
    schema: {
      operationId: 'listOrganisations', tags, summary: 'List organisations, by name',
      querystring: ListOrganisationsQuery,
      response: { 200: OrganisationPage, ...problems(400) },
    },
  }, async (request) => service.list(request.query))

  app.get('/v1/organisations/:organisationId', {
    schema: {
      operationId: 'getOrganisation', tags, summary: 'Read an organisation',
      params: OrganisationParams,
      response: { 200: Organisation, ...problems(400, 404) },
    },
  }, async (request, reply) => {
    const row = await service.get(request.params.organisationId)
    return reply.header('etag', etagOf(row.id, row.version)).send(organisationView(row))
  })

  app.patch('/v1/organisations/:organisationId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'updateOrganisation', tags, summary: 'Change an organisation',
      params: OrganisationParams,
      headers: IfMatchHeaders,
      body: UpdateOrganisation,
      response: { 200: Organisation, ...problems(400, 401, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const { organisationId } = request.params
    const row = await service.update(organisationId, request.body, requiredVersion(request.headers['if-match'], organisationId))
    return reply.header('etag', etagOf(row.id, row.version)).send(organisationView(row))
  })
}
