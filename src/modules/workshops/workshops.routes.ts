import { Type } from 'typebox'
import type { FastifyReply } from 'fastify'
import type { App, ModuleOptions } from '../../lib/module.ts'
import { idempotencyScope } from '../../lib/module.ts'
import { IdempotencyHeaders, IfMatchHeaders, problems } from '../../lib/schemas.ts'
import { etagOf, requiredVersion } from '../../lib/http.ts'
import { idempotencyKeyOf, idempotent } from '../../lib/idempotency.ts'
import {
  CreateWorkshop, ListWorkshopsQuery, Partner, PartnerParams, SetPartner, UpdateWorkshop, Workshop, WorkshopPage, WorkshopParams,
} from './workshops.schemas.ts'
import { workshopsService } from './workshops.service.ts'
import type { WorkshopRow } from './workshops.repository.ts'

const tags = ['workshops']

export async function workshopsRoutes (app: App, { db, config }: ModuleOptions) {
  const service = workshopsService(db, config)
  const withEtag = (reply: FastifyReply, row: WorkshopRow) => reply.header('etag', etagOf(row.id, row.version))

  app.post('/v1/workshops', {
    config: { auth: 'org' },
    schema: {
      operationId: 'createWorkshop', tags, summary: 'Create a workshop (as a draft)',
      headers: IdempotencyHeaders,
      body: CreateWorkshop,
      response: { 201: Workshop, ...problems(400, 401, 409, 422) },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    const answer = await idempotent(db, key, idempotencyScope('createWorkshop', request.principal), request.body, async (tx) => {
      const { row, view } = await service.create(request.body, tx)
      return { status: 201, body: { view, etag: etagOf(row.id, row.version) } }
    })
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).header('location', `/v1/workshops/${answer.body.view.id}`)
      .header('etag', answer.body.etag).send(answer.body.view)
  })

  app.get('/v1/workshops', {
    config: { auth: 'optional' },
    schema: {
      operationId: 'listWorkshops', tags, summary: 'List workshops by start date (drafts only for organisers)',
      querystring: ListWorkshopsQuery,
      response: { 200: WorkshopPage, ...problems(400, 401) },
    },
  }, async (request) => service.list(request.query, request.principal))

  app.get('/v1/workshops/:workshopId', {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getWorkshop', tags, summary: 'Read a workshop (a draft only with an organiser token)',
      params: WorkshopParams,
      response: { 200: Workshop, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const row = await service.visible(request.params.workshopId, request.principal)
    return withEtag(reply, row).send(await service.view(row))
  })

  app.patch('/v1/workshops/:workshopId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'updateWorkshop', tags, summary: 'Change a workshop',
      params: WorkshopParams, headers: IfMatchHeaders, body: UpdateWorkshop,
      response: { 200: Workshop, ...problems(400, 401, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    const { row, view } = await service.update(workshopId, request.body, requiredVersion(request.headers['if-match'], workshopId))
    return withEtag(reply, row).send(view)
  })

  for (const [action, operationId, summary] of [
    ['publish', 'publishWorkshop', 'Publish a workshop: the public can see it and register'],
    ['cancel', 'cancelWorkshop', 'Cancel a workshop: it stays visible, marked cancelled'],
  ] as const) {
    app.post(`/v1/workshops/:workshopId/${action}`, {
      config: { auth: 'org' },
      schema: {
        operationId, tags, summary,
        params: WorkshopParams, headers: IfMatchHeaders,
        response: { 200: Workshop, ...problems(400, 401, 404, 409, 412) },
      },
    }, async (request, reply) => {
      const { workshopId } = request.params
      const { row, view } = await service[action](workshopId, requiredVersion(request.headers['if-match'], workshopId))
      return withEtag(reply, row).send(view)
    })
  }

  app.put('/v1/workshops/:workshopId/partners/:organisationId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'setWorkshopPartner', tags, summary: 'Make an organisation a partner of the workshop, or change its role',
      params: PartnerParams, headers: IfMatchHeaders, body: SetPartner,
      response: { 200: Partner, 201: Partner, ...problems(400, 401, 404, 412) },
    },
  }, async (request, reply) => {
    const { workshopId, organisationId } = request.params
    const { row, partner, created } = await service.setPartner(workshopId, organisationId, request.body.role, requiredVersion(request.headers['if-match'], workshopId))
    return withEtag(reply, row).code(created ? 201 : 200).send(partner)
  })

  app.delete('/v1/workshops/:workshopId/partners/:organisationId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'removeWorkshopPartner', tags, summary: 'Remove a partner from the workshop',
      params: PartnerParams, headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Removed' }), ...problems(400, 401, 404, 412) },
    },
  }, async (request, reply) => {
    const { workshopId, organisationId } = request.params
    const { row } = await service.removePartner(workshopId, organisationId, requiredVersion(request.headers['if-match'], workshopId))
    return withEtag(reply, row).code(204).send()
  })
}
