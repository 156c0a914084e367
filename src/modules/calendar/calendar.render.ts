// iCalendar rendering: pure functions from rows to RFC 5545 text, made with ical-generator.
// A feed is assembled from per-session VEVENT blocks kept in a bounded cache keyed by the
// session's database state, so a feed whose timetable changed in one session renders one event.
import ical, { escape, ICalEventStatus } from 'ical-generator'
import { tzlib_get_ical_block as vtimezoneBlock } from 'timezones-ical-library'
import { DateTime } from 'luxon'
import { pick, type Language, type Localized } from '../../lib/localized.ts'

export const PRODID = '//Nadwa//Nadwa workshops//EN'
/** How often subscribed clients should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const REFRESH_SECONDS = 3600
/** Raise when the rendered text changes for the same rows: it is part of every cache key and ETag. */
export const RENDER_VERSION = '1'

/** A session as the calendar shows it. */
export interface CalendarSession {
  id: string
  workshopId: string
  title: Localized
  description: Localized | null
  kind: string
  startsAt: Date
  endsAt: Date
  status: 'scheduled' | 'cancelled'
  sequence: number
  version: number
  createdAt: Date
  updatedAt: Date
  roomId: string | null
  roomName: Localized | null
  roomUpdatedAt: Date | null
}

/** The calendar-wide facts of one feed. */
export interface CalendarMeta {
  /** The calendar's name (NAME, X-WR-CALNAME), as people read it. */
  name: string
  /** The workshop's IANA zone: times are written in it, with its VTIMEZONE. */
  zone: string
  lang: Language
  /** A link to what the calendar is about (URL). */
  url: string
  /** The public URL of the service, for each event's URL. */
  publicUrl: string
  /** A cancelled workshop cancels every session. */
  workshopCancelled: boolean
}

const CANCELLED: Record<Language, string> = { en: 'Cancelled: ', ar: 'أُلغيت: ' }

/** The stable UID of a session's event: its id, nothing personal. */
export const uidOf = (sessionId: string) => `${sessionId}@nadwa`

/** The VTIMEZONE of a zone from the zone data package, with CRLF line ends; null when the data lacks the zone. */
const vtimezones = new Map<string, string | null>()
export function vtimezoneOf (zone: string): string | null {
  let block = vtimezones.get(zone)
  if (block === undefined) {
    // timezones-ical-library: VTIMEZONEs made with vzic from the current IANA database (2026c).
    const found = vtimezoneBlock(zone)
    block = Array.isArray(found) ? found[0].replace(/\r\n/g, '\n').trim().split('\n').join('\r\n') + '\r\n' : null
    vtimezones.set(zone, block)
  }
  return block
}

/**
 * Whether the packaged VTIMEZONE tells the same offsets as the runtime's own zone data in a year:
 * a VTIMEZONE states the zone's current rules, so a workshop in a year under other rules (Mexico
 * before it dropped daylight saving in 2022) would be misread. Then times are written in UTC, which
 * every client reads right, instead of a TZID.
 */
const fits = new Map<string, boolean>()
export function zoneDataFits (zone: string, year: number): boolean {
  const key = `${zone}|${year}`
  let answer = fits.get(key)
  if (answer === undefined) {
    const block = vtimezoneOf(zone)
    const packaged = new Set([...(block ?? '').matchAll(/^TZOFFSETTO:([+-])(\d\d)(\d\d)\r?$/gm)]
      .map((m) => (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]))))
    const runtime = new Set([1, 7].map((month) => DateTime.fromObject({ year, month, day: 15 }, { zone }).offset))
    answer = block !== null && packaged.size === runtime.size && [...runtime].every((offset) => packaged.has(offset))
    fits.set(key, answer)
  }
  return answer
}

/**
 * One session's VEVENT, folded, with CRLF line ends. Times go to ical-generator as luxon DateTimes
 * in the workshop's zone: given plain Dates with a TZID it would format them in the host's zone.
 * DTSTAMP, CREATED and LAST-MODIFIED are UTC (the calendar object carries no zone on purpose).
 */
