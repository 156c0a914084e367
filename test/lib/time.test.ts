import t from 'tap'
import { canonicalTimeZone, dayCount, daysOf, instantInZone, localDay, localTime, startOfLocalDay, today, workshopSpan } from '../../src/lib/time.ts'

t.test('time zones are IANA names, canonicalised', async (t) => {
  t.equal(canonicalTimeZone('Asia/Baghdad'), 'Asia/Baghdad')
  t.equal(canonicalTimeZone('asia/baghdad'), 'Asia/Baghdad')
  t.equal(canonicalTimeZone('UTC'), 'UTC')
  t.equal(canonicalTimeZone('Mars/Olympus'), undefined)
  t.equal(canonicalTimeZone('+03:00'), undefined)
  t.equal(canonicalTimeZone(''), undefined)
})

t.test('local days and times', async (t) => {
  t.same(daysOf('2023-02-27', '2023-03-01'), ['2023-02-27', '2023-02-28', '2023-03-01'])
  t.same(daysOf('2023-02-05', '2023-02-05'), ['2023-02-05'])
  t.same(daysOf('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01'], 'a leap day')
  t.same(daysOf('2023-12-31', '2024-01-01'), ['2023-12-31', '2024-01-01'], 'over a new year')
  t.same(daysOf('2023-02-06', '2023-02-05'), [], 'none when the end is before the start')
  t.equal(dayCount('2023-02-27', '2023-03-01'), 3)
  t.equal(dayCount('2023-02-05', '2023-02-05'), 1)
  t.equal(dayCount('2023-02-06', '2023-02-05'), 0)
  t.equal(dayCount('1900-01-01', '2900-12-31'), 365_608, 'a thousand years, counted')
  t.same(daysOf('2023-02-28', '2023-02-30'), [], 'no February 30th (not March 2nd)')
  t.ok(Number.isNaN(dayCount('2023-02-30', '2023-03-05')), 'no count from a day that does not exist')
  t.ok(Number.isNaN(dayCount('2023-02-05', 'tomorrow')))
  const span = workshopSpan('Asia/Baghdad', '2023-02-05', '2023-02-07')
  t.equal(span.start.toISOString(), '2023-02-04T21:00:00.000Z')
  t.equal(span.end.toISOString(), '2023-02-07T21:00:00.000Z')
  t.equal(startOfLocalDay('2024-03-31', 'Europe/Berlin').toISOString(), '2024-03-30T23:00:00.000Z')
  t.equal(localDay(new Date('2023-02-05T22:30:00Z'), 'Asia/Baghdad'), '2023-02-06')
  t.equal(localTime(new Date('2023-02-05T06:00:00Z'), 'Asia/Baghdad'), '09:00')
  t.equal(instantInZone(new Date('2023-02-05T06:00:00Z'), 'Asia/Baghdad'), '2023-02-05T09:00:00.000+03:00')
  t.equal(today('Pacific/Kiritimati', new Date('2023-02-05T11:00:00Z')), '2023-02-06')
})
