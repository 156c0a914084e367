import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { notFound, ProblemError } from '../../errors.ts'
import { chooseLanguage, pick, type Language } from '../../lib/localized.ts'
import { hashToken } from '../../lib/tokens.ts'
import type { Principal } from '../tokens/tokens.service.ts'
import { httpDate, matchesIfNoneMatch, matchesRendered, notModifiedSince } from '../../lib/http.ts'
import { contentHash, RenderCache, represent, type Rendered } from '../../lib/fresh.ts'
import { timetableStates } from '../timetable/timetable.state.ts'
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

/**
 * A feed's answer: unchanged (304) or its text, always with its validators. Every answer has all five
 * fields: one hidden class for V8 (README, Performance: object spread).
 */
export interface FeedAnswer {
  etag: string
  lastModified: string
  notModified: boolean
  /** The text (personal feeds, when changed). */
  body: string | undefined
  /** The cached representation (workshop and session feeds). */
  rendered: Rendered | undefined
}

const PERSONAL_NAME: Record<Language, string> = { en: ' (my sessions)', ar: ' (جلساتي)' }

export const gone = () => new ProblemError(410, 'gone', 'Gone', 'This calendar has ended: its registration was cancelled')

export function calendarService (db: Db, config: Config, options: { cacheSize?: number, feedCacheBytes?: number } = {}) {
  const repo = calendarRepository(db)
  const events = eventRenderer({ max: options.cacheSize })
  const states = timetableStates(db)
  // Rendered workshop and session feeds, kept while their workshop's timetable version stays.
  const feeds = new RenderCache(options.feedCacheBytes ?? 64 * 1024 * 1024)

  function metaOf (state: Omit<FeedState, 'digest'>, lang: Language, name: string) {
    return {
      name,
      zone: state.timezone,
      lang,
      url: `${config.PUBLIC_URL}/v1/workshops/${state.workshopId}`,
      publicUrl: config.PUBLIC_URL,
      workshopCancelled: state.status === 'cancelled',
    }
  }

  /**
   * RFC 9110 13.2.2: If-None-Match decides when sent; If-Modified-Since only without it. (`matches`
   * and its `tag` are passed apart, not as a closure: nothing to allocate per request.)
   */
  function notModified<Tag> (request: FeedRequest, matches: (ifNoneMatch: string, tag: Tag) => boolean, tag: Tag, lastModifiedSeconds: number): boolean {
    return request.ifNoneMatch !== undefined
      ? matches(request.ifNoneMatch, tag)
      : request.ifModifiedSince !== undefined && notModifiedSince(request.ifModifiedSince, lastModifiedSeconds)
  }

  const workshopName = (state: Pick<FeedState, 'title'>, lang: Language) => pick(state.title, lang)
  const visible = <S extends { status: string }>(state: S | undefined, principal: Principal | null): state is S =>
    state !== undefined && (state.status !== 'draft' || principal !== null)

  /**
   * A workshop or session feed: the timetable's version is read from the database for every request
   * (a 304 costs that one read); the text is rendered once per version, language and selection, and
   * its ETag is a hash of its bytes, the same on every instance.
   */
  async function publicFeed (selection: Exclude<FeedSelection, { of: 'registration' }>, request: FeedRequest): Promise<FeedAnswer> {
    const state = await states(selection.workshopId)
    if (!visible(state, request.principal)) throw notFound('Workshop')
    const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
    const key = selection.of === 'workshop'
      ? `workshop|${selection.workshopId}|${selection.roomId ?? ''}|${selection.kind ?? ''}|${lang}`
      : `session|${selection.workshopId}|${selection.sessionId}|${lang}`
    // The closure that renders is made only when no representation of this version is cached.
    const rendered = feeds.cached(key, state.versionKey) ?? await feeds.render(key, state.versionKey, () => renderFeed(selection, lang))
    const unchanged = notModified(request, matchesRendered, rendered, state.lastModifiedSeconds)
    return { etag: rendered.etag, lastModified: state.lastModified, notModified: unchanged, body: undefined, rendered }
  }

  async function renderFeed (selection: Exclude<FeedSelection, { of: 'registration' }>, lang: Language): Promise<Rendered> {
    const workshop = await repo.workshop(selection.workshopId)
    /* c8 ignore next: only when the workshop goes between the two reads (no operation deletes workshops) */
    if (!workshop) throw notFound('Workshop')
    const rows = await repo.sessions(selection)
    if (selection.of === 'session' && rows.length === 0) throw notFound('Session')
    const meta = metaOf(workshop, lang, workshopName(workshop, lang))
    return represent(Buffer.from(renderCalendar(meta, rows.map((session) => events.render(session, meta)))))
  }

  return {
    events,
    feeds,

    // Not async: an async function that returns publicFeed's promise would cost a promise and two more turns of the microtask queue.
    workshopFeed (workshopId: string, filter: { room?: string, kind?: SessionKind }, request: FeedRequest): Promise<FeedAnswer> {
      return publicFeed({ of: 'workshop', workshopId, roomId: filter.room, kind: filter.kind }, request)
    },

    sessionFeed (workshopId: string, sessionId: string, request: FeedRequest): Promise<FeedAnswer> {
      return publicFeed({ of: 'session', workshopId, sessionId }, request)
    },

    /**
     * The participant's own feed: found by the hash of its secret token, ended with the registration.
     * Its validators come from one aggregate over its sessions (it depends on the participant's choices too); not cached.
     */
    async personalFeed (feedToken: string, request: FeedRequest): Promise<FeedAnswer> {
      const state = await repo.personalFeedState(hashToken(feedToken))
      if (!state || state.status === 'draft') throw notFound('Calendar')
      if (state.erasedAt !== null || state.registrationStatus === 'cancelled' || state.registrationStatus === 'rejected') throw gone()
      const lang = chooseLanguage(request.lang, request.acceptLanguage, state.defaultLanguage)
      const parts = [RENDER_VERSION, config.PUBLIC_URL, lang, JSON.stringify(state.title), state.timezone, state.defaultLanguage, state.status, state.digest,
        'registration', state.registrationId, state.registrationStatus]
      const etag = `"${contentHash(parts.join('\n'))}"`
      const seconds = Math.floor(Math.max(state.registrationUpdatedAt.getTime() / 1000, state.workshopUpdatedAt.getTime() / 1000, Number(state.digest.split(' ')[2])))
      const lastModified = httpDate(seconds)
      if (notModified(request, matchesIfNoneMatch, etag, seconds)) return { etag, lastModified, notModified: true, body: undefined, rendered: undefined }
      const meta = metaOf(state, lang, workshopName(state, lang) + PERSONAL_NAME[lang])
      const rows = await repo.sessions({ of: 'registration', registrationId: state.registrationId, workshopId: state.workshopId })
      const body = renderCalendar(meta, rows.map((session) => events.render(session, meta)))
      return { etag, lastModified, notModified: false, body, rendered: undefined }
    },
  }
}
