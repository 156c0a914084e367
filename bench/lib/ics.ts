import { OFFSET } from './seed.ts'

/** The VEVENT blocks of an iCalendar text, lines unfolded (RFC 5545 §3.1). */
export function events (ics: string): string[][] {
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)
  const blocks: string[][] = []
  let current: string[] | undefined
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = []
    else if (line === 'END:VEVENT') {
      if (current) blocks.push(current)
      current = undefined
    } else current?.push(line)
  }
  return blocks
}

const compact = (day: string, minute: number) =>
  `${day.replaceAll('-', '')}T${String(Math.floor(minute / 60)).padStart(2, '0')}${String(minute % 60).padStart(2, '0')}00`

/**
 * Whether the feed shows the session (found by its id in UID, else by its unique title in SUMMARY)
 * starting at `minute` on `day`, local time: `DTSTART;TZID=…:20300303T091700` or the same instant in UTC.
 */
export function showsStart (ics: string, session: { id: string, title: string }, day: string, minute: number): { ok: boolean, why?: string } {
  const blocks = events(ics)
  const block = blocks.find((b) => b.some((l) => l.startsWith('UID') && l.toLowerCase().includes(session.id.toLowerCase()))) ??
    blocks.find((b) => b.some((l) => l.startsWith('SUMMARY') && l.includes(session.title)))
  if (!block) return { ok: false, why: `no VEVENT for session ${session.id} among ${blocks.length}` }
  const dtstart = block.find((l) => l.startsWith('DTSTART'))
  if (!dtstart) return { ok: false, why: 'VEVENT without DTSTART' }
  const value = dtstart.slice(dtstart.lastIndexOf(':') + 1)
  const local = compact(day, minute)
  const offsetMinutes = (OFFSET.startsWith('-') ? -1 : 1) * (Number(OFFSET.slice(1, 3)) * 60 + Number(OFFSET.slice(4, 6)))
  const utc = new Date(Date.parse(`${day}T00:00:00Z`) + (minute - offsetMinutes) * 60_000).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z'
  if (value === local || value === utc) return { ok: true }
  return { ok: false, why: `${dtstart} (expected ${local} local or ${utc})` }
}
