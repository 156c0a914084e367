import type { FastifyReply } from 'fastify'
import type { App, ModuleOptions } from '../../lib/module.ts'
import { idempotencyScope } from '../../lib/module.ts'
import { ConditionalHeaders, IdempotencyHeaders, IfMatchHeaders, NotModified, problems } from '../../lib/schemas.ts'
import { etagOf, requiredVersion, sendRendered } from '../../lib/http.ts'
import { idempotencyKeyOf, idempotent } from '../../lib/idempotency.ts'
import {
  Agenda, CreateRoom, CreateSession, CreateSpeaker, ListQuery, ListSessionsQuery, Room, RoomPage, Session, SessionPage, SessionParams,
  Speaker, SpeakerPage, SpeakerParams, UpdateSession, UpdateSpeaker, WorkshopParams,
} from './timetable.schemas.ts'
import { timetableService } from './timetable.service.ts'
import type { SessionRow } from './timetable.repository.ts'

const tags = ['timetable']

export async function timetableRoutes (app: App, { db, config }: ModuleOptions) {
  const service = timetableService(db, config)
  const withEtag = (reply: FastifyReply, row: SessionRow) => reply.header('etag', etagOf(row.id, row.version))
  const base = '/v1/workshops/:workshopId'

  app.post(`${base}/rooms`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'createRoom', tags, summary: 'Add a room to the workshop',
      params: WorkshopParams, headers: IdempotencyHeaders, body: CreateRoom,
      response: { 201: Room, ...problems(400, 401, 404, 422) },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    const answer = await idempotent(db, key, idempotencyScope('createRoom', request.principal, workshopId), request.body, async (tx) =>
      ({ status: 201, body: await service.createRoom(workshopId, request.body, tx) }))
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(answer.body)
  })

  app.get(`${base}/rooms`, {
    config: { auth: 'optional' },
    schema: {
      operationId: 'listRooms', tags, summary: 'List the rooms of a workshop',
      params: WorkshopParams, querystring: ListQuery,
      response: { 200: RoomPage, ...problems(400, 401, 404) },
    },
  }, async (request) => service.listRooms(request.params.workshopId, request.principal, request.query))

  app.post(`${base}/speakers`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'createSpeaker', tags, summary: 'Add a speaker to the workshop',
      params: WorkshopParams, headers: IdempotencyHeaders, body: CreateSpeaker,
      response: { 201: Speaker, ...problems(400, 401, 404, 422) },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    const answer = await idempotent(db, key, idempotencyScope('createSpeaker', request.principal, workshopId), request.body, async (tx) =>
      ({ status: 201, body: await service.createSpeaker(workshopId, request.body, tx) }))
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(answer.body)
  })

  app.get(`${base}/speakers`, {
    config: { auth: 'optional' },
    schema: {
      operationId: 'listSpeakers', tags, summary: 'List the speakers of a workshop (e-mail addresses only for organisers)',
      params: WorkshopParams, querystring: ListQuery,
      response: { 200: SpeakerPage, ...problems(400, 401, 404) },
    },
  }, async (request) => service.listSpeakers(request.params.workshopId, request.principal, request.query))

  app.patch(`${base}/speakers/:speakerId`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'updateSpeaker', tags, summary: 'Change a speaker',
      params: SpeakerParams, body: UpdateSpeaker,
      response: { 200: Speaker, ...problems(400, 401, 404) },
    },
  }, async (request) => service.updateSpeaker(request.params.workshopId, request.params.speakerId, request.body))

  app.post(`${base}/sessions`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'createSession', tags, summary: 'Add a session: inside the workshop\'s days, not overlapping another in its room or of its speakers',
      params: WorkshopParams, headers: IdempotencyHeaders, body: CreateSession,
      response: { 201: Session, ...problems(400, 401, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { workshopId } = request.params
    const key = idempotencyKeyOf(request.headers['idempotency-key'])
    const answer = await service.guarded((attempt) =>
      idempotent(db, key, idempotencyScope('createSession', request.principal, workshopId), request.body, async (tx) => {
        const { row, view } = await service.createSession(workshopId, request.body, tx, attempt)
        return { status: 201, body: { view, etag: etagOf(row.id, row.version) } }
      }))
    if (answer.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).header('location', `/v1/workshops/${workshopId}/sessions/${answer.body.view.id}`)
      .header('etag', answer.body.etag).send(answer.body.view)
  })

  app.get(`${base}/sessions`, {
    config: { auth: 'optional' },
    schema: {
      operationId: 'listSessions', tags, summary: 'List sessions by start, by local day and room (cancelled ones too, marked)',
      params: WorkshopParams, querystring: ListSessionsQuery,
      response: { 200: SessionPage, ...problems(400, 401, 404) },
    },
  }, async (request) => service.listSessions(request.params.workshopId, request.principal, request.query))

  app.get(`${base}/sessions/:sessionId`, {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getSession', tags, summary: 'Read a session',
      params: SessionParams,
      response: { 200: Session, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const { row, view } = await service.getSession(request.params.workshopId, request.params.sessionId, request.principal)
    return withEtag(reply, row).send(view)
  })

  app.patch(`${base}/sessions/:sessionId`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'updateSession', tags, summary: 'Change a session; time, room, title raise its sequence',
      params: SessionParams, headers: IfMatchHeaders, body: UpdateSession,
      response: { 200: Session, ...problems(400, 401, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const { workshopId, sessionId } = request.params
    const { row, view } = await service.updateSession(workshopId, sessionId, request.body, requiredVersion(request.headers['if-match'], sessionId))
    return withEtag(reply, row).send(view)
  })

  app.post(`${base}/sessions/:sessionId/cancel`, {
    config: { auth: 'org' },
    schema: {
      operationId: 'cancelSession', tags, summary: 'Cancel a session: it stays in the timetable, marked cancelled, and frees its room and speakers',
      params: SessionParams, headers: IfMatchHeaders,
      response: { 200: Session, ...problems(400, 401, 404, 412) },
    },
  }, async (request, reply) => {
    const { workshopId, sessionId } = request.params
    const { row, view } = await service.cancelSession(workshopId, sessionId, requiredVersion(request.headers['if-match'], sessionId))
    return withEtag(reply, row).send(view)
  })

  app.get(`${base}/agenda`, {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getAgenda', tags, summary: "The timetable day by day, in the workshop's local time",
      description: 'Answered with an ETag; a request with a matching If-None-Match gets 304 and no body. Compressed when Accept-Encoding allows: brotli (made once per version, the first time a client that accepts it asks; gzip until it is ready) or gzip.',
      params: WorkshopParams, headers: ConditionalHeaders,
      response: { 200: Agenda, 304: NotModified, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const agenda = await service.agenda(request.params.workshopId, request.principal, (view) => reply.serialize(view) as string)
    return sendRendered(reply.header('cache-control', 'no-cache'), agenda, {
      type: 'application/json; charset=utf-8', vary: 'Accept-Encoding', ifNoneMatch: request.headers['if-none-match'], acceptEncoding: request.headers['accept-encoding'],
    })
  })
}
