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

/** Every day from start to end inclusive, as YYYY-MM-DD. */
export function daysOf (startDate: string, endDate: string): string[] {
  const days: string[] = []
  let day = DateTime.fromISO(startDate, { zone: 'UTC' })
  const last = DateTime.fromISO(endDate, { zone: 'UTC' })
  while (day <= last) {
    days.push(day.toISODate()!)
    day = day.plus({ days: 1 })
  }
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
