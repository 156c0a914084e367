import { createHash } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { notFound, ProblemError } from '../../errors.ts'
import { chooseLanguage, pick, type Language } from '../../lib/localized.ts'
import { hashToken } from '../../lib/tokens.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { calendarRepository, type FeedSelection, type FeedState, type SessionKind } from './calendar.repository.ts'
import { eventRenderer, RENDER_VERSION, renderCalendar } from './calendar.render.ts'

/** What the caller asked for, and how they identify what they already have. */
export interface FeedRequest {
  lang?: string
  acceptLanguage?: string
  ifNoneMatch?: string
  ifModifiedSince?: string
  principal: Principal | null
}

/** A feed's answer: unchanged (304) or its text, always with its validators. */
export interface FeedAnswer {
  etag: string
  lastModified: string
  notModified: boolean
  body?: string
}

const PERSONAL_NAME: Record<Language, string> = { en: ' (my sessions)', ar: ' (جلساتي)' }

export const gone = () => new ProblemError(410, 'gone', 'Gone', 'This calendar has ended: its registration was cancelled')

/** RFC 9110 13.1.2: If-None-Match compares weakly; `*` matches any current representation. */
export function matchesIfNoneMatch (header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  const strip = (tag: string) => tag.trim().replace(/^W\//, '')
  return header.split(',').some((tag) => strip(tag) === strip(etag))
}

/** RFC 9110 13.1.3: not modified when Last-Modified is no later than the date sent; a date that does not parse is ignored. */
export function notModifiedSince (header: string, lastModifiedSeconds: number): boolean {
  const since = Date.parse(header)
  return !Number.isNaN(since) && lastModifiedSeconds * 1000 <= since
}

export function calendarService (db: Db, config: Config, options: { cacheSize?: number } = {}) {
  const repo = calendarRepository(db)
  const events = eventRenderer({ max: options.cacheSize })

  /**
   * Validators from the database state and the request's language, then (when the client's copy is
   * stale) the sessions and the text. A 304 costs the one state query and no rendering.
   */
  async function answer (state: FeedState, selection: FeedSelection, request: FeedRequest, extra: { name: string, validatorParts: string[], lastModified: number }): Promise<FeedAnswer> {
    const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
    const parts = [RENDER_VERSION, config.PUBLIC_URL, lang, JSON.stringify(state.title), state.timezone, state.defaultLanguage, state.status, state.digest, ...extra.validatorParts]
    const etag = `"${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32)}"`
    const seconds = Math.floor(Math.max(extra.lastModified, state.workshopUpdatedAt.getTime() / 1000, Number(state.digest.split(' ')[2])))
    const lastModified = new Date(seconds * 1000).toUTCString()
    const notModified = request.ifNoneMatch !== undefined
      ? matchesIfNoneMatch(request.ifNoneMatch, etag)
      : request.ifModifiedSince !== undefined && notModifiedSince(request.ifModifiedSince, seconds)
    if (notModified) return { etag, lastModified, notModified }
    const meta = {
      name: extra.name,
      zone: state.timezone,
      lang,
      url: `${config.PUBLIC_URL}/v1/workshops/${state.workshopId}`,
      publicUrl: config.PUBLIC_URL,
      workshopCancelled: state.status === 'cancelled',
    }
    const rows = await repo.sessions(selection)
    const body = renderCalendar(meta, rows.map((session) => events.render(session, meta)))
    return { etag, lastModified, notModified, body }
  }

  const workshopName = (state: FeedState, lang: Language) => pick(state.title, lang)
  const visible = (state: FeedState | undefined, principal: Principal | null): state is FeedState =>
    state !== undefined && (state.status !== 'draft' || principal !== null)

  return {
    events,

    async workshopFeed (workshopId: string, filter: { room?: string, kind?: SessionKind }, request: FeedRequest): Promise<FeedAnswer> {
      const selection = { of: 'workshop' as const, workshopId, roomId: filter.room, kind: filter.kind }
      const state = await repo.feedState(selection)
      if (!visible(state, request.principal)) throw notFound('Workshop')
      const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
      return answer(state, selection, request, {
        name: workshopName(state, lang),
        validatorParts: ['workshop', filter.room ?? '', filter.kind ?? ''],
        lastModified: 0,
      })
    },

    async sessionFeed (workshopId: string, sessionId: string, request: FeedRequest): Promise<FeedAnswer> {
      const selection = { of: 'session' as const, workshopId, sessionId }
      const state = await repo.feedState(selection)
      if (!visible(state, request.principal)) throw notFound('Workshop')
      if (state.digest.startsWith('0 ')) throw notFound('Session')
      const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
      return answer(state, selection, request, { name: workshopName(state, lang), validatorParts: ['session', sessionId], lastModified: 0 })
    },

    /** The participant's own feed: found by the hash of its secret token, ended with the registration. */
    async personalFeed (feedToken: string, request: FeedRequest): Promise<FeedAnswer> {
      const state = await repo.personalFeedState(hashToken(feedToken))
      if (!state || state.status === 'draft') throw notFound('Calendar')
      if (state.erasedAt !== null || state.registrationStatus === 'cancelled' || state.registrationStatus === 'rejected') throw gone()
      const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
      const selection = { of: 'registration' as const, registrationId: state.registrationId, workshopId: state.workshopId }
      return answer(state, selection, request, {
        name: workshopName(state, lang) + PERSONAL_NAME[lang],
        validatorParts: ['registration', state.registrationId, state.registrationStatus],
        lastModified: state.registrationUpdatedAt.getTime() / 1000,
      })
    },
  }
}