export function renderEvent (session: CalendarSession, meta: Pick<CalendarMeta, 'zone' | 'lang' | 'publicUrl' | 'workshopCancelled'>): string {
  const cancelled = session.status === 'cancelled' || meta.workshopCancelled
  const withZone = zoneDataFits(meta.zone, DateTime.fromJSDate(session.startsAt, { zone: meta.zone }).year)
  const at = (d: Date) => (withZone ? DateTime.fromJSDate(d, { zone: meta.zone }) : d)
  const description = pick(session.description, meta.lang)
  const location = session.roomName ? pick(session.roomName, meta.lang) : ''
  const event = ical().createEvent({
    id: uidOf(session.id),
    sequence: session.sequence,
    stamp: session.updatedAt,
    created: session.createdAt,
    lastModified: session.updatedAt,
    start: at(session.startsAt),
    end: at(session.endsAt),
    timezone: withZone ? meta.zone : null,
    summary: (cancelled ? CANCELLED[meta.lang] : '') + pick(session.title, meta.lang),
    description: description || null,
    location: location || null,
    categories: [{ name: session.kind.toUpperCase() }],
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  })
  // ical-generator escapes URL values as if they were text; a URI is written as it is.
  const url = `URL;VALUE=URI:${meta.publicUrl}/v1/workshops/${session.workshopId}/sessions/${session.id}\r\n`
  const text = event.toString().replace(/END:VEVENT\r\n$/, `${url}END:VEVENT\r\n`)
  return foldLines(text)
}

const utf8Size = (code: number) => (code < 0x80 ? 1 : code < 0x800 ? 2 : 3)

/**
 * ical-generator's foldLines, byte for byte (a test compares them on random text), without its
 * TextEncoder call per character, which is most of the time of rendering an event: lines of at
 * most 75 octets, folded between characters, never inside one.
 */
export function foldLines (input: string): string {
  const lines = input.split('\r\n')
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]
    if (line.length <= 74 && !/[^\x00-\x7f]/.test(line)) continue
    let result = ''
    let octets = 0
    for (let i = 0; i < line.length; i++) {
      const code = line.charCodeAt(i)
      let ch = line[i]
      let size = utf8Size(code)
      if (code >= 0xd800 && code <= 0xdbff) {
        // A surrogate pair is one character; a lone high surrogate is written as U+FFFD with what follows.
        const next = line.charCodeAt(++i)
        ch += line.charAt(i)
        size = next >= 0xdc00 && next <= 0xdfff ? 4 : 3 + (Number.isNaN(next) ? 0 : utf8Size(next))
      }
      octets += size
      if (octets > 74) {
        result += '\r\n '
        octets = size
      }
      result += ch
    }
    lines[n] = result
  }
  return lines.join('\r\n')
}

/** The calendar's properties, VTIMEZONE first among its components, then the event blocks. */
export function renderCalendar (meta: CalendarMeta, events: string[]): string {
  const header = ical({
    prodId: PRODID,
    // ical-generator writes NAME and X-WR-CALNAME unescaped: escape the text ourselves.
    name: escape(meta.name, false),
    url: meta.url,
    scale: 'gregorian',
    ttl: REFRESH_SECONDS,
    x: [['X-WR-TIMEZONE', meta.zone]],
  }).toString().replace(/END:VCALENDAR$/, '')
  // The VTIMEZONE when an event refers to it (an empty calendar still names its zone).
  const zoned = events.length === 0 || events.some((event) => event.includes(';TZID='))
  return header + (zoned ? vtimezoneOf(meta.zone) ?? '' : '') + events.join('') + 'END:VCALENDAR\r\n'
}

/** A bounded least-recently-used map. */
export class Lru<V> {
  readonly max: number
  private readonly map = new Map<string, V>()
  hits = 0
  misses = 0

  constructor (max: number) {
    this.max = max
  }

  get size () { return this.map.size }

  get (key: string): V | undefined {
    const value = this.map.get(key)
    if (value === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set (key: string, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
  }
}

/**
 * Renders events through a cache keyed by everything an event shows: the session's state as the
 * database keeps it (sequence, version, updated_at), its room's, the zone, language and render version.
 */
export function eventRenderer (options: { max?: number } = {}) {
  const cache = new Lru<string>(options.max ?? 20_000)
  return {
    cache,
    render (session: CalendarSession, meta: Pick<CalendarMeta, 'zone' | 'lang' | 'publicUrl' | 'workshopCancelled'>): string {
      const key = [
        session.id, session.sequence, session.version, session.updatedAt.getTime(), session.status,
        session.roomId ?? '', session.roomUpdatedAt?.getTime() ?? '', meta.zone, meta.lang, meta.workshopCancelled ? 'c' : '', RENDER_VERSION,
      ].join('|')
      let block = cache.get(key)
      if (block === undefined) {
        block = renderEvent(session, meta)
        cache.set(key, block)
      }
      return block
    },
  }
}
