import { Type } from 'typebox'
import type { App, ModuleOptions } from '../../lib/module.ts'
import { problems } from '../../lib/schemas.ts'
import { DOCUMENT_HEADERS } from '../../plugins/security.ts'
import { ListSummariesQuery, PutSummary, Summary, SummaryPage, SummaryPageParams, SummaryPageQuery, SummaryParams } from './summaries.schemas.ts'
import { summariesService, type SummariesOptions } from './summaries.service.ts'

const tags = ['summaries']

export async function summariesRoutes (app: App, { db, config, now }: ModuleOptions & SummariesOptions) {
  const service = summariesService(db, config, { now })

  app.put('/v1/workshops/:workshopId/summary', {
    config: { auth: 'org' },
    schema: {
      operationId: 'putSummary', tags,
      summary: 'Write or correct the summary of a workshop (a full replace of its editable fields; figures are never typed in)',
      params: SummaryParams, body: PutSummary,
      response: { 200: Summary, 201: Summary, ...problems(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const { view, created } = await service.put(request.params.workshopId, request.body)
    return reply.code(created ? 201 : 200).send(view)
  })

  app.get('/v1/workshops/:workshopId/summary', {
    config: { auth: 'optional' },
    schema: {
      operationId: 'getSummary', tags, summary: 'Read the summary of a workshop (a draft only with an organiser token)',
      params: SummaryParams,
      response: { 200: Summary, ...problems(400, 401, 404) },
    },
  }, async (request) => service.get(request.params.workshopId, request.principal))

  app.post('/v1/workshops/:workshopId/summary/publish', {
    config: { auth: 'org' },
    schema: {
      operationId: 'publishSummary', tags,
      summary: "Publish the summary once the workshop's last day is over; figures are computed from the data now (again on every publication)",
      params: SummaryParams,
      response: { 200: Summary, ...problems(400, 401, 404, 409) },
    },
  }, async (request) => service.publish(request.params.workshopId))

  app.get('/v1/summaries', {
    schema: {
      operationId: 'listSummaries', tags, summary: 'Published summaries, newest first',
      querystring: ListSummariesQuery,
      response: { 200: SummaryPage, ...problems(400) },
    },
  }, async (request) => service.list(request.query))

  app.get('/v1/summaries/feed.atom', {
    schema: {
      operationId: 'getSummaryFeed', tags, summary: 'Atom 1.0 feed of published summaries, newest first',
      produces: ['application/atom+xml'],
      response: { 200: Type.String({ description: 'An Atom 1.0 document (application/atom+xml)' }) },
    },
  }, async (_request, reply) => reply.type('application/atom+xml; charset=utf-8').send(await service.feed()))

  app.get('/summaries/:slug', {
    schema: {
      operationId: 'getSummaryPage', tags, summary: 'The press-release page of a published summary (HTML; ?lang= or Accept-Language)',
      params: SummaryPageParams, querystring: SummaryPageQuery,
      produces: ['text/html'],
      response: { 200: Type.String({ description: 'A complete HTML page, without any script' }), ...problems(400, 404) },
    },
  }, async (request, reply) => {
    const { lang, html, csp } = await service.page(request.params.slug, request.query.lang, request.headers['accept-language'])
    return reply.type('text/html; charset=utf-8').headers(DOCUMENT_HEADERS)
      .header('content-security-policy', csp)
      .header('content-language', lang)
      .header('vary', 'Accept-Language')
      .send(html)
  })
}
