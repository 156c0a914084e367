import t from 'tap'
import fc from 'fast-check'
import ICAL from 'ical.js'
import { foldLines as icalGeneratorFold } from 'ical-generator'
import { eventRenderer, foldLines, Lru, renderCalendar, renderEvent, vtimezoneOf, zoneDataFits, type CalendarSession } from '../../src/modules/calendar/calendar.render.ts'

const session = (overrides: Partial<CalendarSession> = {}): CalendarSession => ({
  id: '11111111-1111-4111-8111-111111111111', workshopId: '22222222-2222-4222-8222-222222222222',
  title: { en: 'Opening', ar: 'الافتتاح' }, description: null, kind: 'plenary',
  startsAt: new Date('2023-02-05T06:00:00Z'), endsAt: new Date('2023-02-05T07:00:00Z'),
  status: 'scheduled', sequence: 0, version: 1,
  createdAt: new Date('2023-01-01T00:00:00Z'), updatedAt: new Date('2023-01-02T00:00:00Z'),
  roomId: null, roomName: null, roomUpdatedAt: null, ...overrides,
})
const meta = { name: 'Workshop', zone: 'Asia/Baghdad', lang: 'en' as const, url: 'https://nadwa.test/v1/workshops/x', publicUrl: 'https://nadwa.test', workshopCancelled: false }

t.test('a bounded least-recently-used cache', async (t) => {
  const lru = new Lru<number>(2)
  lru.set('a', 1)
  lru.set('b', 2)
  t.equal(lru.get('a'), 1, 'a is now the most recent')
  lru.set('c', 3)
  t.equal(lru.get('b'), undefined, 'the least recently used went')
  t.equal(lru.get('a'), 1)
  t.equal(lru.get('c'), 3)
  t.equal(lru.size, 2)
  t.same([lru.hits, lru.misses], [3, 1])
})

t.test('the event cache renders a session again only when its state changes', async (t) => {
  const events = eventRenderer({ max: 10 })
  const first = events.render(session(), meta)
  t.equal(events.render(session(), meta), first)
  t.same([events.cache.hits, events.cache.misses], [1, 1])
  const moved = events.render(session({ sequence: 1, version: 2, updatedAt: new Date('2023-01-03T00:00:00Z'), startsAt: new Date('2023-02-05T08:00:00Z'), endsAt: new Date('2023-02-05T09:00:00Z') }), meta)
  t.match(moved, /SEQUENCE:1\r\n/)
  t.match(moved, /DTSTART;TZID=Asia\/Baghdad:20230205T110000\r\n/)
  t.equal(events.cache.misses, 2)
  t.not(events.render(session(), { ...meta, lang: 'ar' }), first, 'the language is part of the key')
  t.equal(first, renderEvent(session(), meta), 'the cached block is the rendered block')
})

t.test('any text survives escaping and folding, and no line passes 75 octets', async (t) => {
  const text = fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '\\', '\n', ':', 'ب', 'ة', '€', '😀', 'é'), minLength: 1, maxLength: 200 })
    .filter((s) => s.trim() === s && s.length > 0)
  fc.assert(fc.property(text, text, (title, name) => {
    const body = renderCalendar({ ...meta, name }, [renderEvent(session({ title: { en: title }, description: { en: title } }), meta)])
    for (const line of body.split('\r\n')) if (Buffer.byteLength(line) > 75) return false
    const root = new ICAL.Component(ICAL.parse(body))
    const event = new ICAL.Event(root.getFirstSubcomponent('vevent')!)
    // ical.js leaves X- properties as written: unescape them as RFC 5545 3.3.11 says.
    const calname = String(root.getFirstPropertyValue('x-wr-calname')).replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
    return event.summary === title && event.description === title && calname === name
  }), { numRuns: 200 })
  t.pass('200 random texts')
})

t.test('folding is ical-generator\'s, byte for byte', async (t) => {
  const unit = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0x7ff }), fc.integer({ min: 0x800, max: 0xffff }),
    fc.integer({ min: 0xd800, max: 0xdfff }), fc.constantFrom(0x0d, 0x0a),
  ).map((code) => String.fromCharCode(code))
  const text = fc.array(fc.oneof(unit, fc.constantFrom('\r\n', '😀', 'ة')), { maxLength: 400 }).map((parts) => parts.join(''))
  fc.assert(fc.property(text, (input) => foldLines(input) === icalGeneratorFold(input)), { numRuns: 500 })
  t.equal(foldLines('\ud800'), icalGeneratorFold('\ud800'), 'a lone surrogate at the end')
  t.equal(foldLines('a'.repeat(74) + '\ud800'), icalGeneratorFold('a'.repeat(74) + '\ud800'))
})

t.test('a zone the VTIMEZONE data lacks: times in UTC, no VTIMEZONE, even in an empty calendar', async (t) => {
  t.equal(vtimezoneOf('Nowhere/Zone'), null)
  t.equal(zoneDataFits('Nowhere/Zone', 2024), false)
  t.match(vtimezoneOf('Asia/Baghdad'), /^BEGIN:VTIMEZONE\r\nTZID:Asia\/Baghdad\r\n/)
  const body = renderCalendar({ ...meta, zone: 'Nowhere/Zone' }, [])
  t.notMatch(body, /VTIMEZONE/)
  t.match(body, /END:VCALENDAR\r\n$/)
})
