import { Type } from 'typebox'
import type { FastifyRequest } from 'fastify'
import type { App, ModuleOptions } from '../../lib/module.ts'
import { tooManyRequests } from '../../plugins/limits.ts'
import { idempotencyScope } from '../../lib/module.ts'
import { IdempotencyHeaders, problems } from '../../lib/schemas.ts'
import { idempotencyKeyOf, idempotent } from '../../lib/idempotency.ts'
import {
  CheckIn, CreateRegistration, ListRegistrationsQuery, ManageHeaders, Registration, RegistrationCreated, RegistrationPage,
  RegistrationParams, UpdateMyRegistration, UpdateRegistration, WorkshopRegistrationsParams,
} from './registrations.schemas.ts'
import { registrationsService, type ManagedRegistration } from './registrations.service.ts'

const tags = ['registrations']
const manageSecurity = [{ manageToken: [] }]

export async function registrationsRoutes (app: App, { db, config }: ModuleOptions) {
  const service = registrationsService(db, config)

  app.post('/v1/workshops/:workshopId/registrations', {
    config: { auth: 'optional', limit: 'public-write' },
    schema: {
      operationId: 'createRegistration', tags,
      summary: 'Register for a workshop (public while registration is open; organisers at any time)',
      description: 'Confirmed when there is room, waitlisted when the workshop or a chosen session is full, pending when the workshop requires approval. ' +
        'The answer carries the manage token and the personal calendar address: they are shown only here.',
      params: WorkshopRegistrationsParams, headers: IdempotencyHeaders, body: CreateRegistration,
      response: { 201: RegistrationCreated, ...problems(400, 401, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    // Without an Idempotency-Key there is no answer to store with the registration: no transaction of ours (see service.create).
    const answer = key === undefined
      ? { status: 201, body: await service.create(workshopId, request.body, request.principal), replayed: false }
      : await idempotent(db, key, idempotencyScope('createRegistration', request.principal, workshopId), request.body, async (tx) => ({
        status: 201, body: await service.create(workshopId, request.body, request.principal, tx),
      }))
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).header('location', `/v1/workshops/${workshopId}/registrations/${answer.body.registration.id}`)
      .header('cache-control', 'no-store').send(answer.body)
  })

  app.get('/v1/workshops/:workshopId/registrations', {
    config: { auth: 'org' },
    schema: {
      operationId: 'listRegistrations', tags,
      summary: 'List registrations (JSON pages, or every match as CSV with Accept: text/csv)',
      params: WorkshopRegistrationsParams, querystring: ListRegistrationsQuery,
      response: {
        200: {
          description: 'A page of registrations, or (Accept: text/csv) all of them as UTF-8 CSV with a byte order mark',
          content: {
            'application/json': { schema: RegistrationPage },
            'text/csv': { schema: Type.String({ description: 'CSV: a header row, then one row per registration' }) },
          },
        },
        ...problems(400, 401, 404),
      },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    if (/\btext\/csv\b/i.test(request.headers.accept ?? '')) {
      const { csv, slug } = await service.csv(workshopId, request.query)
      return reply.type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${slug}-registrations.csv"`)
        .send(csv)
    }
    return reply.type('application/json; charset=utf-8').send(await service.list(workshopId, request.query))
  })

  app.get('/v1/workshops/:workshopId/registrations/:registrationId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'getRegistration', tags, summary: 'Read a registration',
      params: RegistrationParams,
      response: { 200: Registration, ...problems(400, 401, 404) },
    },
  }, async (request) => service.get(request.params.workshopId, request.params.registrationId))

  app.patch('/v1/workshops/:workshopId/registrations/:registrationId', {
    config: { auth: 'org' },
    schema: {
      operationId: 'updateRegistration', tags,
      summary: 'Approve, reject or cancel a registration, or correct the person\'s details',
      description: '`{"status": "confirmed"}` approves (or reinstates): confirmed when there is room, otherwise waitlisted. ' +
        'Rejecting or cancelling frees the place, and the first on the waitlist who fits is confirmed.',
      params: RegistrationParams, body: UpdateRegistration,
      response: { 200: Registration, ...problems(400, 401, 404, 409) },
    },
  }, async (request) => service.update(request.params.workshopId, request.params.registrationId, request.body))

  app.post('/v1/workshops/:workshopId/registrations/:registrationId/check-in', {
    config: { auth: 'org' },
    // The body is optional (an empty POST checks in today): validate it as {}.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      operationId: 'checkInRegistration', tags,
      summary: 'Check a confirmed registration in on a day of the workshop (default: today there)',
      params: RegistrationParams, body: CheckIn,
      response: { 200: Registration, ...problems(400, 401, 404, 409) },
    },
  }, async (request) => service.checkIn(request.params.workshopId, request.params.registrationId, request.body.day))

  app.post('/v1/workshops/:workshopId/registrations/:registrationId/erase', {
    config: { auth: 'org' },
    schema: {
      operationId: 'eraseRegistration', tags,
      summary: 'Erase the person\'s personal data (after the workshop, or once cancelled or rejected); the counts stay',
      params: RegistrationParams,
      response: { 200: Registration, ...problems(400, 401, 404, 409) },
    },
  }, async (request) => service.erase(request.params.workshopId, request.params.registrationId))

  // Self-service: the manage token is checked before the body is read, like an organiser token.
  const mine = new WeakMap<FastifyRequest, ManagedRegistration>()
  // The manage token is checked before the body is read; refusals count as failed logins of the address.
  const onRequest = async (request: FastifyRequest) => {
    const wait = app.loginFailures.blockedFor(request.ip)
    if (wait > 0) throw tooManyRequests('failed logins', wait)
    try {
      mine.set(request, await service.authenticate(request.headers.authorization))
    } catch (error) {
      app.loginFailures.record(request.ip)
      throw error
    }
  }

  app.get('/v1/registration', {
    onRequest,
    schema: {
      operationId: 'getMyRegistration', tags, summary: 'Read my registration (with the manage token)',
      security: manageSecurity, headers: ManageHeaders,
      response: { 200: Registration, ...problems(401) },
    },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await service.getMine(mine.get(request)!)))

  app.patch('/v1/registration', {
    onRequest,
    config: { limit: 'public-write' },
    schema: {
      operationId: 'updateMyRegistration', tags,
      summary: 'Change my details or session choices (with the manage token); a choice that does not fit changes nothing',
      security: manageSecurity, headers: ManageHeaders, body: UpdateMyRegistration,
      response: { 200: Registration, ...problems(400, 401, 409) },
    },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await service.updateMine(mine.get(request)!, request.body)))

  app.delete('/v1/registration', {
    onRequest,
    config: { limit: 'public-write' },
    schema: {
      operationId: 'cancelMyRegistration', tags,
      summary: 'Cancel my registration (with the manage token); the place goes to the waitlist',
      security: manageSecurity, headers: ManageHeaders,
      response: { 200: Registration, ...problems(401, 409) },
    },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await service.cancelMine(mine.get(request)!)))
}
