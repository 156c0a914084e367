import { Type } from 'typebox'
import { LanguageCode, Uuid } from '../../lib/schemas.ts'
import { SESSION_KINDS } from '../timetable/timetable.table.ts'

export const CalendarWorkshopParams = Type.Object({ workshopId: Uuid('Workshop id') })
export const CalendarSessionParams = Type.Object({ workshopId: Uuid('Workshop id'), sessionId: Uuid('Session id') })
export const PersonalCalendarParams = Type.Object({
  feedToken: Type.String({ minLength: 1, maxLength: 200, description: 'The secret feed token of a registration (as in its calendar_url)' }),
})

const lang = Type.Optional({ ...LanguageCode, description: 'Language of titles and descriptions (ar or en); default: Accept-Language, then the workshop\'s default_language' })

export const CalendarQuery = Type.Object({ lang })
export const WorkshopCalendarQuery = Type.Object({
  lang,
  room: Type.Optional(Uuid('Only the sessions in this room')),
  kind: Type.Optional(Type.Enum([...SESSION_KINDS], { description: `Only the sessions of this kind (${SESSION_KINDS.join(', ')})` })),
})

export const CalendarHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'ETag of the copy the client holds: 304 when the feed has not changed' })),
  'if-modified-since': Type.Optional(Type.String({ description: 'Last-Modified of the copy the client holds (used without If-None-Match): 304 when the feed has not changed' })),
  'accept-language': Type.Optional(Type.String({ description: 'Preferred languages, when ?lang= is not given' })),
  'accept-encoding': Type.Optional(Type.String({ description: 'br or gzip: workshop and session feeds are answered compressed (brotli once it is made for this version, gzip until then)' })),
})

/** A feed's 200 answer: iCalendar text, not JSON. */
export const CalendarText = {
  description: 'An iCalendar (RFC 5545) feed',
  content: { 'text/calendar': { schema: Type.String({ description: 'iCalendar text (VCALENDAR with VTIMEZONE and VEVENTs)' }) } },
}
export const NotModified = Type.Null({ description: 'The feed has not changed since the copy the client holds (no body)' })
