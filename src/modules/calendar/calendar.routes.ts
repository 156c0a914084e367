import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App, ModuleOptions } from '../../lib/module.ts'
import { problems } from '../../lib/schemas.ts'
import { sendRendered } from '../../lib/http.ts'
import {
  CalendarHeaders, CalendarQuery, CalendarSessionParams, CalendarText, CalendarWorkshopParams, NotModified, PersonalCalendarParams, WorkshopCalendarQuery,
} from './calendar.schemas.ts'
import { calendarService, type FeedAnswer, type FeedRequest } from './calendar.service.ts'

const tags = ['calendars']

function feedRequest (request: FastifyRequest<{ Querystring: { lang?: string } }>): FeedRequest {
  const header = (name: string) => request.headers[name] as string | undefined
  return {
    lang: request.query.lang,
    acceptLanguage: header('accept-language'),
    ifNoneMatch: header('if-none-match'),
    ifModifiedSince: header('if-modified-since'),
    principal: request.principal,
  }
}

const CALENDAR_TYPE = 'text/calendar; charset=utf-8'

/**
 * How each kind of feed is answered. Clients revalidate each time (a 304 is cheap), so a change shows
 * on their next refresh. A public feed's URL already ends in `calendar.ics` (the name a browser saves
 * it under); a personal feed's ends in its secret token, so its answer names the file instead.
 */
interface FeedKind { cacheControl: string, robots: string | undefined, disposition: string | undefined }
const PUBLIC_FEED: FeedKind = { cacheControl: 'public, no-cache', robots: undefined, disposition: undefined }
const PERSONAL_FEED: FeedKind = { cacheControl: 'private, no-cache', robots: 'noindex', disposition: 'inline; filename="my-sessions.ics"' }

function send (reply: FastifyReply, request: FastifyRequest, answer: FeedAnswer, feed: FeedKind) {
  reply.header('cache-control', feed.cacheControl)
  if (feed.robots !== undefined) reply.header('x-robots-tag', feed.robots)
  if (!answer.notModified) {
    // A 304 leaves out Last-Modified (RFC 9110 15.4.5: it has an ETag; the client keeps its copy's date).
    reply.header('last-modified', answer.lastModified)
    if (feed.disposition !== undefined) reply.header('content-disposition', feed.disposition)
  }
  const { rendered } = answer
  if (rendered) {
    // A cached representation: its ETag and Vary follow the coding this client gets.
    return sendRendered(reply, rendered, {
      type: CALENDAR_TYPE, vary: 'Accept-Language, Accept-Encoding', acceptEncoding: request.headers['accept-encoding'], notModified: answer.notModified,
    })
  }
  reply.header('etag', answer.etag).header('vary', 'Accept-Language')
  if (answer.notModified) return reply.code(304).send()
  return reply.type(CALENDAR_TYPE).send(answer.body)
}

export async function calendarRoutes (app: App, { db, config }: ModuleOptions) {
  const service = calendarService(db, config)

  app.get('/v1/workshops/:workshopId/calendar.ics', {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getWorkshopCalendar', tags,
      summary: 'The workshop\'s timetable as an iCalendar feed to subscribe to (https or webcal)',
      params: CalendarWorkshopParams, querystring: WorkshopCalendarQuery, headers: CalendarHeaders,
      response: { 200: CalendarText, 304: NotModified, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const answer = await service.workshopFeed(request.params.workshopId, { room: request.query.room, kind: request.query.kind }, feedRequest(request))
    return send(reply, request, answer, PUBLIC_FEED)
  })

  app.get('/v1/workshops/:workshopId/sessions/:sessionId/calendar.ics', {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getSessionCalendar', tags, summary: 'One session as an iCalendar file (to add to a calendar)',
      params: CalendarSessionParams, querystring: CalendarQuery, headers: CalendarHeaders,
      response: { 200: CalendarText, 304: NotModified, ...problems(400, 401, 404) },
    },
  }, async (request, reply) => {
    const answer = await service.sessionFeed(request.params.workshopId, request.params.sessionId, feedRequest(request))
    return send(reply, request, answer, PUBLIC_FEED)
  })

  app.get('/v1/calendars/:feedToken.ics', {
    schema: {
      operationId: 'getPersonalCalendar', tags,
      summary: 'A participant\'s own feed: plenary and keynote sessions and the sessions they chose',
      params: PersonalCalendarParams, querystring: CalendarQuery, headers: CalendarHeaders,
      response: { 200: CalendarText, 304: NotModified, ...problems(400, 404, 410) },
    },
  }, async (request, reply) => {
    const answer = await service.personalFeed(request.params.feedToken, feedRequest(request))
    return send(reply, request, answer, PERSONAL_FEED)
  })
}
