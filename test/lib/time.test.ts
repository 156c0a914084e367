import t from 'tap'
import { canonicalTimeZone, daysOf, instantInZone, localDay, localTime, startOfLocalDay, today, workshopSpan } from '../../src/lib/time.ts'

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
  const span = workshopSpan('Asia/Baghdad', '2023-02-05', '2023-02-07')
  t.equal(span.start.toISOString(), '2023-02-04T21:00:00.000Z')
  t.equal(span.end.toISOString(), '2023-02-07T21:00:00.000Z')
  t.equal(startOfLocalDay('2024-03-31', 'Europe/Berlin').toISOString(), '2024-03-30T23:00:00.000Z')
  t.equal(localDay(new Date('2023-02-05T22:30:00Z'), 'Asia/Baghdad'), '2023-02-06')
  t.equal(localTime(new Date('2023-02-05T06:00:00Z'), 'Asia/Baghdad'), '09:00')
  t.equal(instantInZone(new Date('2023-02-05T06:00:00Z'), 'Asia/Baghdad'), '2023-02-05T09:00:00.000+03:00')
  t.equal(today('Pacific/Kiritimati', new Date('2023-02-05T11:00:00Z')), '2023-02-06')
})
