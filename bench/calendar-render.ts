// Calendar rendering, alone (no HTTP, no database): `npx tsx bench/calendar-render.ts`.
// Prints events/s for a whole feed rendered cold (empty event cache: ical-generator formats and
// folds every VEVENT), warm (every block cached), and after one session of the feed changed.
import { eventRenderer, renderCalendar, type CalendarSession } from '../src/modules/calendar/calendar.render.ts'

const meta = { name: 'ورشة عمل حول التخطيط الاستراتيجي لإعادة الإدماج, Baghdad', zone: 'Asia/Baghdad', lang: 'ar' as const, url: 'https://nadwa.example/v1/workshops/w', publicUrl: 'https://nadwa.example', workshopCancelled: false }

function sessions (count: number): CalendarSession[] {
  const start = Date.parse('2023-02-05T06:00:00Z')
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    workshopId: '11111111-1111-4111-8111-111111111111',
    title: { en: `Session ${i}: planning, data; and reintegration`, ar: `الجلسة ${i}: التخطيط الاستراتيجي لإعادة الإدماج وجمع البيانات، مع ممثلي الوزارات والمنظمات الدولية` },
    description: { en: 'A working session.\nBring your notes.', ar: 'جلسة عمل لمناقشة خطة العمل الوطنية.\nيرجى إحضار الملاحظات.' },
    kind: i % 10 === 0 ? 'plenary' : 'working_group',
    startsAt: new Date(start + i * 30 * 60_000),
    endsAt: new Date(start + (i * 30 + 25) * 60_000),
    status: 'scheduled' as const, sequence: 0, version: 1,
    createdAt: new Date('2023-01-01T00:00:00Z'), updatedAt: new Date('2023-01-02T00:00:00Z'),
    roomId: '22222222-2222-4222-8222-222222222222', roomName: { en: 'Hall A', ar: 'القاعة أ' }, roomUpdatedAt: new Date('2023-01-01T00:00:00Z'),
  }))
}

function time (fn: () => void, rounds: number): number {
  const started = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) fn()
  return Number(process.hrtime.bigint() - started) / 1e6 / rounds
}

const rows: Array<Record<string, string | number>> = []
for (const count of [60, 1000]) {
  const list = sessions(count)
  const feed = (renderer: ReturnType<typeof eventRenderer>, items: CalendarSession[]) => renderCalendar(meta, items.map((s) => renderer.render(s, meta)))
  const rounds = count === 60 ? 50 : 5
  const cold = time(() => feed(eventRenderer(), list), rounds)
  const warmRenderer = eventRenderer()
  feed(warmRenderer, list)
  const warm = time(() => feed(warmRenderer, list), rounds * 10)
  let n = 0
  const oneChanged = time(() => {
    n++
    const changed = list.map((s, i) => (i === 7 ? { ...s, sequence: n, version: n + 1, updatedAt: new Date(s.updatedAt.getTime() + n * 1000) } : s))
    feed(warmRenderer, changed)
  }, rounds * 10)
  const bytes = Buffer.byteLength(feed(warmRenderer, list))
  rows.push({
    sessions: count, 'feed KiB': Math.round(bytes / 1024),
    'cold ms': +cold.toFixed(2), 'cold events/s': Math.round(count / cold * 1000),
    'warm ms': +warm.toFixed(2), 'warm events/s': Math.round(count / warm * 1000),
    'one changed ms': +oneChanged.toFixed(2),
  })
}
console.table(rows)
