import { DateTime, IANAZone } from 'luxon'

/** The canonical IANA name of a time zone (`asia/baghdad` -> `Asia/Baghdad`), or undefined when there is none. */
export function canonicalTimeZone (name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) || !IANAZone.isValidZone(name)) return undefined
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
}

/** The instant a local day starts in a zone (midnight, or the first instant after a gap). */
export function startOfLocalDay (day: string, zone: string): Date {
  return DateTime.fromISO(day, { zone }).startOf('day').toJSDate()
}

/** The instants a workshop's days span in its zone: from its first midnight to the midnight after its last day. */
export function workshopSpan (zone: string, startDate: string, endDate: string): { start: Date, end: Date } {
  return {
    start: startOfLocalDay(startDate, zone),
    end: DateTime.fromISO(endDate, { zone }).plus({ days: 1 }).startOf('day').toJSDate(),
  }
}

const DAY_MS = 86_400_000

/** The UTC midnight of a YYYY-MM-DD day; NaN when it is no such day (Date.parse takes 2023-02-30 for 2023-03-02). */
function utcMidnight (day: string): number {
  const t = Date.parse(`${day}T00:00:00Z`)
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day ? NaN : t
}

/** How many days from start to end inclusive (0 when end is before start, NaN when either is no day), counted without listing them. */
export function dayCount (startDate: string, endDate: string): number {
  return Math.max(0, Math.round((utcMidnight(endDate) - utcMidnight(startDate)) / DAY_MS) + 1)
}

/**
 * Every day from start to end inclusive, as YYYY-MM-DD (none when either is no day). Calendar days
 * have no zone: counted on UTC midnights, where every day is 24 hours (luxon took a tenth of a
 * workshop read's CPU here).
 */
export function daysOf (startDate: string, endDate: string): string[] {
  const days: string[] = []
  const last = utcMidnight(endDate)
  for (let t = utcMidnight(startDate); t <= last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

/** The local calendar day of an instant in a zone. */
export function localDay (instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!
}

/** The local wall-clock time of an instant in a zone, as HH:MM. */
export function localTime (instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm')
}

/** An instant as RFC 3339 with the zone's offset at that instant (`2023-02-05T09:00:00.000+03:00`). */
export function instantInZone (instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO()!
}

/** Today in a zone. */
export function today (zone: string, now: Date = new Date()): string {
  return localDay(now, zone)
}
